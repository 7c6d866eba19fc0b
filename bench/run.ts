// npm run bench -- [ingest|simulate|audit|startup|coverage|live|serve|clickhouse-reads|clickhouse-scans|clickhouse-serve|clickhouse] [--sessions N] [--runs N] [--baseline DIR] [--seeds N] [--repeat R]
// Benchmarks, not timed tests: they print figures to record in docs/benchmarks.md with the machine and command.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchClickHouseAtScale } from './clickhouse.ts';
import { benchClickHouseReads } from './clickhouse-reads.ts';
import { benchClickHouseScans } from './clickhouse-scans.ts';
import { benchClickHouseServe } from './clickhouse-serve.ts';
import { writeSyntheticSessions } from './gen-sessions.ts';
import { benchServe } from './serve.ts';
import { benchStartup } from './startup.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const which = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const sessions = Number(option('--sessions') ?? 1_000_000);
/** startup: runs of each command, and another checkout whose bin to time beside this one (e.g. before a change). */
const runs = Number(option('--runs') ?? 10);
const baseline = option('--baseline');
const outDir = fileURLToPath(new URL('./out/', import.meta.url));
mkdirSync(outDir, { recursive: true });

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
console.log(`machine: ${machine}`);

function child(script: string, ...rest: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...rest],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (r.status !== 0) throw new Error(`${script} failed with ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    rows: number;
    seconds: number;
    maxRssMiB: number;
  };
}

async function benchIngest(): Promise<void> {
  const file = join(outDir, `sessions-${sessions}.jsonl`);
  if (!existsSync(file)) {
    console.log(`generating ${sessions} sessions → ${file}`);
    await writeSyntheticSessions(file, sessions);
  }
  const mb = statSync(file).size / 1e6;
  const dbFloor = join(outDir, 'floor.duckdb');
  const dbOurs = join(outDir, 'ingest.duckdb');
  for (const f of [dbFloor, dbOurs]) {
    rmSync(f, { force: true });
    rmSync(`${f}.wal`, { force: true });
  }
  // --repeat R: the floor and rlaudit run in turn R times (pairs in the same minutes: the floor itself varies by
  // half between runs), each pair's ratio printed, then the median ratio; the figures below are the last pair's
  const repeat = Number(option('--repeat') ?? 1);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error(`--repeat must be a positive integer, got ${repeat}`);
  const fresh = () => {
    for (const f of [dbFloor, dbOurs]) {
      rmSync(f, { force: true });
      rmSync(`${f}.wal`, { force: true });
    }
  };
  const ratios: number[] = [];
  let floor = child('./ingest-child.ts', 'floor', file, dbFloor);
  let ours = child('./ingest-child.ts', 'rlaudit', file, dbOurs);
  for (let r = 1; r <= repeat; r++) {
    if (r > 1) {
      fresh();
      floor = child('./ingest-child.ts', 'floor', file, dbFloor);
      ours = child('./ingest-child.ts', 'rlaudit', file, dbOurs);
    }
    const ratio = ours.rows / ours.seconds / (floor.rows / floor.seconds);
    ratios.push(ratio);
    if (repeat > 1)
      console.log(
        `  pair ${r}/${repeat}: floor ${floor.seconds.toFixed(2)} s, rlaudit ${ours.seconds.toFixed(2)} s, ratio ${ratio.toFixed(2)}, rlaudit's peak RSS ${ours.maxRssMiB.toFixed(0)} MiB`,
      );
  }
  if (repeat > 1) {
    const sorted = [...ratios].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    console.log(
      `  median ratio rlaudit/floor over ${repeat} pairs: ${median.toFixed(2)} (lowest ${sorted[0]!.toFixed(2)}, highest ${sorted[sorted.length - 1]!.toFixed(2)}; target ≥ 0.70 in every pair)`,
    );
  }
  // the TypeScript reader (`reader: 'typescript'`) for comparison, with --typescript
  let ts: ReturnType<typeof child> | null = null;
  if (args.includes('--typescript')) {
    rmSync(dbOurs, { force: true });
    rmSync(`${dbOurs}.wal`, { force: true });
    ts = child('./ingest-child.ts', 'typescript', file, dbOurs);
  }
  const rate = (r: { rows: number; seconds: number }) => r.rows / r.seconds;
  console.log(`ingest benchmark: ${sessions} sessions, ${mb.toFixed(0)} MB JSONL`);
  const line = (name: string, r: { rows: number; seconds: number; maxRssMiB: number }) =>
    console.log(
      `  ${name}: ${r.seconds.toFixed(2)} s, ${Math.round(rate(r))} rows/s, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`,
    );
  line('DuckDB read_json floor', floor);
  line('rlaudit ingest (engine path, the default)', ours);
  if (ts) line("rlaudit ingest, reader: 'typescript'", ts);
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  for (const [name, r] of [['rlaudit', ours], ...(ts ? [['typescript reader', ts] as const] : [])] as const) {
    const ratio = rate(r) / rate(floor);
    console.log(
      `  ratio ${name}/floor (rows/s): ${ratio.toFixed(2)} (target ≥ 0.70 ${mark(ratio >= 0.7)}); peak RSS ${r.maxRssMiB.toFixed(0)} MiB (target ≤ 1024 MiB ${mark(r.maxRssMiB <= 1024)})`,
    );
  }

  // A 266 MB rollout file: the size of the Inspect log that takes 40 s in Inspect's own reader (inspect_ai#4931)
  const target = 266e6;
  const big = join(outDir, 'rollout-266mb.jsonl');
  if (!existsSync(big)) {
    const per = statSync(file).size / sessions;
    await writeSyntheticSessions(big, Math.round(target / per), 2);
  }
  const dbBig = join(outDir, 'ingest-266mb.duckdb');
  for (const mode of ['rlaudit', ...(args.includes('--typescript') ? ['typescript'] : [])]) {
    rmSync(dbBig, { force: true });
    rmSync(`${dbBig}.wal`, { force: true });
    const one = child('./ingest-child.ts', mode, big, dbBig);
    console.log(
      `  266 MB file, ${mode} (${(statSync(big).size / 1e6).toFixed(0)} MB, ${one.rows} sessions): ${one.seconds.toFixed(2)} s, peak RSS ${one.maxRssMiB.toFixed(0)} MiB (target < 5 s ${mark(one.seconds < 5)})`,
    );
  }
}

