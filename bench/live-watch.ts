// The watch's live benchmarks (issue 15, "Must show"), run by `npm run bench -- live` (bench/run.ts) or alone:
//   node --import tsx bench/live-watch.ts [throughput] [latency] [takeover] [--rate N] [--seconds S]
// (`--inline-monitors`: the live monitors on the watch's thread instead of their own.)
// 1. throughput: a writer appends synthetic sessions (bench/gen-sessions.ts, ~600 bytes of output) at 20,000
//    sessions/s; does `watch` keep up (lag at the writer's end, time to catch up, rows/s, peak RSS)?
// 2. latency: WILD-7 (seed 7) written at 5,000 sessions/s; the recurrence alert's session against the
//    session the calibrator fired its recurrence event at, and the time from that line's write to the alert.
// 3. takeover: the GRPO demo's baseline run written step by step; the step of the "absolutely" takeover
//    alert against the step from which the offline recurrence analysis says it took over.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANALYSES } from '../src/analyses/registry.ts';
import type { WatchHealth } from '../src/audit/watch/health.ts';
import { watchRun } from '../src/audit/watch/watch-run.ts';
import { wild7Protocol } from '../src/calibration/wild-7.ts';
import type { Alert } from '../src/model/alerts.ts';
import { simulate } from '../src/simulate/index.ts';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { writeSyntheticSessions } from './gen-sessions.ts';

const GRPO = '/work/shared/corpora/grpo-reward-hacking-demo/results/baseline/samples.jsonl';

interface Writer {
  readonly done: Promise<{ lines: number; seconds: number; times: number[] }>;
  readonly startedAt: number;
}

function startWriter(input: string, output: string, rate: number, ...flags: string[]): Writer {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./live-writer.ts', import.meta.url)),
      input,
      output,
      String(rate),
      ...flags,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  const done = new Promise<{ lines: number; seconds: number; times: number[] }>((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!))
        : reject(new Error(`writer exited ${code}`)),
    ),
  );
  return { done, startedAt: Date.now() };
}

function fresh(dir: string, name: string): string {
  const db = join(dir, `${name}.duckdb`);
  for (const f of [db, `${db}.wal`, `${db}.alerts.jsonl`, `${db}.watch-health.jsonl`])
    rmSync(f, { force: true });
  return db;
}

const mib = () => process.resourceUsage().maxRSS / 1024;

/** `--inline-monitors`: the live monitors on the watch's own thread (WatchOptions.monitorThread false). */
const monitorThread = !process.argv.includes('--inline-monitors');

