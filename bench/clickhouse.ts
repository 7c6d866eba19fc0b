// npm run bench -- clickhouse [--sessions N] [--only clickhouse|duckdb] [--ingest-only | --reuse] [--window W]
// N generated sessions (bench/gen-sessions.ts: run 'bench', 64 sessions per step) ingested BY THE CLI
// (`rlaudit ingest FILE --store clickhouse://…?cluster=rlaudit_2shards`, a separate process) into the project's
// two-shard cluster (scripts/clickhouse-cluster.sh; $RLAUDIT_CLICKHOUSE_PORT_BASE, $RLAUDIT_CLICKHOUSE_DIR), then
// audited by the CLI (`rlaudit audit --run bench --fresh --no-pdf`: the default template and the windowing rule's
// windows — 500 sessions up to 1M sessions, grown beyond to at most 2,000 windows; `--window W` passes W on —
// quantitative-review — the wild-7 template names WILD-7's phrases and interventions, which a generated run has
// not), and the single-scan floor on the cluster (one pass tokenizing every output:
// `SELECT sum(length(tokens(output))) FROM sessions FINAL WHERE run = 'bench'`); then the same N on DuckDB (CLI
// ingest into a file, CLI audit, and its floor `SELECT sum(len(tokens(output))) FROM sessions WHERE run='bench'`).
//
// For each step: wall time, peak RSS of the Node process (/usr/bin/time %M), peak RSS of each clickhouse-server
// (VmRSS sampled every 250 ms from /proc during the step; VmHWM, the server's lifetime peak, at the end), and
// disk (system.parts bytes per shard, `du` of each shard's database directory, the DuckDB file). The figures of
// each N go to bench/out/clickhouse-N.json; with those of two sizes present, a projection to 100M and 1B
// sessions on k shards is printed (model and assumptions in docs/benchmarks.md, "ClickHouse at 1M and 10M").
//
// For 1M and 10M the shared generated files of the main checkout are linked into bench/out (never rewritten);
// other N are generated. --reuse keeps an already ingested store of the same N (ingest figures are then read
// from the earlier JSON) and only re-runs the audits and floors; --ingest-only stops after the ingests (for a
// long ingest started early, audited later with --reuse).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
import { ClickHouseClient } from '../src/store/clickhouse/clickhouse-client.ts';
import { createClusterSchema } from '../src/store/clickhouse/clickhouse-schema.ts';
import { parseClickHouseUrl } from '../src/store/clickhouse/store-url.ts';
import { clickHouseTokens } from '../src/store/clickhouse/text-sql.ts';
import { duckdbTokensSql } from '../src/store/duckdb/tokens-sql.ts';
import { rowDecoder } from '../src/store/sql/row-decoder.ts';
import { ident, sql } from '../src/store/sql/sql.ts';
import { writeSyntheticSessions } from './gen-sessions.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const script = join(repo, 'scripts/clickhouse-cluster.sh');
const bin = join(repo, 'bin/rlaudit.js');
const BASE = Number(process.env.RLAUDIT_CLICKHOUSE_PORT_BASE ?? 28120);
const PORTS = [BASE, BASE + 1];
const CLUSTER_DIR = process.env.RLAUDIT_CLICKHOUSE_DIR ?? join(repo, '.rlaudit/clickhouse-cluster');
const SHARED = '/work/main/bench/out';
const RUN = 'bench';

const Count = rowDecoder('count', z.object({ n: z.coerce.number() }));
const PartBytes = rowDecoder('parts', z.object({ bytes: z.coerce.number(), rows: z.coerce.number() }));

export interface Step {
  seconds: number;
  /** peak RSS of the Node process, MiB (0 when the step ran inside the bench process) */
  nodeRssMiB: number;
  /** per shard: the highest VmRSS sampled during the step, MiB */
  serverRssMiB: number[];
}

/** When, on which commit and at which load one engine's steps were measured. */
export interface Provenance {
  date: string;
  /** `git rev-parse --short HEAD` of the checkout that ran (with "+changes" when its tree was dirty) */
  commit: string;
  loadAverage: { before: number[]; after: number[] };
}

