// `bench/live-service.ts --trace`: what happened, in the service and in the benchmark's own process, while each
// request was out. The service records its GCs, its event-loop stalls and its moves into DuckDB
// (bench/service-trace.ts, loaded into it); a sampler process records every thread's CPU time of both processes
// and the machine's (bench/thread-sampler.ts); the benchmark records its own event loop's stalls. Here each
// request's interval (its scheduled moment → its answer parsed, on the wall clock) is laid over them, and the
// slowest 1 % are compared with all requests.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface RequestSpan {
  readonly start: number;
  readonly end: number;
  readonly latency: number;
}

interface ServiceTrace {
  readonly gc: [number, number, number][];
  readonly stalls: [number, number][];
  readonly moves: [number, number, number][];
}

type Samples = [number, number, Record<string, number>][];

/** Node flags and environment that load the service-side recorder into a service process. */
export function serviceTraceEnv(out: string): { nodeArgs: string; env: NodeJS.ProcessEnv } {
  const preload = fileURLToPath(new URL('./service-trace.ts', import.meta.url));
  return { nodeArgs: `--import tsx --import ${preload}`, env: { RLAUDIT_TRACE_OUT: out } };
}

/** The benchmark's own event loop: [start, end] of every gap > 4 ms in a 2 ms timer. */
export function watchOwnLoop(): { stalls: [number, number][]; stop(): void } {
  const stalls: [number, number][] = [];
  const wall = () => performance.timeOrigin + performance.now();
  let last = wall();
  const timer = setInterval(() => {
    const now = wall();
    if (now - last > 6) stalls.push([last + 2, now]);
    last = now;
  }, 2);
  return { stalls, stop: () => clearInterval(timer) };
}

/** Starts the thread sampler over these processes; resolves once it samples. */
export async function startSampler(out: string, pids: readonly number[]): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./thread-sampler.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, out, ...pids.map(String)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`thread sampler exited with ${code}`)));
    child.stdout!.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  return child;
}

export async function stopSampler(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Milliseconds of [a, b] covered by the intervals. */
function overlap(
  intervals: readonly (readonly [number, number, ...number[]])[],
  a: number,
  b: number,
): number {
  let ms = 0;
  for (const [s, e] of intervals) ms += Math.max(0, Math.min(b, e) - Math.max(a, s));
  return ms;
}

/** A cumulative counter at time t, linear between the samples around it. */
function at(samples: Samples, t: number, value: (s: Samples[number]) => number): number {
  let lo = 0;
  let hi = samples.length - 1;
  if (t <= samples[0]![0]) return value(samples[0]!);
  if (t >= samples[hi]![0]) return value(samples[hi]!);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]![0] <= t) lo = mid;
    else hi = mid;
  }
  const a = samples[lo]!;
  const b = samples[hi]!;
  const f = (t - a[0]) / (b[0] - a[0]);
  return value(a) + f * (value(b) - value(a));
}

/**
 * Prints, for the slowest 1 % of the requests and for all of them: the share that overlapped a move into
 * DuckDB, and per request (means, ms): time under a move, the service's GC pauses (minor / major), the stalls
 * of the service's and of the benchmark's event loops, and the CPU each thread group used, as cores.
 */
