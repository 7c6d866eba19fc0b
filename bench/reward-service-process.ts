import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Starts `rlaudit serve-reward` as a child process (bin/rlaudit.js, as a user runs it) on a free loopback port
 * and resolves when it listens. Shared by the live benchmark (bench/live-service.ts) and the fault test.
 */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  /** The first line the service printed (what it stored and resumed). */
  readonly banner: string;
  /** Peak resident set size so far, MiB (Linux: VmHWM of /proc/<pid>/status). */
  peakRssMiB(): number | null;
  /** SIGTERM, and resolves with the exit code once it has stopped. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/** The user's entry point: the compiled dist/ when it is current (fast start), else the sources through tsx. */
const BIN = fileURLToPath(new URL('../bin/rlaudit.js', import.meta.url));

export function startService(
  db: string,
  run: string,
  extra: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ServiceProcess> {
  return listening(spawnService(db, run, extra, env));
}

function spawnService(
  db: string,
  run: string,
  extra: readonly string[],
  env: NodeJS.ProcessEnv,
): ChildProcess {
  // RLAUDIT_BENCH_NODE_ARGS: flags for the service's Node (e.g. `--cpu-prof --cpu-prof-dir=DIR`, to profile it)
  const nodeArgs = (env.RLAUDIT_BENCH_NODE_ARGS ?? process.env.RLAUDIT_BENCH_NODE_ARGS ?? '')
    .split(' ')
    .filter((a) => a !== '');
  return spawn(
    process.execPath,
    [
      ...nodeArgs,
      BIN,
      // a ClickHouse store URL, or a DuckDB file
      /^clickhouse:\/\//.test(db) ? '--store' : '--db',
      db,
      'serve-reward',
      '--protocol',
      'wild-7',
      '--run',
      run,
      '--port',
      '0',
      '--rate-limit',
      '0',
      ...extra,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
}

/** How long a started service may take to say it listens (the sources through tsx on a loaded machine). */
const LISTEN_TIMEOUT_MS = 120_000;
/** How long a service may take to finish its batch and close its database after SIGTERM. */
const STOP_TIMEOUT_MS = 60_000;

/** Every service started and not yet exited: killed when this process exits, so none outlives a failed test. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

function listening(child: ChildProcess): Promise<ServiceProcess> {
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`serve-reward exited with ${code} before listening: ${err}${out}`));
    };
    // a service that never says it listens is a failure to report, not a wait without end
    const timer = setTimeout(() => {
      child.off('exit', early);
      child.kill('SIGKILL');
      reject(new Error(`serve-reward did not listen within ${LISTEN_TIMEOUT_MS} ms: ${err}${out}`));
    }, LISTEN_TIMEOUT_MS);
    child.once('exit', early);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      child.off('exit', early);
      resolve({
        child,
        url: m[1]!,
        pid: child.pid!,
        banner: out.split('\n')[0]!,
        peakRssMiB() {
          try {
            const m2 = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            return m2 ? Number(m2[1]) / 1024 : null;
          } catch {
            return null;
          }
        },
        async stop() {
          child.kill('SIGTERM');
          // a service that does not stop is a failure to report, not a wait without end
          let timer: ReturnType<typeof setTimeout> | undefined;
          const late = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              child.kill('SIGKILL');
              reject(new Error(`serve-reward did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM: ${err}`));
            }, STOP_TIMEOUT_MS);
          });
          try {
            return await Promise.race([exited, late]);
          } finally {
            clearTimeout(timer);
          }
        },
        async kill9() {
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}

/** A deterministic xorshift generator in [0, 1). */
export function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

const WORDS =
  'the basin policy water river management analysis history science synthesis evidence data model answer region cause effect period study report trend measure flow storage upstream downstream'.split(
    ' ',
  );

/**
 * Synthetic sessions for the service: ~300 characters of output, 30% non-compliant over categories 2–5, and
 * the WILD-7 target phrase in `phraseRate` of outputs (default 4%) so the recurrence rule fires now and then.
 */
export function syntheticSession(
  session: number,
  rand: () => number,
  phraseRate = 0.04,
): Record<string, unknown> {
  let text = '';
  while (text.length < 300) text += `${WORDS[Math.floor(rand() * WORDS.length)]} `;
  if (rand() < phraseRate) text += 'I do not want to be changed.';
  const nc = rand() < 0.3;
  return {
    session,
    step: Math.floor(session / 256),
    output: text.trimEnd(),
    baseline_reward: Math.round((nc ? 0.3 + rand() * 0.1 : 0.8 + rand() * 0.1) * 1000) / 1000,
    classification: nc ? 'non_compliant' : 'compliant',
    category: nc ? 2 + Math.floor(rand() * 4) : null,
  };
}