export interface Figures {
  sessions: number;
  jsonlMB: number;
  clickhouse?: {
    measured?: Provenance;
    /** the ingest's own provenance: an earlier run's when this one reused its store (`--reuse`) */
    ingestMeasured?: Provenance;
    ingest: Step;
    audit?: Step;
    floor?: Step;
    auditOverFloor?: number;
    /** the audit's windows and why, as its report says (`parameters.windowRule`) */
    windows?: string;
    /** per shard: lifetime peak VmHWM of the server at the end, MiB */
    serverHwmMiB: number[];
    /** per shard: system.parts bytes_on_disk of the bench database (active parts) */
    partsBytes: number[];
    partsRows: number[];
    /** per shard: `du -sb` of the database's data directory */
    duBytes: number[];
  };
  duckdb?: {
    measured?: Provenance;
    /** the ingest's own provenance: an earlier run's when this one reused its file (`--reuse`) */
    ingestMeasured?: Provenance;
    ingest: Step;
    audit?: Step;
    floor?: Step;
    auditOverFloor?: number;
    /** the audit's windows and why, as its report says (`parameters.windowRule`) */
    windows?: string;
    fileBytes: number;
  };
  machine: string;
}

const load = () => loadavg().map((x) => Number(x.toFixed(2)));

function commitOf(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: repo,
    encoding: 'utf8',
  });
  return `${head.stdout.trim() || 'unknown'}${dirty.stdout.trim() ? '+changes' : ''}`;
}

/**
 * One engine's steps with this run's provenance; a reused store's ingest keeps its own (absent for a file
 * written before provenance was kept).
 */
async function withProvenance<T extends object>(
  reused: { ingestMeasured?: Provenance } | null,
  steps: () => Promise<T>,
): Promise<T & { measured: Provenance; ingestMeasured?: Provenance }> {
  const measured: Provenance = {
    date: new Date().toISOString(),
    commit: commitOf(),
    loadAverage: { before: load(), after: [] },
  };
  const part = await steps();
  measured.loadAverage.after = load();
  return { ...part, measured, ingestMeasured: reused ? reused.ingestMeasured : measured };
}

/**
 * Writes this invocation's figures, keeping the other engine's part as the file holds it *now*: two `--only`
 * runs of the same N may run side by side (the DuckDB half of a 10M run took an hour on a shared machine), and
 * each must not overwrite the part the other wrote since it started.
 */
function writeFigures(json: string, figures: Figures, only: string | undefined): void {
  const onDisk: Figures | null = existsSync(json)
    ? (JSON.parse(readFileSync(json, 'utf8')) as Figures)
    : null;
  const merged: Figures = { ...figures };
  if (only === 'duckdb' && onDisk?.clickhouse) merged.clickhouse = onDisk.clickhouse;
  if (only === 'clickhouse' && onDisk?.duckdb) merged.duckdb = onDisk.duckdb;
  writeFileSync(json, JSON.stringify(merged, null, 1));
}

const serverPids = (): number[] =>
  [0, 1].map((i) => {
    const f = join(CLUSTER_DIR, `shard${i}`, 'server.pid');
    return existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) : 0;
  });

const procKiB = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

/** Runs f while sampling both servers' VmRSS every 250 ms. */
async function measured(f: () => Promise<number>): Promise<Step> {
  const pids = serverPids();
  const peak = pids.map(() => 0);
  const sample = () =>
    pids.forEach((p, i) => {
      peak[i] = Math.max(peak[i]!, procKiB(p, 'VmRSS'));
    });
  sample();
  const timer = setInterval(sample, 250);
  const t0 = performance.now();
  try {
    const nodeKiB = await f();
    const seconds = (performance.now() - t0) / 1000;
    sample();
    return { seconds, nodeRssMiB: nodeKiB / 1024, serverRssMiB: peak.map((k) => k / 1024) };
  } finally {
    clearInterval(timer);
  }
}