export function reportTrace(
  spans: readonly RequestSpan[],
  serviceTraceFile: string,
  samplerFile: string,
  benchStalls: readonly [number, number][],
  servicePid: number,
): void {
  const trace = JSON.parse(readFileSync(serviceTraceFile, 'utf8')) as ServiceTrace;
  const samples = JSON.parse(readFileSync(samplerFile, 'utf8')) as Samples;
  const benchPid = process.pid;
  const threadKeys = new Set<string>();
  for (const s of samples) for (const k of Object.keys(s[2])) threadKeys.add(k);
  // thread groups: each process's main thread, and its other threads together; the machine's busy ticks
  const groupOf = (key: string): string => {
    const [pid, tid] = key.split('/');
    const who = Number(pid) === servicePid ? 'service' : Number(pid) === benchPid ? 'bench' : pid!;
    return `${who} ${pid === tid ? 'main' : 'others'}`;
  };
  const groups = [...new Set([...threadKeys].map(groupOf))].sort();
  const cores = (group: string, a: number, b: number): number => {
    const v = (s: Samples[number]) => {
      let n = 0;
      for (const [k, t] of Object.entries(s[2])) if (groupOf(k) === group) n += t;
      return n;
    };
    return ((at(samples, b, v) - at(samples, a, v)) * 10) / (b - a);
  };
  const machineCores = (a: number, b: number) =>
    ((at(samples, b, (s) => s[1]) - at(samples, a, (s) => s[1])) * 10) / (b - a);
  const minor = trace.gc.filter((g) => g[2] === 1).map(([s, d]) => [s, s + d] as [number, number]);
  const major = trace.gc.filter((g) => g[2] !== 1).map(([s, d]) => [s, s + d] as [number, number]);
  // the busiest other threads of the service, one by one (DuckDB's, the pool's, V8's)
  const serviceOthers = [...threadKeys]
    .filter((k) => groupOf(k) === 'service others')
    .map((k) => {
      const first = samples.find((s) => s[2][k] !== undefined)?.[2][k] ?? 0;
      const last = [...samples].reverse().find((s) => s[2][k] !== undefined)?.[2][k] ?? 0;
      return { k, ms: (last - first) * 10 };
    })
    .sort((a, b) => b.ms - a.ms);
  const row = (name: string, set: readonly RequestSpan[]) => {
    const mean = (f: (r: RequestSpan) => number) => set.reduce((a, r) => a + f(r), 0) / set.length;
    const cells = [
      `latency ${mean((r) => r.latency).toFixed(1)}`,
      `under a move ${((100 * set.filter((r) => overlap(trace.moves, r.start, r.end) > 0).length) / set.length).toFixed(0)} % of requests, ${mean((r) => overlap(trace.moves, r.start, r.end)).toFixed(1)} ms`,
      `GC minor ${mean((r) => overlap(minor, r.start, r.end)).toFixed(1)} / major ${mean((r) => overlap(major, r.start, r.end)).toFixed(1)}`,
      `loop stalls: service ${mean((r) => overlap(trace.stalls, r.start, r.end)).toFixed(1)}, bench ${mean((r) => overlap(benchStalls, r.start, r.end)).toFixed(1)}`,
      `cores: ${groups.map((g) => `${g} ${mean((r) => cores(g, r.start, r.end)).toFixed(2)}`).join(', ')}, machine ${mean((r) => machineCores(r.start, r.end)).toFixed(2)}`,
    ];
    console.log(`  ${name} (${set.length}): ${cells.join('; ')}`);
  };
  const byLatency = [...spans].sort((a, b) => a.latency - b.latency);
  const slowest = byLatency.slice(Math.floor(0.99 * byLatency.length));
  console.log(
    `  trace: ${trace.moves.length} moves into DuckDB (${(trace.moves.reduce((a, m) => a + m[1] - m[0], 0) / trace.moves.length).toFixed(1)} ms each on average, ${(trace.moves.reduce((a, m) => a + m[2], 0) / trace.moves.length).toFixed(0)} rows), ` +
      `${trace.gc.filter((g) => g[2] === 1).length} minor GCs, ${trace.gc.filter((g) => g[2] !== 1).length} other GCs ` +
      `(longest ${Math.max(0, ...trace.gc.map((g) => g[1])).toFixed(1)} ms), service loop stalls > 4 ms: ${trace.stalls.length} ` +
      `(longest ${Math.max(0, ...trace.stalls.map(([s, e]) => e - s)).toFixed(1)} ms), bench loop stalls: ${benchStalls.length} ` +
      `(longest ${Math.max(0, ...benchStalls.map(([s, e]) => e - s)).toFixed(1)} ms); the service's busiest other threads (CPU ms): ` +
      serviceOthers
        .slice(0, 6)
        .map((t) => `${t.k.split('/')[1]} ${t.ms}`)
        .join(', '),
  );
  row('all requests', spans);
  row('slowest 1 %', slowest);
  /** The intervals of `list` that overlap [a, b] and last ≥ 5 ms, as "start+length" relative to a (ms). */
  const within = (list: readonly (readonly [number, number])[], a: number, b: number) =>
    list
      .filter(([s, e]) => e > a && s < b && e - s >= 5)
      .map(([s, e]) => `${(s - a).toFixed(0)}+${(e - s).toFixed(0)}`)
      .join(' ');
  const t0 = byLatency.reduce((a, r) => Math.min(a, r.start), Number.POSITIVE_INFINITY);
  for (const r of slowest) {
    const gcs = trace.gc.filter(([s, d]) => s + d > r.start && s < r.end && d >= 2);
    console.log(
      `    at ${((r.start - t0) / 1000).toFixed(3)} s: ${r.latency.toFixed(1)} ms; moves ${trace.moves
        .filter(([s, e]) => e > r.start && s < r.end)
        .map(([s, e, n]) => `${(s - r.start).toFixed(0)}+${(e - s).toFixed(0)} ms (${n} rows)`)
        .join(
          ' ',
        )}; GCs ${gcs.map(([s, d, k]) => `${k === 1 ? 'minor' : `kind${k}`} ${(s - r.start).toFixed(0)}+${d.toFixed(1)}`).join(' ')}; ` +
        `service stalls ${within(trace.stalls, r.start, r.end)}; bench stalls ${within(benchStalls, r.start, r.end)}; cores ${groups.map((g) => `${g} ${cores(g, r.start, r.end).toFixed(2)}`).join(', ')}, machine ${machineCores(r.start, r.end).toFixed(2)}`,
    );
  }
}
