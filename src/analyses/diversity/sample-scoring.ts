import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type SampleStatistics, sampleStatistics } from './diversity.ts';

/** A window's sample to score on a scoring thread. */
export interface ScoringRequest {
  readonly id: number;
  readonly outputs: readonly string[];
  readonly seed: number;
  readonly bleuSize: number;
  readonly withSelfBleu: boolean;
}

/** Its answer: the statistics, or the error `sampleStatistics` threw. */
export type ScoringReply =
  | { readonly id: number; readonly stats: SampleStatistics }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

/**
 * Computes {@link sampleStatistics} of window samples: on the calling thread, or on scoring threads. Each
 * promise resolves to the statistics of its own sample, so the caller's order (not the threads') decides the
 * order of the windows.
 */
export interface SampleScorer {
  score(
    outputs: readonly string[],
    seed: number,
    bleuSize: number,
    withSelfBleu: boolean,
  ): Promise<SampleStatistics>;
  close(): Promise<void>;
}

/** The statistics on the calling thread (computed at once). */
export function inlineScorer(): SampleScorer {
  return {
    score: async (outputs, seed, bleuSize, withSelfBleu) =>
      sampleStatistics(outputs, seed, bleuSize, withSelfBleu),
    close: async () => undefined,
  };
}

/**
 * Scoring threads worth starting here: two when the machine has two cores or more (the audit's servers share
 * them; the main thread mostly waits for the engine and decodes rows meanwhile), else none.
 */
export function defaultScoringThreads(): number {
  return availableParallelism() >= 2 ? 2 : 0;
}

/** Samples a thread holds at once: one scored, one waiting, so it never idles for a message round trip. */
const PER_THREAD = 2;

/**
 * The statistics on `threads` worker threads (diversity-worker.ts), which run the same `sampleStatistics`:
 * the same numbers as {@link inlineScorer} (structured cloning keeps every double), while the main thread
 * reads and decodes the next batch of samples. The samples wait in a queue, each thread holds at most
 * {@link PER_THREAD}; the caller bounds the queue (analyzeDiversity submits a batch at a time) and closes
 * the scorer: the threads keep the process alive until then (unreferencing idle threads, tried first, let the
 * process end on the unsettled await of close when a thread was still loading under tsx). Under tsx (the
 * sources) the thread registers tsx's loader itself, as the live monitors' thread does (monitor-thread.ts);
 * from dist/, it loads the compiled entry.
 */
export function threadScorer(threads: number): SampleScorer {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`scoring threads must be a positive integer, got ${threads}`);
  }
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './diversity-worker.ts' : './diversity-worker.js', import.meta.url);
  type Pending = { resolve: (s: SampleStatistics) => void; reject: (e: Error) => void };
  const queue: ScoringRequest[] = [];
  const waiting = new Map<number, Pending>();
  const pool: { worker: Worker; held: Set<number> }[] = [];
  let nextId = 0;
  let dead: Error | null = null;

  const fail = (err: Error) => {
    dead ??= err;
    for (const w of waiting.values()) w.reject(dead);
    waiting.clear();
    queue.length = 0;
  };
  const pump = () => {
    for (const t of pool) {
      while (t.held.size < PER_THREAD && queue.length > 0) {
        const m = queue.shift()!;
        t.held.add(m.id);
        t.worker.postMessage(m);
      }
    }
  };
  const start = () => {
    const worker = fromSource
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`,
          { eval: true },
        )
      : new Worker(url);
    const t = { worker, held: new Set<number>() };
    worker.on('message', (r: ScoringReply) => {
      t.held.delete(r.id);
      const w = waiting.get(r.id);
      if (w === undefined) return;
      waiting.delete(r.id);
      if ('error' in r) w.reject(Object.assign(new Error(r.error.message), { name: r.error.name }));
      else w.resolve(r.stats);
      pump();
    });
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => fail(new Error(`a diversity scoring thread exited (code ${code})`)));
    return t;
  };

  return {
    score(outputs, seed, bleuSize, withSelfBleu) {
      if (dead !== null) return Promise.reject(dead);
      // threads start at the first sample, not before: a scorer that scores nothing costs nothing
      while (pool.length < threads) pool.push(start());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        queue.push({ id, outputs, seed, bleuSize, withSelfBleu });
        pump();
      });
    },
    close: async () => {
      fail(new Error('the diversity scorer was closed'));
      await Promise.all(pool.map((t) => t.worker.terminate()));
    },
  };
}
