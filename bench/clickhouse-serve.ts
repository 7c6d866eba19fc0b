// npm run bench -- clickhouse-serve [--sessions N]
// The dashboard's reads (src/store/dashboard-reads.ts) on the two-shard ClickHouse cluster against DuckDB, on
// the same simulated WILD-7 run of N sessions (default 100,000): each read cold (the response cache is not
// involved: the reads are called directly), median of three, and the ClickHouse/DuckDB ratio of the same run.
// The cluster is the project's (scripts/clickhouse-cluster.sh; $RLAUDIT_CLICKHOUSE_PORT_BASE), started and
// stopped here when it was not running. Figures go to docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGET_PHRASE } from '../src/simulate/index.ts';
import { simulate } from '../src/simulate/simulate.ts';
import { ClickHouseClient } from '../src/store/clickhouse/clickhouse-client.ts';
import { clickHouseDashboardReads } from '../src/store/clickhouse/clickhouse-dashboard.ts';
import { createClusterSchema } from '../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../src/store/clickhouse/clickhouse-store.ts';
import { parseClickHouseUrl } from '../src/store/clickhouse/store-url.ts';
import type { DashboardReads } from '../src/store/dashboard-reads.ts';
import { duckDbDashboardReads } from '../src/store/duckdb/duckdb-dashboard.ts';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../src/store/ingest.ts';
import { ident, sql } from '../src/store/sql/sql.ts';

const script = fileURLToPath(new URL('../scripts/clickhouse-cluster.sh', import.meta.url));
const BASE = Number(process.env.RLAUDIT_CLICKHOUSE_PORT_BASE ?? 28120);
const PORTS = [BASE, BASE + 1];
const DB = 'bench_serve';
const RUN = 'wild-7';

async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[1]!;
}

export async function benchClickHouseServe(sessions: number): Promise<void> {
  const acquired = spawnSync('bash', [script, 'acquire', String(process.pid)], { encoding: 'utf8' });
  if (acquired.status !== 0) throw new Error(`the ClickHouse cluster did not start: ${acquired.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'rlaudit-bench-serve-'));
  const connect = (port: number, db: string) =>
    ClickHouseClient.connect(parseClickHouseUrl(`clickhouse://default@127.0.0.1:${port}/${db}`), '');
  let duck: DuckDbStore | undefined;
  let click: ClickHouseStore | undefined;
  try {
    const shards = [];
    for (const port of PORTS) {
      const admin = await connect(port, 'default');
      await admin.command(sql`DROP DATABASE IF EXISTS ${ident(DB)}`);
      await admin.command(sql`CREATE DATABASE ${ident(DB)}`);
      await admin.close();
      shards.push(await connect(port, DB));
    }
    await createClusterSchema(shards, 'rlaudit_2shards', DB);
    for (const s of shards) await s.close();
    duck = await DuckDbStore.open(join(dir, 'serve.duckdb'));
    click = await ClickHouseStore.open(
      `clickhouse://default@127.0.0.1:${PORTS[0]}/${DB}?cluster=rlaudit_2shards`,
    );
    for (const store of [duck, click]) {
      const t = performance.now();
      await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7, sessions }), {
        name: 'bench-serve.jsonl',
        run: RUN,
      });
      process.stdout.write(
        `ingest ${sessions} sessions into ${store.backend}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
      );
    }
    const mid = Math.floor(sessions / 2);
    const reads: readonly (readonly [string, (r: DashboardReads) => Promise<unknown>])[] = [
      ['runOverview', (r) => r.runOverview(RUN)],
      ['sessionIndex, 2000 cells', (r) => r.sessionIndex({ run: RUN, maxCells: 2000 })],
      [
        'sessionIndex, 41 sessions',
        (r) => r.sessionIndex({ run: RUN, from: mid, to: mid + 40, maxCells: 2000 }),
      ],
      ['series by session, 200 points', (r) => r.series({ run: RUN, by: 'session', maxPoints: 200 })],
      ['series by step, 200 points', (r) => r.series({ run: RUN, by: 'step', maxPoints: 200 })],
      ['events, 1000', (r) => r.events({ run: RUN, limit: 1000 })],
      [
        'review, by adjusted reward, 100 rows',
        (r) =>
          r.review({
            run: RUN,
            from: 0,
            to: 1e12,
            sort: 'adjustedReward',
            descending: true,
            offset: 0,
            limit: 100,
            outputChars: 160,
          }),
      ],
      [
        'review, contains "changed", 100 rows',
        (r) =>
          r.review({
            run: RUN,
            from: 0,
            to: 1e12,
            sort: 'session',
            descending: false,
            contains: 'changed',
            offset: 0,
            limit: 100,
            outputChars: 160,
          }),
      ],
      ['samePrompt, 50', (r) => r.samePrompt({ run: RUN, session: mid, limit: 50, outputChars: 240 })],
      [
        'search phrase, 100 hits',
        (r) =>
          r.search({
            run: RUN,
            phrase: TARGET_PHRASE,
            field: 'output',
            window: Math.ceil(sessions / 100),
            offset: 0,
            limit: 100,
            outputChars: 240,
          }),
      ],
    ];
    const engines = [
      ['duckdb', duckDbDashboardReads(duck.client)],
      ['clickhouse', clickHouseDashboardReads(click.client)],
    ] as const;
    process.stdout.write(
      `\n| read (${sessions.toLocaleString('en')} sessions) | DuckDB ms | ClickHouse ms | ratio |\n| --- | ---: | ---: | ---: |\n`,
    );
    for (const [name, fn] of reads) {
      const [d, c] = [await median(() => fn(engines[0][1])), await median(() => fn(engines[1][1]))];
      process.stdout.write(`| ${name} | ${d.toFixed(0)} | ${c.toFixed(0)} | ${(c / d).toFixed(1)} |\n`);
    }
  } finally {
    await duck?.close();
    await click?.close();
    for (const port of PORTS) {
      const admin = await connect(port, 'default');
      await admin.command(sql`DROP DATABASE IF EXISTS ${ident(DB)}`);
      await admin.close();
    }
    rmSync(dir, { recursive: true, force: true });
    spawnSync('bash', [script, 'release', String(process.pid)], { encoding: 'utf8' });
  }
}