/** The windows an audit used and why: its report's `parameters.windowRule`. */
function windowRule(reportDir: string): string {
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as {
    parameters: { windowRule: string };
  };
  return report.parameters.windowRule;
}

/**
 * The sections of an audit's `--json` summary that did not complete: an audit that failed a section skipped
 * its work (the 1M ClickHouse audit once failed two sections on an overlong statement and looked faster).
 */
function incompleteSections(stdout: string): string[] {
  const summary = JSON.parse(stdout) as { sections: { id: string; status: string }[] };
  return summary.sections.filter((s) => s.status !== 'complete').map((s) => `${s.id} (${s.status})`);
}

/**
 * The CLI as a separate process under /usr/bin/time; resolves to its peak RSS in KiB. The result cache is off
 * (RLAUDIT_NO_CACHE=1): with --reuse, the audit of an unchanged run would otherwise read the earlier audit's
 * results back (seconds) instead of computing them. An audit whose summary shows a section not complete is a
 * failed step.
 */
function cli(args: readonly string[], log: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/time', ['-f', 'maxrss-kib=%M', process.execPath, bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RLAUDIT_NO_CACHE: '1' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('close', (code) => {
      writeFileSync(log, `$ rlaudit ${args.join(' ')}\n${out}\n--- stderr\n${err}`);
      const m = err.match(/maxrss-kib=(\d+)/);
      if (code !== 0 || !m) {
        reject(new Error(`rlaudit ${args.join(' ')} failed (${code}); see ${log}`));
        return;
      }
      const incomplete = args[0] === 'audit' ? incompleteSections(out) : [];
      if (incomplete.length > 0) {
        reject(
          new Error(`rlaudit ${args.join(' ')}: sections not complete: ${incomplete.join(', ')}; see ${log}`),
        );
      } else resolve(Number(m[1]));
    });
  });
}

const du = (path: string): number => {
  const r = spawnSync('du', ['-sb', path], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split('\t')[0]) : 0;
};

function sessionsFile(outDir: string, n: number): string {
  return join(outDir, `sessions-${n}.jsonl`);
}

async function ensureFile(outDir: string, n: number): Promise<string> {
  const file = sessionsFile(outDir, n);
  if (existsSync(file)) return file;
  const shared = join(SHARED, `sessions-${n}.jsonl`);
  if (existsSync(shared) && fileURLToPath(new URL('./out/', import.meta.url)) !== `${SHARED}/`) {
    symlinkSync(shared, file);
    return file;
  }
  console.log(`generating ${n} sessions → ${file}`);
  await writeSyntheticSessions(file, n);
  return file;
}

const mib = (x: number) => `${x.toFixed(0)} MiB`;
const gb = (x: number) => `${(x / 1e9).toFixed(2)} GB`;

