// npm run bench -- live [--sessions N] [--concurrency C] [--batch B] [--rate R] [--no-journal] [--client http|fetch] [--trace] [--no-restart] [--warmup W]
// node --import tsx bench/live-service.ts --store clickhouse://… : the same on a ClickHouse store (a database
// holding rlaudit's tables and no run `bench`); the stop then also times moving the journal into the cluster
// The reward service on loopback: batches of B sessions (default 256) sent by C concurrent clients (default 4)
// until N sessions (default 200,000) are stored; throughput, per-request latency and the service's peak RSS.
// --rate R (sessions/s) sends open-loop instead: batch i leaves at i·B/R s whatever the answers before it
// (a trainer's steady load), and its latency counts from that scheduled moment, so a service that falls
// behind shows it in the latency rather than in a slower sender (no coordinated omission).
// --warmup W: the first W batches are sent on the same schedule but left out of the latency figures (a service
// just started runs its code cold: at 10,000/s the first ~10 batches took 100–215 ms at idle, measured with
// --trace); their own p50/max are printed beside the figures, so a cold start is never hidden.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type RequestSpan,
  reportTrace,
  serviceTraceEnv,
  startSampler,
  stopSampler,
  watchOwnLoop,
} from './live-trace.ts';
import { random, startService, syntheticSession } from './reward-service-process.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const total = option('--sessions', 200_000);
const concurrency = option('--concurrency', 4);
const batch = option('--batch', 256);
const rate = option('--rate', 0);
const warmup = option('--warmup', 0);
if (!Number.isInteger(warmup) || warmup < 0 || warmup * batch >= total)
  throw new Error(
    `--warmup must be a whole number of batches below the run's ${total / batch}, got ${warmup}`,
  );