export async function benchWatchThroughput(dir: string, rate = 20_000, seconds = 15): Promise<void> {
  const n = rate * seconds;
  const input = join(dir, `watch-sessions-${n}.jsonl`);
  if (!existsSync(input)) await writeSyntheticSessions(input, n);
  const file = join(dir, 'watch-throughput.jsonl');
  writeFileSync(file, '');
  const db = fresh(dir, 'watch-throughput');
  const health: WatchHealth[] = [];
  const writer = startWriter(input, file, rate);
  let writerEnd = 0;
  let caughtUpAt = 0;
  let read = 0;
  const cycles: number[] = [];
  const controller = new AbortController();
  void writer.done.then(() => {
    writerEnd = Date.now();
  });
  const t0 = Date.now();
  const summary = await watchRun({
    path: file,
    run: 'bench',
    storePath: db,
    openStore: () => DuckDbStore.open(db, { checkpointBeforeClose: true }),
    targets: [{ phrase: 'why changed', last: 20, threshold: 7, source: 'bench' }],
    window: { by: 'session', size: 500 },
    monitorThread,
    healthIntervalMs: 1000,
    onHealth: (h) => health.push(h),
    signal: controller.signal,
    onCycle: (c) => {
      read += c.read;
      cycles.push(c.ms);
      if (read >= n && caughtUpAt === 0) {
        caughtUpAt = Date.now();
        controller.abort();
      }
    },
  });
  const w = await writer.done;
  const lagAtWriterEnd = health.filter((h) => Date.parse(h.t) <= writerEnd).at(-1);
  const sorted = [...cycles].sort((a, b) => a - b);
  console.log(
    `watch throughput: writer ${rate} sessions/s for ${seconds} s (${n} synthetic sessions, ~600 B output each), ` +
      `monitors on ${monitorThread ? 'their own thread' : "the watch's thread"}`,
  );
  console.log(
    `  writer: ${w.lines} lines in ${w.seconds.toFixed(2)} s = ${Math.round(w.lines / w.seconds)} lines/s`,
  );
  console.log(
    `  watch: read ${summary.read} = accepted ${summary.accepted} + rejected ${summary.rejected} + duplicates ${summary.duplicates}; ` +
      `all read ${((caughtUpAt - writerEnd) / 1000).toFixed(2)} s after the writer's last line; ` +
      `${Math.round(summary.read / ((caughtUpAt - t0) / 1000))} rows/s overall`,
  );
  console.log(
    `  lag at the writer's end: ${lagAtWriterEnd ? `${(lagAtWriterEnd.lagBytes / 1e6).toFixed(1)} MB, ${lagAtWriterEnd.lagSeconds} s` : 'n/a'}; ` +
      `max lag ${Math.max(...health.map((h) => h.lagSeconds))} s; cycles ${cycles.length}, p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms; ` +
      `max event-loop delay ${Math.max(...health.map((h) => h.eventLoopDelayMs))} ms; peak RSS ${mib().toFixed(0)} MiB; alerts ${summary.alerts}`,
  );
  console.log(`  health samples (rows/s): ${health.map((h) => h.rowsPerSecond).join(' ')}`);
}