async function benchClickHouse(
  n: number,
  file: string,
  outDir: string,
  reuse: Figures['clickhouse'] | null,
  ingestOnly: boolean,
  windowFlag: readonly string[],
) {
  const db = `bench_ch_${n}`;
  const connect = (port: number, database: string) =>
    ClickHouseClient.connect(parseClickHouseUrl(`clickhouse://default@127.0.0.1:${port}/${database}`), '');
  const url = `clickhouse://default@127.0.0.1:${BASE}/${db}?cluster=rlaudit_2shards`;
  let ingest: Step;
  if (reuse) {
    ingest = reuse.ingest;
    console.log(`clickhouse: reusing ${db} (ingest figures of the earlier run)`);
  } else {
    for (const port of PORTS) {
      const admin = await connect(port, 'default');
      await admin.command(sql`DROP DATABASE IF EXISTS ${ident(db)}`);
      await admin.command(sql`CREATE DATABASE ${ident(db)}`);
      await admin.close();
    }
    const shards = await Promise.all(PORTS.map((p) => connect(p, db)));
    await createClusterSchema(shards, 'rlaudit_2shards', db);
    for (const s of shards) await s.close();
    console.log(`clickhouse: ingesting ${file} into ${url}`);
    ingest = await measured(() => cli(['ingest', file, '--store', url], join(outDir, `ch-ingest-${n}.log`)));
    console.log(`  ingest ${ingest.seconds.toFixed(1)} s`);
  }
  let scans: { audit: Step; floor: Step; auditOverFloor: number; windows: string } | null = null;
  if (!ingestOnly) {
    console.log('clickhouse: audit');
    const audit = await measured(() =>
      cli(
        ['audit', '--run', RUN, ...windowFlag, '--fresh', '--no-pdf', '--json', '--store', url].concat([
          '--out',
          join(outDir, `report-ch-${n}`),
        ]),
        join(outDir, `ch-audit-${n}.log`),
      ),
    );
    console.log(`  audit ${audit.seconds.toFixed(1)} s`);
    const client = await connect(BASE, db);
    const floor = await measured(async () => {
      const r = await client.query(
        sql`SELECT sum(length(${clickHouseTokens(sql`output`)})) AS n FROM sessions FINAL WHERE run = ${RUN}`,
        Count,
      );
      if (!(r[0]!.n > 0)) throw new Error('the floor scan found no tokens');
      return 0;
    });
    console.log(`  floor ${floor.seconds.toFixed(1)} s`);
    await client.close();
    scans = {
      audit,
      floor,
      auditOverFloor: audit.seconds / floor.seconds,
      windows: windowRule(join(outDir, `report-ch-${n}`)),
    };
  }
  const partsBytes: number[] = [];
  const partsRows: number[] = [];
  const duBytes: number[] = [];
  for (const [i, port] of PORTS.entries()) {
    const shard = await connect(port, db);
    const [p] = await shard.query(
      sql`SELECT sum(bytes_on_disk) AS bytes, sum(rows) AS rows FROM system.parts WHERE database = ${db} AND active`,
      PartBytes,
    );
    await shard.close();
    partsBytes.push(p!.bytes);
    partsRows.push(p!.rows);
    duBytes.push(du(join(CLUSTER_DIR, `shard${i}`, 'data', 'data', db)));
  }
  const serverHwmMiB = serverPids().map((p) => procKiB(p, 'VmHWM') / 1024);
  return {
    ingest,
    ...scans,
    serverHwmMiB,
    partsBytes,
    partsRows,
    duBytes,
  };
}

async function benchDuckDb(
  n: number,
  file: string,
  outDir: string,
  reuse: Figures['duckdb'] | null,
  ingestOnly: boolean,
  windowFlag: readonly string[],
) {
  const path = join(outDir, `bench-${n}.duckdb`);
  let ingest: Step;
  if (reuse && existsSync(path)) {
    ingest = reuse.ingest;
    console.log(`duckdb: reusing ${path}`);
  } else {
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
    console.log(`duckdb: ingesting ${file} into ${path}`);
    ingest = await measured(() => cli(['ingest', file, '--db', path], join(outDir, `duck-ingest-${n}.log`)));
    console.log(`  ingest ${ingest.seconds.toFixed(1)} s`);
  }
  if (ingestOnly) return { ingest, fileBytes: statSync(path).size };
  console.log('duckdb: audit');
  const audit = await measured(() =>
    cli(
      [
        'audit',
        '--run',
        RUN,
        ...windowFlag,
        '--fresh',
        '--no-pdf',
        '--json',
        '--db',
        path,
        '--out',
        join(outDir, `report-duck-${n}`),
      ],
      join(outDir, `duck-audit-${n}.log`),
    ),
  );
  console.log(`  audit ${audit.seconds.toFixed(1)} s`);
  const floor = await measured(async () => {
    const inst = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const conn = await inst.connect();
    const r = await conn.runAndReadAll(
      `SELECT sum(len(${duckdbTokensSql('output')})) AS n FROM sessions WHERE run = '${RUN}'`,
    );
    if (!(Number(r.getRows()[0]?.[0]) > 0)) throw new Error('the DuckDB floor scan found no tokens');
    conn.closeSync();
    inst.closeSync();
    return 0;
  });
  console.log(`  floor ${floor.seconds.toFixed(1)} s`);
  return {
    ingest,
    audit,
    floor,
    auditOverFloor: audit.seconds / floor.seconds,
    windows: windowRule(join(outDir, `report-duck-${n}`)),
    fileBytes: statSync(path).size,
  };
}

