// npm run bench -- clickhouse-scans [--sessions N]
// The audit of a simulated WILD-7 run (seed 7, N training sessions and N/10 after training) on DuckDB and on
// the project's two-shard ClickHouse cluster (scripts/clickhouse-cluster.sh; $RLAUDIT_CLICKHOUSE_PORT_BASE),
// the same records in both (copied row for row by the test loader), and the single-scan floor of each
// engine: one pass tokenizing every output (textWindowCounts; on ClickHouse, which reads tokens stored at
// insert since schema version 3, also an explicit tokenizing pass). Each audit keeps its tracking and
// result cache in its own store (ClickHouse tables since schema version 2). Figures go to docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { runAudit } from '../src/audit/run-audit.ts';
import { simulate } from '../src/simulate/index.ts';
import { ClickHouseClient } from '../src/store/clickhouse/clickhouse-client.ts';
import { createClusterSchema } from '../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../src/store/clickhouse/clickhouse-store.ts';
import { parseClickHouseUrl } from '../src/store/clickhouse/store-url.ts';
import { clickHouseTokens } from '../src/store/clickhouse/text-sql.ts';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../src/store/ingest.ts';
import { rowDecoder } from '../src/store/sql/row-decoder.ts';
import { ident, sql } from '../src/store/sql/sql.ts';
import type { Store } from '../src/store/store.ts';
import { loadFixture } from '../test/store/clickhouse/load-fixture.ts';

const script = fileURLToPath(new URL('../scripts/clickhouse-cluster.sh', import.meta.url));
const BASE = Number(process.env.RLAUDIT_CLICKHOUSE_PORT_BASE ?? 28120);
const PORTS = [BASE, BASE + 1];
const DB = 'bench_scans';
const TokenCount = rowDecoder('tokens', z.object({ n: z.coerce.number() }));

const seconds = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const v = await f();
  return [v, (performance.now() - t0) / 1000];
};

export async function benchClickHouseScans(sessions: number): Promise<void> {
  const acquired = spawnSync('bash', [script, 'acquire', String(process.pid)], { encoding: 'utf8' });
  if (acquired.status !== 0) throw new Error(`the ClickHouse cluster did not start: ${acquired.stderr}`);
  const connect = (port: number, db: string) =>
    ClickHouseClient.connect(parseClickHouseUrl(`clickhouse://default@127.0.0.1:${port}/${db}`), '');
  const duck = await DuckDbStore.open(':memory:');
  try {
    console.log(
      `load average before: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    const run = 'wild-7';
    await ingestRecords(
      duck,
      simulate({ scenario: 'wild-7', seed: 7, sessions, deployment: Math.round(sessions / 10) }),
      {
        name: 'bench',
      },
    );
    for (const port of PORTS) {
      const admin = await connect(port, 'default');
      await admin.command(sql`DROP DATABASE IF EXISTS ${ident(DB)}`);
      await admin.command(sql`CREATE DATABASE ${ident(DB)}`);
      await admin.close();
    }
    const shards = await Promise.all(PORTS.map((p) => connect(p, DB)));
    await createClusterSchema(shards, 'rlaudit_2shards', DB);
    const click = await ClickHouseStore.open(
      `clickhouse://default@127.0.0.1:${BASE}/${DB}?cluster=rlaudit_2shards`,
    );
    const [, loadS] = await seconds(() => loadFixture(duck, click.client));
    const window = { by: 'session', size: 500 } as const;
    const [, duckFloor] = await seconds(() => duck.scans.textWindowCounts(run, window));
    const [, chFloor] = await seconds(() => click.scans.textWindowCounts(run, window));
    // the issue's floor on the cluster: one pass tokenizing every output (textWindowCounts reads the tokens
    // the server stored at insert since schema version 2, so it no longer tokenizes)
    const [, chTokenize] = await seconds(() =>
      click.client.query(
        sql`SELECT sum(length(${clickHouseTokens(sql`output`)})) AS n FROM sessions FINAL WHERE run = ${run}`,
        TokenCount,
      ),
    );
    const audit = (s: Store) => runAudit(s, { run, template: 'wild-7', operations: false, fresh: true });
    const [, duckAudit] = await seconds(() => audit(duck));
    const [, chAudit] = await seconds(() => audit(click));
    const figures = {
      sessions: Math.round(sessions * 1.1),
      loadIntoClickHouseS: loadS,
      duckdb: { singleScanS: duckFloor, auditS: duckAudit, auditOverScan: duckAudit / duckFloor },
      clickhouse: {
        singleScanS: chFloor,
        tokenizingPassS: chTokenize,
        auditS: chAudit,
        auditOverScan: chAudit / chFloor,
        auditOverTokenizingPass: chAudit / chTokenize,
      },
      clickhouseOverDuckdbAudit: chAudit / duckAudit,
      loadAverageAfter: loadavg().map((x) => Number(x.toFixed(2))),
    };
    console.log(JSON.stringify(figures, null, 1));
    await click.close();
    for (const s of shards) await s.close();
  } finally {
    await duck.close();
    spawnSync('bash', [script, 'release', String(process.pid)], { encoding: 'utf8' });
  }
}