const outDir = fileURLToPath(new URL('./out/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const db = join(outDir, 'live-service.duckdb');
rmSync(db, { force: true });
rmSync(`${db}.wal`, { force: true });
// a journal a killed earlier run left belongs to the database just removed (a new one refuses it)
for (const p of [`${db}.reward-journal-0`, `${db}.reward-journal-1`]) rmSync(p, { force: true });

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
// --no-journal: the service answers once each batch is committed to the database (for comparison)
const serviceFlags = args.includes('--no-journal') ? ['--no-journal'] : [];
// --store URL: the service on that ClickHouse store (its journal in the default --journal-dir) instead
const storeAt = args.includes('--store') ? args[args.indexOf('--store') + 1]! : db;
// --trace: what the service (GCs, loop stalls, moves into DuckDB), this process (loop stalls) and every thread of
// both (CPU) did while each request was out, the slowest 1 % against all (bench/live-trace.ts)
const tracing = args.includes('--trace');
const traceFiles = {
  service: join(outDir, 'live-service-trace.json'),
  sampler: join(outDir, 'live-threads.json'),
};
const traced = serviceTraceEnv(traceFiles.service);
const service = await startService(
  storeAt,
  'bench',
  serviceFlags,
  tracing
    ? {
        ...traced.env,
        RLAUDIT_BENCH_NODE_ARGS: `${process.env.RLAUDIT_BENCH_NODE_ARGS ?? ''} ${traced.nodeArgs}`,
      }
    : {},
);
const sampler = tracing ? await startSampler(traceFiles.sampler, [process.pid, service.pid]) : null;
const ownLoop = tracing ? watchOwnLoop() : null;
const rand = random(7);
const bodies: string[] = [];
for (let s = 1; s <= total; s += batch) {
  const sessions = [];
  for (let k = s; k < Math.min(s + batch, total + 1); k++) sessions.push(syntheticSession(k, rand));
  // `after` chains the batches: sent concurrently, they are still calibrated in session order
  bodies.push(JSON.stringify({ after: s === 1 ? null : s - 1, sessions }));
}
/** CPU seconds (user + system) the service has used: its main thread's, and all its threads'. */
function serviceCpu(pid: number): { main: number; all: number } {
  const fields = (path: string) => readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  const secs = (f: string[]) => (Number(f[11]) + Number(f[12])) / 100; // clock ticks (USER_HZ = 100)
  return { main: secs(fields(`/proc/${pid}/task/${pid}/stat`)), all: secs(fields(`/proc/${pid}/stat`)) };
}
const cpu0 = serviceCpu(service.pid);
const ownCpu0 = process.cpuUsage();
const latencies: number[] = [];
/** The latencies of the first `warmup` batches, not counted in `latencies`. */
const warmLatencies: number[] = [];
/** Each request's phases (ms): the client's own, and the service's `Server-Timing` (docs/integrations.md). */
const phaseLog: { latency: number; phases: Map<string, number> }[] = [];
/** Each request's interval on the wall clock (its scheduled moment → its answer parsed), for --trace. */
const spans: RequestSpan[] = [];
const PHASES = [
  'late', // the batch's scheduled moment → sent (all clients busy with earlier batches)
  'inbound', // sent → the service's handler started (the request's bytes, the service's event loop)
  'body',
  'parse',
  'wait',
  'calibrate',
  'encode',
  'write',
  'sync',
  'order',
  'resume',
  'json',
  'outbound', // the handler done → the client has the answer parsed
];
// the clients send through node:http, one kept-alive socket each (default), or with --client fetch through fetch
// (undici), which costs this process about twice the CPU per request (26–31 against 16 µs a session, measured
// in the same minutes): the benchmark shares the service's two cores, as a trainer on another machine does not
const httpClient = !(args.includes('--client') && args[args.indexOf('--client') + 1] === 'fetch');
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(`${service.url}/v1/runs/bench/sessions`);
async function post(body: string): Promise<{ status: number; body: string; serverTiming: string }> {
  if (!httpClient) {
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return {
      status: res.status,
      body: await res.text(),
      serverTiming: res.headers.get('server-timing') ?? '',
    };
  }
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            serverTiming: String(res.headers['server-timing'] ?? ''),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
let next = 0;
let stored = 0;
let events = 0;
// C clients each keep one batch in flight; batch i names the last session of batch i − 1 as `after`, so the
// service calibrates them in session order whatever order they arrive in, and writes those that queue together
const started = performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length) return;
      let t0 = performance.now();
      if (rate > 0) {
        // open loop: this batch's moment; a client still busy with an earlier one is late, and that counts
        t0 = started + (i * batch * 1000) / rate;
        const wait = t0 - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const sent = performance.now();
      const res = await post(bodies[i]!);
      const answer = JSON.parse(res.body) as {
        stored: number;
        sessions: { events: unknown[] }[];
        message?: string;
      };
      if (res.status !== 200) throw new Error(`batch ${i}: HTTP ${res.status}: ${answer.message}`);
      const done = performance.now();
      stored += answer.stored;
      for (const s of answer.sessions) events += s.events.length;
      if (i < warmup) {
        warmLatencies.push(done - t0);
        continue;
      }
      latencies.push(done - t0);
      const phases = new Map<string, number>([['late', sent - t0]]);
      for (const m of res.serverTiming.split(',')) {
        const name = m.split(';')[0]!.trim();
        const dur = /dur=([\d.]+)/.exec(m)?.[1];
        const desc = /desc="([\d.]+)"/.exec(m)?.[1];
        if (dur !== undefined) phases.set(name, Number(dur));
        if (name === 'start' && desc !== undefined) {
          const start = Number(desc) - performance.timeOrigin; // the handler's start on this process's clock
          phases.set('inbound', start - sent);
          phases.set('outbound', done - start - (phases.get('total') ?? 0));
        }
      }
      phaseLog.push({ latency: done - t0, phases });
      spans.push({
        start: performance.timeOrigin + t0,
        end: performance.timeOrigin + done,
        latency: done - t0,
      });
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
// where a request's time went: the median of each phase over every request, and its mean over the slowest 1%
// (the requests at or above the p99, which the target is about)
phaseLog.sort((a, b) => a.latency - b.latency);
const slowest = phaseLog.slice(Math.floor(0.99 * phaseLog.length));
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const phaseTable = PHASES.map((name) => {
  const all = phaseLog.map((r) => r.phases.get(name) ?? 0).sort((a, b) => a - b);
  return {
    name,
    median: median(all),
    p99: all[Math.min(all.length - 1, Math.floor(0.99 * all.length))] ?? 0,
    max: all.at(-1) ?? 0,
    slowest: mean(slowest.map((r) => r.phases.get(name) ?? 0)),
  };
});
// the journal's fdatasync as the service saw it, in these same minutes: the disk's share of the latency
const sync = phaseTable.find((p) => p.name === 'sync')!;
const cpu1 = serviceCpu(service.pid);
const ownCpu = process.cpuUsage(ownCpu0);
const rss = service.peakRssMiB();
const stop0 = performance.now();
await service.stop();
const stopSeconds = (performance.now() - stop0) / 1000;
agent.destroy();
if (sampler !== null) await stopSampler(sampler);
ownLoop?.stop();
// a restart resumes the calibrator by replaying the stored run: its time, from the service's own banner
// (--no-restart: not measured, for A/B runs of the latency alone)
const t0 = performance.now();
const restarted = args.includes('--no-restart') ? null : await startService(storeAt, 'bench', serviceFlags);
const startSeconds = (performance.now() - t0) / 1000;
await restarted?.stop();
const resumed = /resumed in ([\d.]+) s/.exec(restarted?.banner ?? '')?.[1] ?? 'n/a';
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
console.log(
  `reward service: ${stored} sessions in ${bodies.length} batches of ${batch}, ${concurrency} concurrent clients` +
    `${rate > 0 ? `, open loop at ${rate} sessions/s` : ''}, ${events} events`,
);
console.log(
  `  ${seconds.toFixed(2)} s, ${Math.round(stored / seconds)} sessions/s (target ≥ 10,000); latency p50 ${q(0.5).toFixed(1)} ms, ` +
    `p99 ${q(0.99).toFixed(1)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms (target p99 < 50 ms); ` +
    `peak RSS ${rss === null ? 'n/a' : rss.toFixed(0)} MiB (target < 1024)`,
);
if (warmup > 0) {
  warmLatencies.sort((a, b) => a - b);
  console.log(
    `  warm-up, not counted above: the first ${warmLatencies.length} batches (${warmLatencies.length * batch} sessions), ` +
      `latency p50 ${(warmLatencies[Math.floor(warmLatencies.length / 2)] ?? 0).toFixed(1)} ms, max ${(warmLatencies.at(-1) ?? 0).toFixed(1)} ms`,
  );
}
// CPU per session does not depend on the machine's load as latency does: the figure to compare builds by
const mainUs = ((cpu1.main - cpu0.main) * 1e6) / stored;
const allUs = ((cpu1.all - cpu0.all) * 1e6) / stored;
console.log(
  `  service CPU per session: ${mainUs.toFixed(0)} µs on its main thread (the event loop), ${allUs.toFixed(0)} µs in all its threads; ` +
    `this benchmark's own (its ${httpClient ? 'node:http' : 'fetch'} clients): ${((ownCpu.user + ownCpu.system) / stored).toFixed(0)} µs`,
);
console.log(
  `  where the time went, ms (median of all requests / mean of the slowest 1%, ${slowest.length} requests at ≥ p99): ` +
    phaseTable.map((p) => `${p.name} ${p.median.toFixed(1)}/${p.slowest.toFixed(1)}`).join(', '),
);
console.log(
  `  the journal's fdatasync (sync) over all requests: p50 ${sync.median.toFixed(1)}, p99 ${sync.p99.toFixed(1)}, ` +
    `max ${sync.max.toFixed(1)} ms`,
);
console.log(
  `  stop (the journal's rest moved into the store, the load finished): ${stopSeconds.toFixed(2)} s`,
);
console.log(
  `  restart over the ${stored} stored sessions: resumed (replay checked) in ${resumed} s; listening after ${startSeconds.toFixed(1)} s`,
);
console.log(
  JSON.stringify({
    resumeSeconds: Number(resumed),
    stopSeconds,
    sessions: stored,
    seconds,
    sessionsPerSecond: stored / seconds,
    p50: q(0.5),
    p99: q(0.99),
    max: latencies[latencies.length - 1],
    warmupBatches: warmLatencies.length,
    warmupMax: warmLatencies.at(-1) ?? null,
    phases: Object.fromEntries(
      phaseTable.map((p) => [p.name, { median: p.median, p99: p.p99, max: p.max, slowest: p.slowest }]),
    ),
    peakRssMiB: rss,
    mainThreadCpuUsPerSession: mainUs,
    allThreadsCpuUsPerSession: allUs,
    benchCpuUsPerSession: (ownCpu.user + ownCpu.system) / stored,
  }),
);
if (ownLoop !== null) {
  reportTrace(spans, traceFiles.service, traceFiles.sampler, ownLoop.stalls, service.pid);
}
if (stored !== total) throw new Error(`stored ${stored} of ${total} sessions`);