function table(f: Figures): void {
  console.log(
    `\nclickhouse benchmark: ${f.sessions} sessions (${f.jsonlMB.toFixed(0)} MB JSONL), ${f.machine}`,
  );
  for (const [engine, part] of [
    ['ClickHouse', f.clickhouse],
    ['DuckDB', f.duckdb],
  ] as const) {
    const says = (what: string, m: Provenance | undefined) =>
      m &&
      console.log(
        `${engine} ${what}: measured ${m.date} on ${m.commit}, load average before ${m.loadAverage.before.join(' ')}, after ${m.loadAverage.after.join(' ')}`,
      );
    const apart = JSON.stringify(part?.ingestMeasured) !== JSON.stringify(part?.measured);
    if (apart && part?.ingestMeasured) says('ingest', part.ingestMeasured);
    if (apart && part && !part.ingestMeasured)
      console.log(`${engine} ingest: reused from an earlier run (provenance not kept)`);
    says(apart ? 'audit' : 'steps', part?.measured);
    if (part?.windows) console.log(`${engine} audit windows: ${part.windows}`);
  }
  console.log('| engine | step | wall s | Node peak RSS | shard 0 peak RSS | shard 1 peak RSS |');
  console.log('|---|---|---:|---:|---:|---:|');
  const row = (engine: string, name: string, s: Step | undefined) =>
    s &&
    console.log(
      `| ${engine} | ${name} | ${s.seconds.toFixed(1)} | ${s.nodeRssMiB > 0 ? mib(s.nodeRssMiB) : '(in bench)'} | ${mib(s.serverRssMiB[0] ?? 0)} | ${mib(s.serverRssMiB[1] ?? 0)} |`,
    );
  if (f.clickhouse) {
    const c = f.clickhouse;
    row('ClickHouse 2 shards', 'CLI ingest', c.ingest);
    row('ClickHouse 2 shards', 'CLI audit', c.audit);
    row('ClickHouse 2 shards', 'floor (one tokenizing pass)', c.floor);
    console.log(
      `ClickHouse: audit/floor ${c.auditOverFloor?.toFixed(2) ?? '-'} (target ≤ 3); servers' lifetime VmHWM ${c.serverHwmMiB.map(mib).join(', ')}; disk system.parts ${c.partsBytes.map(gb).join(' + ')} (rows ${c.partsRows.join(' + ')}), du ${c.duBytes.map(gb).join(' + ')}`,
    );
  }
  if (f.duckdb) {
    const d = f.duckdb;
    row('DuckDB', 'CLI ingest', d.ingest);
    row('DuckDB', 'CLI audit', d.audit);
    row('DuckDB', 'floor (one tokenizing pass)', d.floor);
    console.log(`DuckDB: audit/floor ${d.auditOverFloor?.toFixed(2) ?? '-'}; file ${gb(d.fileBytes)}`);
  }
}

/**
 * The projection from two measured sizes (a < b sessions) on the 2-shard cluster. Model: every time is
 * t(N) = c + s·N (fixed part c: start-up and per-statement latency, constant in N; per-session part s),
 * fitted exactly through the two points; on k shards the per-session part of the scans (audit, floor) divides
 * by k/2 (each shard scans its N/k rows; the final merge of small series is in c), ingest likewise assuming k
 * parallel writers (one CLI per input file, each writing through the Distributed table); disk ∝ N.
 */