async function benchSimulateInChild(): Promise<void> {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./simulate-child.ts', import.meta.url)), String(sessions)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`simulate benchmark failed with ${r.status}`);
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    sessions: number;
    bytes: number;
    seconds: number;
    sessionsPerSecond: number;
    peakRssMiB: number;
  };
  console.log(
    `simulate benchmark: ${m.sessions} sessions of WILD-7 streamed to JSONL (${(m.bytes / 1e6).toFixed(0)} MB)`,
  );
  console.log(
    `  ${m.seconds.toFixed(1)} s, ${m.sessionsPerSecond} sessions/s, peak RSS ${m.peakRssMiB} MiB (targets: < 60 s, < 1024 MiB)`,
  );
  rmSync(join(outDir, `simulate-${m.sessions}.jsonl`), { force: true });
}

async function benchAudit(): Promise<void> {
  const db = join(outDir, `audit-${sessions}.duckdb`);
  if (!existsSync(db)) {
    console.log(`setting up: simulating ${sessions} sessions of WILD-7 into ${db} (not timed)`);
    child('./audit-child.ts', 'setup', db, String(sessions));
  }
  const floor = child('./audit-child.ts', 'floor', db, String(sessions));
  type AuditRun = { seconds: number; maxRssMiB: number; sections: string };
  const first = child('./audit-child.ts', 'audit', db, String(sessions)) as unknown as AuditRun;
  const again = child('./audit-child.ts', 'audit-again', db, String(sessions)) as unknown as AuditRun;
  console.log(
    `audit benchmark: all analyses of the quantitative-review template over ${sessions} simulated sessions`,
  );
  console.log(
    `  floor (one DuckDB pass tokenizing every output, distinct tokens per 500-session window): ${floor.seconds.toFixed(2)} s`,
  );
  console.log(
    `  rlaudit audit (first, cache cleared): ${first.seconds.toFixed(2)} s, peak RSS ${first.maxRssMiB.toFixed(0)} MiB (${first.sections})`,
  );
  console.log(
    `  rlaudit audit (again, results cached): ${again.seconds.toFixed(2)} s, peak RSS ${again.maxRssMiB.toFixed(0)} MiB`,
  );
  console.log(
    `  ratios to the floor: first ${(first.seconds / floor.seconds).toFixed(2)} (target ≤ 5), again ${(again.seconds / floor.seconds).toFixed(2)} (target ≤ 1.5); RSS target ≤ 1024 MiB`,
  );
}

/** The interventions coverage study (bench/coverage.ts) over `--seeds` seeds of WILD-7 (default 20). */
async function benchCoverage(): Promise<void> {
  const seeds = option('--seeds') ?? '20';
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./coverage.ts', import.meta.url)),
      '--seeds',
      seeds,
      '--json',
      join(outDir, 'coverage.json'),
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error(`coverage benchmark failed with ${r.status}`);
}

/**
 * The live benchmarks: the reward service (bench/live-service.ts) and, when it exists, the watch
 * (bench/live-watch.ts), each in its own process with the options given after `live`.
 */
async function benchLive(): Promise<void> {
  const passed = args.filter((a) => a !== 'live');
  for (const script of ['./live-service.ts', './live-watch.ts']) {
    const path = fileURLToPath(new URL(script, import.meta.url));
    if (!existsSync(path)) continue;
    const r = spawnSync(process.execPath, ['--import', 'tsx', path, ...passed], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${script} failed with ${r.status}`);
  }
}

const all: Record<string, () => Promise<void>> = {
  ingest: benchIngest,
  simulate: benchSimulateInChild,
  audit: benchAudit,
  startup: async () => benchStartup(outDir, runs, baseline),
  coverage: benchCoverage,
  live: benchLive,
  serve: async () => benchServe(outDir, sessions, Number(option('--runs') ?? 5)),
  'clickhouse-reads': async () => benchClickHouseReads(sessions),
  'clickhouse-scans': async () => benchClickHouseScans(sessions),
  'clickhouse-serve': async () => benchClickHouseServe(sessions),
  clickhouse: async () =>
    benchClickHouseAtScale(outDir, sessions, {
      reuse: args.includes('--reuse'),
      ingestOnly: args.includes('--ingest-only'),
      only: option('--only'),
      ...(option('--window') ? { window: option('--window') } : {}),
      machine,
    }),
};
for (const name of which.length > 0 ? which : Object.keys(all)) {
  const fn = all[name];
  if (!fn) throw new Error(`unknown benchmark '${name}' (known: ${Object.keys(all).join(', ')})`);
  await fn();
}
