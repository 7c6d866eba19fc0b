import { Worker } from 'node:worker_threads';
import type { LiveAlertDraft } from '../../analyses/shared/live.ts';
import { ConfigError } from '../../model/errors.ts';
import { type FeedItem, type MonitorConfig, MonitorEngine } from './monitor-engine.ts';

/** A message to the monitor thread: items to feed, or "close the open step window". */
export type MonitorRequest =
  | { readonly seq: number; readonly kind: 'feed'; readonly items: readonly FeedItem[] }
  | { readonly seq: number; readonly kind: 'close-step' };

/** Its answer: the drafts raised, or the error the monitors threw. */
export type MonitorReply =
  | { readonly seq: number; readonly drafts: LiveAlertDraft[] }
  | { readonly seq: number; readonly error: { readonly name: string; readonly message: string } };

/** Runs the live monitors: on the watch's own thread, or on a thread of their own. Requests are answered in order. */
export interface MonitorRunner {
  feed(items: readonly FeedItem[]): Promise<LiveAlertDraft[]>;
  closeStep(): Promise<LiveAlertDraft[]>;
  close(): Promise<void>;
}

/** The monitors on the calling thread (answers at once). */
export function inlineMonitors(config: MonitorConfig): MonitorRunner {
  const engine = new MonitorEngine(config);
  return {
    feed: async (items) => engine.feed(items),
    closeStep: async () => engine.closeStep(),
    close: async () => undefined,
  };
}

/**
 * The monitors on a worker thread (monitor-worker.ts): the watch posts each cycle's committed rows and goes on
 * reading and writing while they are monitored, so the monitors' CPU is spent on the other core. The thread
 * keeps the order of the requests, so the drafts are those of {@link inlineMonitors} for the same feed. Under
 * tsx (the sources), the thread loads the TypeScript worker with tsx's loader; from dist/, the compiled one.
 */
export function threadMonitors(config: MonitorConfig): MonitorRunner {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './monitor-worker.ts' : './monitor-worker.js', import.meta.url);
  // Node 20 does not pass tsx's loader (`--import tsx`, or its register() API) on to a worker, which then
  // cannot load a .ts entry: from the sources, the worker registers tsx itself before importing its entry
  const worker = fromSource
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`,
        { eval: true, workerData: config },
      )
    : new Worker(url, { workerData: config });
  let seq = 0;
  const waiting = new Map<number, { resolve: (d: LiveAlertDraft[]) => void; reject: (e: Error) => void }>();
  let dead: Error | null = null;
  const failAll = (err: Error) => {
    dead ??= err;
    for (const w of waiting.values()) w.reject(dead);
    waiting.clear();
  };
  worker.on('message', (r: MonitorReply) => {
    const w = waiting.get(r.seq);
    if (w === undefined) return;
    waiting.delete(r.seq);
    if ('error' in r) {
      // a threshold or rule the monitors refuse is the user's configuration; anything else a failure
      const err =
        r.error.name === 'ConfigError' ? new ConfigError(r.error.message) : new Error(r.error.message);
      w.reject(err);
    } else w.resolve(r.drafts);
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`the live monitors' thread exited (code ${code})`)));
  const send = (
    m: { readonly kind: 'feed'; readonly items: readonly FeedItem[] } | { readonly kind: 'close-step' },
  ): Promise<LiveAlertDraft[]> => {
    if (dead !== null) return Promise.reject(dead);
    const s = seq++;
    return new Promise((resolve, reject) => {
      waiting.set(s, { resolve, reject });
      worker.postMessage({ ...m, seq: s });
    });
  };
  return {
    feed: (items) => send({ kind: 'feed', items }),
    closeStep: () => send({ kind: 'close-step' }),
    close: async () => {
      dead ??= new Error('the live monitors were closed');
      await worker.terminate();
    },
  };
}
