import type { ClickHouseClient } from '../../../src/store/clickhouse/clickhouse-client.ts';
import { createClusterSchema, TABLES } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../../src/store/clickhouse/clickhouse-store.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import { ident, raw, sql } from '../../../src/store/sql/sql.ts';
import type { TestCluster } from './cluster.ts';

/**
 * A TEST helper (the ClickHouse ingest is built elsewhere): copies every row of a DuckDB store, written by the
 * normal ingest, into a ClickHouse database of the store's schema, as JSONEachRow through
 * `@clickhouse/client` (`ClickHouseClient.insert`, no SQL text holds a value). So both engines hold the
 * same record, row for row: JSON columns as DuckDB's text of them, timestamps as microseconds since the
 * epoch (`DateTime` columns to the second), lists as arrays.
 *
 * Float64 columns do not travel as JSON numbers: 18.16 parses about 1 in 80 doubles of a JSON (or string)
 * number into a neighbouring double (measured), so each goes as an exact integer pair (m, e), x = m·2^e, into
 * a staging table, and `INSERT … SELECT m * pow(2, e)` (exact for normal doubles) writes the table.
 *
 * `again` (0–1): that share of the sessions, annotations and events is written a second time in a later
 * insert, as a rerun after a killed ingest would — the scans must read them once (`FINAL`).
 */
export async function loadFixture(
  duck: DuckDbStore,
  click: ClickHouseClient,
  options: { readonly again?: number } = {},
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of TABLES) {
    if (t.name === 'schema_version') continue;
    const duckColumns = new Map(
      (
        await duck.client.query<{ column_name: string; data_type: string }>(
          sql`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ${t.name}`,
        )
      ).map((c) => [c.column_name, c.data_type]),
    );
    const select = t.columns.flatMap(([name, type]) => {
      const duckType = duckColumns.get(name);
      const col = ident(name);
      if (duckType === undefined) return name === 'version' ? [sql`1 AS ${col}`] : [];
      if (type.includes('DateTime')) {
        return [sql`strftime(timezone('UTC', ${col}), '%Y-%m-%d %H:%M:%S') AS ${col}`];
      }
      if (duckType.startsWith('TIMESTAMP')) return [sql`epoch_us(${col}) AS ${col}`];
      if (type === 'Array(String)') return [sql`coalesce(${col}, []::VARCHAR[]) AS ${col}`];
      if (duckType === 'BOOLEAN') return [sql`${col}::INTEGER AS ${col}`];
      if (duckType === 'JSON') return [sql`${col}::VARCHAR AS ${col}`];
      return [col];
    });
    const rows = await duck.client.query<Record<string, unknown>>(
      sql`SELECT ${raw(select.length === 0 ? '1' : '')}${joinAll(select)} FROM ${ident(t.name)}`,
    );
    const plain = rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
    await insertExact(click, t.name, t.columns, plain);
    counts[t.name] = plain.length;
    const share = options.again ?? 0;
    if (share > 0 && ['sessions', 'annotations', 'events'].includes(t.name)) {
      // every k-th row again, in a separate insert (a separate part, not yet merged)
      const every = Math.max(1, Math.round(1 / share));
      await insertExact(
        click,
        t.name,
        t.columns,
        plain.filter((_, i) => i % every === 0),
      );
    }
  }
  return counts;
}

function joinAll(parts: ReturnType<typeof sql>[]) {
  return parts.reduce((acc, p, i) => (i === 0 ? p : sql`${acc}, ${p}`), sql``);
}

/** A finite double as m·2^e with m an integer (|m| < 2^53), both exact in JSON. */
export function splitDouble(x: number): { m: number; e: number } {
  if (x === 0) return { m: 0, e: 0 };
  let e = Math.floor(Math.log2(Math.abs(x))) - 52;
  let m = x / 2 ** e;
  while (!Number.isInteger(m)) {
    e -= 1;
    m = x / 2 ** e;
  }
  while (Math.abs(m) >= 2 ** 53 || (m !== 0 && m % 2 === 0 && Math.abs(m) > 1)) {
    if (m % 2 !== 0) break;
    m /= 2;
    e += 1;
  }
  if (m * 2 ** e !== x) throw new Error(`splitDouble: ${x} is not m·2^e (${m}, ${e})`);
  return { m, e };
}

let stageCounter = 0;

/** Inserts rows with their Float64 columns exact (see {@link loadFixture}). */
async function insertExact(
  click: ClickHouseClient,
  table: string,
  columns: readonly (readonly [string, string])[],
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const floats = columns.filter(([, type]) => type.includes('Float64')).map(([name]) => name);
  const names = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const stage = `stage_${table}_${process.pid}_${++stageCounter}`;
  const stageColumns = columns
    .filter(([name]) => names.includes(name))
    .flatMap(([name, type]) => {
      const plainType = type.replace(/ DEFAULT .*$/, '');
      return floats.includes(name)
        ? [`${name}__m Nullable(Int64)`, `${name}__e Nullable(Int16)`]
        : [`${name} ${plainType}`];
    });
  await click.command(sql`${raw(`CREATE TABLE ${stage} (${stageColumns.join(', ')}) ENGINE = Memory`)}`);
  try {
    await click.insert(
      stage,
      rows.map((r) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) {
          if (!floats.includes(k)) out[k] = v;
          else if (v === null || v === undefined) {
            out[`${k}__m`] = null;
            out[`${k}__e`] = null;
          } else {
            const { m, e } = splitDouble(v as number);
            out[`${k}__m`] = m;
            out[`${k}__e`] = e;
          }
        }
        return out;
      }),
    );
    const select = columns
      .filter(([name]) => names.includes(name))
      .map(([name]) => (floats.includes(name) ? `${name}__m * pow(2, ${name}__e) AS ${name}` : name));
    const target = columns.filter(([name]) => names.includes(name)).map(([name]) => name);
    await click.command(
      sql`${raw(`INSERT INTO ${table} (${target.join(', ')}) SELECT ${select.join(', ')} FROM ${stage}`)}`,
    );
  } finally {
    await click.command(sql`${raw(`DROP TABLE IF EXISTS ${stage}`)}`);
  }
}

/**
 * The same record on both engines, as the conformance suites compare them: `records` ingested into an in-memory
 * DuckDB store, then copied (`loadFixture`, a tenth of the rows twice unless `again` says otherwise) into the
 * test cluster's database (or `database`, one of {@link TestCluster.database2}).
 */
export async function fixtureOnBothEngines(
  ch: TestCluster,
  records: Iterable<unknown>,
  name: string,
  options: { readonly again?: number; readonly database?: string } = {},
): Promise<{ duck: DuckDbStore; click: ClickHouseStore }> {
  const duck = await DuckDbStore.open(':memory:');
  await ingestRecords(duck, records, { name });
  const database = options.database ?? ch.database;
  await createClusterSchema(await ch.shardClients(database), 'rlaudit_2shards', database);
  const click = await ClickHouseStore.open(ch.clusterUrl.replace(`/${ch.database}?`, `/${database}?`));
  await loadFixture(duck, click.client, { again: options.again ?? 0.1 });
  return { duck, click };
}