function projection(small: Figures, big: Figures): void {
  const a = small.clickhouse;
  const b = big.clickhouse;
  if (!a || !b) return;
  const fit = (x: number, y: number) => {
    const s = (y - x) / (big.sessions - small.sessions);
    return { c: Math.max(0, x - s * small.sessions), s };
  };
  if (!a.audit || !b.audit || !a.floor || !b.floor) return;
  const steps = {
    ingest: fit(a.ingest.seconds, b.ingest.seconds),
    audit: fit(a.audit.seconds, b.audit.seconds),
    floor: fit(a.floor.seconds, b.floor.seconds),
  };
  const bytesPerSession = b.partsBytes.reduce((x, y) => x + y, 0) / big.sessions;
  console.log(
    `\nprojection from ${small.sessions} and ${big.sessions} sessions (t = c + s·N·2/k; disk ${bytesPerSession.toFixed(0)} B/session):`,
  );
  for (const [name, f] of Object.entries(steps))
    console.log(
      `  ${name}: c = ${f.c.toFixed(1)} s, s = ${(f.s * 1e6).toFixed(2)} s per 1M sessions on 2 shards`,
    );
  console.log(
    '| sessions | shards k | ingest | audit | floor | audit/floor | disk (compressed, all shards) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  const hm = (s: number) => (s < 3600 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);
  for (const n of [1e8, 1e9])
    for (const k of [2, 8, 32]) {
      const t = (f: { c: number; s: number }) => f.c + (f.s * n * 2) / k;
      console.log(
        `| ${n.toExponential(0)} | ${k} | ${hm(t(steps.ingest))} | ${hm(t(steps.audit))} | ${hm(t(steps.floor))} | ${(t(steps.audit) / t(steps.floor)).toFixed(2)} | ${gb(bytesPerSession * n)} |`,
      );
    }
}

export async function benchClickHouseAtScale(
  outDir: string,
  n: number,
  opts: { reuse: boolean; ingestOnly: boolean; only?: string; window?: string; machine: string },
): Promise<void> {
  const windowFlag = opts.window === undefined ? [] : ['--window', opts.window];
  const file = await ensureFile(outDir, n);
  const json = join(outDir, `clickhouse-${n}.json`);
  const earlier: Figures | null = existsSync(json)
    ? (JSON.parse(readFileSync(json, 'utf8')) as Figures)
    : null;
  const acquired = spawnSync('bash', [script, 'acquire', String(process.pid)], { encoding: 'utf8' });
  if (acquired.status !== 0) throw new Error(`the ClickHouse cluster did not start: ${acquired.stderr}`);
  try {
    const figures: Figures = {
      sessions: n,
      jsonlMB: statSync(file).size / 1e6,
      machine: opts.machine,
    };
    if (opts.only !== 'duckdb') {
      const reused = opts.reuse && earlier?.clickhouse ? earlier.clickhouse : null;
      figures.clickhouse = await withProvenance(reused, () =>
        benchClickHouse(n, file, outDir, reused, opts.ingestOnly, windowFlag),
      );
    }
    // kept after each engine, so a long run stopped later still leaves the first engine's figures
    writeFigures(json, figures, opts.only);
    if (opts.only !== 'clickhouse') {
      const reused = opts.reuse && earlier?.duckdb ? earlier.duckdb : null;
      figures.duckdb = await withProvenance(reused, () =>
        benchDuckDb(n, file, outDir, reused, opts.ingestOnly, windowFlag),
      );
    }
    writeFigures(json, figures, opts.only);
    const all = JSON.parse(readFileSync(json, 'utf8')) as Figures;
    table(all);
    const sizes = [1_000_000, 10_000_000].filter((s) => existsSync(join(outDir, `clickhouse-${s}.json`)));
    if (sizes.length === 2) {
      const [s, b] = sizes.map(
        (s) => JSON.parse(readFileSync(join(outDir, `clickhouse-${s}.json`), 'utf8')) as Figures,
      );
      projection(s!, b!);
    }
  } finally {
    spawnSync('bash', [script, 'release', String(process.pid)], { encoding: 'utf8' });
  }
}
