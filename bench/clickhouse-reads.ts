// npm run bench -- clickhouse-reads [--sessions N]
// How the ClickHouse store reads a record table exactly before the replacing merges ran: FINAL, against the
// alternatives (argMax / any per key, LIMIT 1 BY key) and against a raw read that counts rows written twice.
// N sessions plus N/10 of them written again (a rerun after a kill) go into the project's two-shard cluster
// (scripts/clickhouse-cluster.sh, started and stopped here when it was not running); each query runs three
// times and the median is printed. Figures go to docs/deploy-clickhouse.md.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ClickHouseClient } from '../src/store/clickhouse/clickhouse-client.ts';
import { createClusterSchema } from '../src/store/clickhouse/clickhouse-schema.ts';
import { parseClickHouseUrl } from '../src/store/clickhouse/store-url.ts';
import { rowDecoder } from '../src/store/sql/row-decoder.ts';
import { ident, raw, sql } from '../src/store/sql/sql.ts';

const script = fileURLToPath(new URL('../scripts/clickhouse-cluster.sh', import.meta.url));
const PORTS = [28120, 28121];
const DB = 'bench_reads';
const Value = rowDecoder('value', z.object({ v: z.union([z.number(), z.string()]) }));

/** A run's text, one row of many words per session (ClickHouse 18.16 has no repeat()). */
const output = (n: string) =>
  `concat('output of session ', toString(${n}), ' ', arrayStringConcat(arrayMap(i -> concat('w', toString(i + ${n} % 13)), range(40)), ' '))`;

const QUERIES: readonly (readonly [string, string])[] = [
  ['sessions: count() FINAL', `SELECT count() AS v FROM sessions FINAL WHERE run = 'r'`],
  ['sessions: uniqExact(session)', `SELECT uniqExact(session) AS v FROM sessions WHERE run = 'r'`],
  ['reward sum: FINAL', `SELECT round(sum(adjusted_reward), 6) AS v FROM sessions FINAL WHERE run = 'r'`],
  [
    'reward sum: argMax per key',
    `SELECT round(sum(x), 6) AS v FROM (SELECT argMax(adjusted_reward, load_id) AS x FROM sessions WHERE run = 'r' GROUP BY run, session)`,
  ],
  [
    'tokens: FINAL',
    `SELECT sum(length(extractAll(output, '[\\\\p{L}]+'))) AS v FROM sessions FINAL WHERE run = 'r'`,
  ],
  [
    'tokens: LIMIT 1 BY key',
    `SELECT sum(length(extractAll(output, '[\\\\p{L}]+'))) AS v FROM (SELECT output FROM sessions WHERE run = 'r' LIMIT 1 BY run, session)`,
  ],
  [
    'tokens: any per key',
    `SELECT sum(length(extractAll(o, '[\\\\p{L}]+'))) AS v FROM (SELECT any(output) AS o FROM sessions WHERE run = 'r' GROUP BY run, session)`,
  ],
  [
    'tokens: raw (wrong: counts twice)',
    `SELECT sum(length(extractAll(output, '[\\\\p{L}]+'))) AS v FROM sessions WHERE run = 'r'`,
  ],
];

export async function benchClickHouseReads(sessions: number): Promise<void> {
  const acquired = spawnSync('bash', [script, 'acquire', String(process.pid)], { encoding: 'utf8' });
  if (acquired.status !== 0) throw new Error(`the ClickHouse cluster did not start: ${acquired.stderr}`);
  const connect = (port: number, db: string) =>
    ClickHouseClient.connect(parseClickHouseUrl(`clickhouse://default@127.0.0.1:${port}/${db}`), '');
  try {
    for (const port of PORTS) {
      const admin = await connect(port, 'default');
      await admin.command(sql`DROP DATABASE IF EXISTS ${ident(DB)}`);
      await admin.command(sql`CREATE DATABASE ${ident(DB)}`);
      await admin.close();
    }
    const shards = await Promise.all(PORTS.map((p) => connect(p, DB)));
    await createClusterSchema(shards, 'rlaudit_2shards', DB);
    const c = shards[0]!;
    const t0 = performance.now();
    await c.command(
      sql`INSERT INTO sessions (run, session, output, adjusted_reward, flags, load_id, source_line)
          SELECT 'r', number + 1, ${raw(output('number'))}, (number % 97) / 97, [], 1, number + 1
          FROM system.numbers LIMIT ${sessions}`,
    );
    await c.command(
      sql`INSERT INTO sessions (run, session, output, adjusted_reward, flags, load_id, source_line)
          SELECT 'r', number * 10 + 1, ${raw(output('(number * 10)'))}, ((number * 10) % 97) / 97, [], 2,
                 number * 10 + 1
          FROM system.numbers LIMIT ${Math.floor(sessions / 10)}`,
    );
    console.log(
      `clickhouse-reads: ${sessions} sessions + ${Math.floor(sessions / 10)} written again, 2 shards, ` +
        `loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (const [name, text] of QUERIES) {
      const times: number[] = [];
      let value: unknown;
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        [value] = (await c.query(sql`${raw(text)}`, Value)).map((r) => r.v);
        times.push((performance.now() - t) / 1000);
      }
      times.sort((a, b) => a - b);
      console.log(`  ${name.padEnd(36)} ${String(value).padStart(16)}  median ${times[1]!.toFixed(3)} s`);
    }
    for (const s of shards) {
      await s.command(sql`DROP DATABASE ${ident(DB)}`);
      await s.close();
    }
  } finally {
    spawnSync('bash', [script, 'release', String(process.pid)], { encoding: 'utf8' });
  }
}