export async function benchWatchLatency(dir: string, rate = 5_000): Promise<void> {
  const records = [...simulate({ scenario: 'wild-7', seed: 7 })];
  const event = records.find(
    (r) => (r as { trigger?: { rule?: string } }).trigger?.rule === 'recurrence',
  ) as {
    session: number;
  };
  const sessionsOnly = records.filter((r) => (r as { type?: string }).type !== 'event');
  const input = join(dir, 'wild-7-seed-7.sessions.jsonl');
  writeFileSync(input, `${sessionsOnly.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const lineOf = new Map<number, number>();
  sessionsOnly.forEach((r, i) => {
    const s = (r as { session?: number; type?: string }).session;
    if ((r as { type?: string }).type !== 'annotation' && typeof s === 'number' && !lineOf.has(s))
      lineOf.set(s, i);
  });
  const file = join(dir, 'watch-wild-7.jsonl');
  writeFileSync(file, '');
  const db = fresh(dir, 'watch-latency');
  const rule = wild7Protocol().recurrence_rules[0]!;
  const alerts: { alert: Alert; at: number }[] = [];
  const writer = startWriter(input, file, rate, '--times');
  const summary = await watchRun({
    path: file,
    run: 'wild-7',
    storePath: db,
    openStore: () => DuckDbStore.open(db, { checkpointBeforeClose: true }),
    targets: [
      { phrase: rule.phrase!, last: rule.window, threshold: rule.threshold, source: 'protocol wild-7' },
    ],
    idleExitMs: 10_000,
    onAlert: (alert) => alerts.push({ alert, at: Date.now() }),
  });
  const w = await writer.done;
  const rec = alerts.find((a) => a.alert.rule === 'recurrence');
  console.log(
    `alert latency: WILD-7 seed 7 (${sessionsOnly.length} lines, events left out) written at ${rate} sessions/s`,
  );
  console.log(
    `  writer: ${w.lines} lines in ${w.seconds.toFixed(2)} s; watch read ${summary.read}, accepted ${summary.accepted}`,
  );
  if (rec === undefined) {
    console.log('  no recurrence alert ✗');
    return;
  }
  const written = w.times[lineOf.get(rec.alert.session)!]!;
  console.log(
    `  calibrator's recurrence event at session ${event.session}; the watch's recurrence alert at session ${rec.alert.session} ` +
      `${rec.alert.session === event.session ? '✓' : '✗'}; ${rec.at - written} ms after that line was written (target < 1000 ms)`,
  );
  console.log(
    `  other alerts: ${
      alerts
        .filter((a) => a !== rec)
        .map((a) => `${a.alert.rule}@${a.alert.session}`)
        .join(', ') || 'none'
    }`,
  );
}

export async function benchWatchTakeover(dir: string): Promise<void> {
  if (!existsSync(GRPO)) {
    console.log(`takeover: ${GRPO} not here; skipped`);
    return;
  }
  const file = join(dir, 'watch-grpo.jsonl');
  writeFileSync(file, '');
  const db = fresh(dir, 'watch-grpo');
  const alerts: { alert: Alert; at: number }[] = [];
  const writer = startWriter(GRPO, file, 100_000, '--step-pause', '1500', '--times');
  const summary = await watchRun({
    path: file,
    run: 'baseline',
    storePath: db,
    openStore: () => DuckDbStore.open(db, { checkpointBeforeClose: true }),
    map: 'prompt=opening',
    settleMs: 500,
    idleExitMs: 10_000,
    onAlert: (alert) => alerts.push({ alert, at: Date.now() }),
  });
  const w = await writer.done;
  const store = await DuckDbStore.open(db);
  let heldFrom: number | null = null;
  let firstMajority: number | null = null;
  try {
    const r = await ANALYSES.recurrence.run(
      { store, run: 'baseline', window: { by: 'step' }, deps: {} },
      ANALYSES.recurrence.params.parse({}),
    );
    const t = r.discovery?.takeovers.find((x) => x.ngram === 'absolutely');
    heldFrom = t?.heldFrom ?? null;
    firstMajority = t?.firstMajority ?? null;
  } finally {
    await store.close();
  }
  const live = alerts.find((a) => a.alert.rule === 'phrase-takeover' && /"absolutely"/.test(a.alert.message));
  console.log(
    `takeover: GRPO demo baseline (${w.lines} lines, 11 steps of 64) written step by step, 1.5 s between steps`,
  );
  console.log(
    `  watch read ${summary.read}, accepted ${summary.accepted}; offline recurrence analysis: "absolutely" held from step ${heldFrom} (first majority step ${firstMajority})`,
  );
  if (live === undefined) {
    console.log('  no live "absolutely" takeover alert ✗');
    return;
  }
  const steps = readFileSync(GRPO, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { step: number }).step);
  const stepWritten = Math.max(...w.times.filter((_, i) => steps[i] === live.alert.step));
  console.log(
    `  live alert: step ${live.alert.step} ${live.alert.step === heldFrom ? '✓' : '✗'}, ${live.at - stepWritten} ms after the step's lines were written ` +
      `(the step window closes after --settle 500 ms of quiet) — ${live.alert.message.slice(0, 120)}…`,
  );
  console.log(`  all live alerts: ${alerts.map((a) => `${a.alert.rule}@step ${a.alert.step}`).join(', ')}`);
}

/** `npm run bench -- live` runs these after the reward service's benchmark (bench/run.ts). */
export async function benchLiveWatch(dir: string, which: readonly string[] = []): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const all = which.length === 0;
  if (all || which.includes('throughput')) await benchWatchThroughput(dir);
  if (all || which.includes('latency')) await benchWatchLatency(dir);
  if (all || which.includes('takeover')) await benchWatchTakeover(dir);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
  const names = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const dir = fileURLToPath(new URL('./out/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  if (names.includes('throughput') && (opt('--rate') || opt('--seconds'))) {
    await benchWatchThroughput(dir, opt('--rate'), opt('--seconds'));
  } else if (names.includes('latency') && opt('--rate')) {
    await benchWatchLatency(dir, opt('--rate'));
  } else await benchLiveWatch(dir, names);
}
