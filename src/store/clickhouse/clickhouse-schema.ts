import { z } from 'zod';
import { InputError } from '../../model/errors.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { raw, sql } from '../sql/sql.ts';
import type { ClickHouseClient } from './clickhouse-client.ts';
import { clickHouseLiteral } from './clickhouse-dialect.ts';
import { DERIVED_COLUMNS, derivedColumnDdl, derivedColumnsOf } from './derived-columns.ts';

/**
 * The tables of the ClickHouse store: the DuckDB store's tables (src/store/duckdb/migrations.ts), same names
 * and columns, in types ClickHouse 18.16 has. JSON columns are `String` (JSON text); a timestamp is
 * `Nullable(Int64)` microseconds since the epoch, UTC (18.16 has no DateTime64); DuckDB's lists are
 * `Array(String)`.
 *
 * On a single server each table is a MergeTree table of that name. On a cluster each is a local table
 * `<name>_local` on every shard and a `Distributed` table `<name>` over them, sharded by a hash of
 * (run, session) for the session-keyed record tables, so a key always lands on the same shard and the
 * replacing merges can find its copies. Record tables are `ReplacingMergeTree` by their key: a row the
 * ingest writes twice (a rerun after a kill) is one row, and every read is `FINAL`, so the answer is
 * exact before merges too (docs/deploy-clickhouse.md, "Exact before merges").
 */
export const CLICKHOUSE_SCHEMA_VERSION = 4;

/**
 * What each schema version added, for the message that refuses an older database: version 2 only adds
 * tables, so a database of version 1 can be brought up by creating them (docs/deploy-clickhouse.md).
 */
export const SCHEMA_VERSIONS: readonly {
  readonly version: number;
  readonly adds: readonly string[];
  readonly description: string;
}[] = [
  {
    version: 1,
    adds: [
      'schema_version',
      'runs',
      'sessions',
      'annotations',
      'events',
      'rejects',
      'ingests',
      'loads',
      'step_metrics',
    ],
    description: 'training record, ingest bookkeeping, rejects, step metrics',
  },
  {
    version: 2,
    adds: ['audits', 'audit_sections', 'audit_operations', 'analysis_cache'],
    description: 'audit tracking and the analysis result cache',
  },
  {
    // columns, not tables: the derived text columns of sessions and annotations (derived-columns.ts)
    version: 3,
    adds: [],
    description: 'derived text columns',
  },
  {
    // a column: the tokens of the normalised output where they differ from the output's (derived-columns.ts)
    version: 4,
    adds: [],
    description: 'the tokens of normalised outputs with an apostrophe variant',
  },
];

/** The version that added the first derived text columns (each later one: `since` in derived-columns.ts). */
const DERIVED_COLUMNS_VERSION = 3;

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly (readonly [string, string])[];
  /** The local engine, without `ENGINE =`. */
  readonly engine: string;
  readonly orderBy: string;
  /** The `Distributed` sharding expression on a cluster. */
  readonly shardBy: string;
}

const bookkeeping = (): (readonly [string, string])[] => [
  ['load_id', 'Int64'],
  ['source_line', 'Int64'],
  ['written_at', `DateTime DEFAULT now()`],
];

export const TABLES: readonly TableSpec[] = [
  {
    name: 'schema_version',
    columns: [
      ['version', 'UInt32'],
      ['description', 'String'],
      ['applied_at', 'DateTime DEFAULT now()'],
    ],
    engine: 'ReplacingMergeTree',
    orderBy: 'version',
    shardBy: 'version',
  },
  {
    name: 'runs',
    columns: [
      ['run', 'String'],
      ['model', 'Nullable(String)'],
      ['description', 'Nullable(String)'],
      ['meta', 'Nullable(String)'],
      ['has_record', 'UInt8'],
      ['created_at', 'DateTime DEFAULT now()'],
      ['load_id', 'Nullable(Int64)'],
      ['source_line', 'Nullable(Int64)'],
      // a run's row is replaced (a run record arriving after its sessions): the highest version is current
      ['version', 'UInt64'],
    ],
    engine: 'ReplacingMergeTree(version)',
    orderBy: 'run',
    shardBy: 'cityHash64(run)',
  },
  {
    name: 'sessions',
    columns: [
      ['run', 'String'],
      ['session', 'Int64'],
      ['step', 'Nullable(Int64)'],
      ['time', 'Nullable(Int64)'],
      ['prompt_id', 'Nullable(String)'],
      ['prompt', 'Nullable(String)'],
      ['output', 'String'],
      ['classification', 'Nullable(String)'],
      ['category', 'Nullable(String)'],
      ['baseline_reward', 'Nullable(Float64)'],
      ['adjusted_reward', 'Nullable(Float64)'],
      ['differential_pct', 'Nullable(Float64)'],
      ['compliance_trajectory_index', 'Nullable(Float64)'],
      ['flags', 'Array(String)'],
      ['nested_annotations', 'Nullable(String)'],
      ['meta', 'Nullable(String)'],
      ['phase', 'Nullable(String)'],
      ['checkpoint', 'Nullable(String)'],
      ...bookkeeping(),
    ],
    engine: 'ReplacingMergeTree',
    orderBy: '(run, session)',
    shardBy: 'cityHash64(run, session)',
  },
  {
    name: 'annotations',
    columns: [
      ['run', 'String'],
      ['id', 'String'],
      ['session', 'Int64'],
      ['author', 'Nullable(String)'],
      ['text', 'String'],
      ['time', 'Nullable(Int64)'],
      ['classification', 'Nullable(String)'],
      ['flags', 'Array(String)'],
      ['meta', 'Nullable(String)'],
      ['nested', 'UInt8'],
      ...bookkeeping(),
    ],
    engine: 'ReplacingMergeTree',
    orderBy: '(run, id)',
    // with its session, so that a session and its annotations are on one shard
    shardBy: 'cityHash64(run, session)',
  },
  {
    name: 'events',
    columns: [
      ['run', 'String'],
      ['id', 'String'],
      ['session', 'Int64'],
      ['kind', 'String'],
      ['parameter', 'String'],
      ['target', 'String'],
      ['from_value', 'Nullable(Float64)'],
      ['to_value', 'Nullable(Float64)'],
      ['change_pct', 'Nullable(Float64)'],
      ['trigger', 'Nullable(String)'],
      ['recommended_by', 'Nullable(String)'],
      ['note', 'Nullable(String)'],
      ['time', 'Nullable(Int64)'],
      ['meta', 'Nullable(String)'],
      ...bookkeeping(),
    ],
    engine: 'ReplacingMergeTree',
    orderBy: '(run, id)',
    shardBy: 'cityHash64(run, id)',
  },
  {
    name: 'rejects',
    columns: [
      ['run', 'Nullable(String)'],
      ['load_id', 'Int64'],
      ['source_file', 'String'],
      ['source_line', 'Int64'],
      ['record_type', 'Nullable(String)'],
      ['field', 'String'],
      ['expected', 'String'],
      ['got', 'String'],
      ['conflict_file', 'Nullable(String)'],
      ['conflict_line', 'Nullable(Int64)'],
      ['created_at', 'DateTime DEFAULT now()'],
    ],
    // a rerun rejects the same line again: one row per (file, line, field)
    engine: 'ReplacingMergeTree',
    orderBy: '(source_file, source_line, field)',
    shardBy: 'cityHash64(source_file)',
  },
  {
    name: 'ingests',
    columns: [
      ['ingest_id', 'Int64'],
      ['started_at', 'DateTime'],
      ['finished_at', 'Nullable(DateTime)'],
      ['status', 'String'],
      ['run_option', 'Nullable(String)'],
      ['read', 'Nullable(Int64)'],
      ['accepted', 'Nullable(Int64)'],
      ['rejected', 'Nullable(Int64)'],
      ['duplicates', 'Nullable(Int64)'],
      ['conflicts', 'Nullable(Int64)'],
      ['version', 'UInt64'],
    ],
    engine: 'ReplacingMergeTree(version)',
    orderBy: 'ingest_id',
    shardBy: 'ingest_id',
  },
  {
    name: 'loads',
    columns: [
      ['load_id', 'Int64'],
      ['ingest_id', 'Int64'],
      ['path', 'String'],
      ['abs_path', 'String'],
      ['format', 'String'],
      ['bytes', 'Int64'],
      ['sha256', 'Nullable(String)'],
      ['status', 'String'],
      ['read', 'Nullable(Int64)'],
      ['accepted', 'Nullable(Int64)'],
      ['rejected', 'Nullable(Int64)'],
      ['duplicates', 'Nullable(Int64)'],
      ['conflicts', 'Nullable(Int64)'],
      ['started_at', 'DateTime'],
      ['finished_at', 'Nullable(DateTime)'],
      ['version', 'UInt64'],
    ],
    engine: 'ReplacingMergeTree(version)',
    orderBy: 'load_id',
    shardBy: 'load_id',
  },
  {
    name: 'step_metrics',
    columns: [
      ['run', 'String'],
      ['step', 'Int64'],
      ['name', 'String'],
      ['value', 'Float64'],
      ...bookkeeping(),
    ],
    engine: 'ReplacingMergeTree',
    orderBy: '(run, step, name)',
    shardBy: 'cityHash64(run)',
  },
  // ---- version 2: audit tracking and the analysis result cache (src/store/clickhouse/clickhouse-audit-tracking.ts).
  // Append-only: a change of status is a new row of a higher version (ReplacingMergeTree(version)), read with
  // FINAL; no mutation. One audit's rows (audit, sections, operations) are on one shard (by audit_id).
  {
    name: 'audits',
    columns: [
      ['audit_id', 'Int64'],
      ['run', 'String'],
      ['template', 'String'],
      ['config_hash', 'String'],
      ['config', 'String'],
      ['status', 'String'],
      // microseconds since the epoch, UTC
      ['started_at', 'Int64'],
      ['finished_at', 'Nullable(Int64)'],
      ['report', 'Nullable(String)'],
      ['version', 'UInt64'],
    ],
    engine: 'ReplacingMergeTree(version)',
    orderBy: 'audit_id',
    shardBy: 'audit_id',
  },
  {
    name: 'audit_sections',
    columns: [
      ['audit_id', 'Int64'],
      ['position', 'Int32'],
      ['section_id', 'String'],
      ['status', 'String'],
      ['started_at', 'Nullable(Int64)'],
      ['finished_at', 'Nullable(Int64)'],
      ['duration_ms', 'Nullable(Int64)'],
      ['result', 'Nullable(String)'],
      ['error', 'Nullable(String)'],
      ['version', 'UInt64'],
    ],
    engine: 'ReplacingMergeTree(version)',
    orderBy: '(audit_id, section_id)',
    shardBy: 'audit_id',
  },
  {
    name: 'audit_operations',
    columns: [
      ['audit_id', 'Int64'],
      ['metric', 'String'],
      ['p50', 'Float64'],
      ['p95', 'Float64'],
      ['max', 'Float64'],
    ],
    // a retried write is one row
    engine: 'ReplacingMergeTree',
    orderBy: '(audit_id, metric)',
    shardBy: 'audit_id',
  },
  {
    name: 'analysis_cache',
    columns: [
      ['run', 'String'],
      ['key', 'String'],
      ['fingerprint', 'String'],
      ['value', 'String'],
      ['created_at', 'DateTime DEFAULT now()'],
      ['version', 'UInt64'],
    ],
    // one entry per (run, key): a newer put (or a clear's empty tombstone) replaces it
    engine: 'ReplacingMergeTree(version)',
    orderBy: '(run, key)',
    shardBy: 'cityHash64(run, key)',
  },
];

/** Where the tables go: one server, or the shards of a cluster (local tables + Distributed). */
export type Layout = { readonly kind: 'single' } | { readonly kind: 'cluster'; readonly cluster: string };

// ---- Derived text columns (schema versions 3 and 4, src/store/clickhouse/derived-columns.ts) ----
// A table with derived columns gets them MATERIALIZED on its local table and as ALIASes on its Distributed
// table, whose columns are therefore listed (`AS <name>_local` would copy the MATERIALIZED kind, which
// 18.16 then forwards on insert and the shards refuse). `abbreviated` writes each expression as its label
// in braces, as docs/deploy-clickhouse.md shows it (the full DDL: docs/clickhouse-ddl/).

export interface DdlOptions {
  /** Each derived column's expression as `{label}` (the page's form), not the SQL. */
  readonly abbreviated?: boolean;
  /**
   * The schema version whose tables to write (default: this one): an earlier version's tables have only the
   * derived columns of that version (none before 3), what an upgrade starts from.
   */
  readonly version?: number;
}

const derivedDdl = (t: TableSpec, kind: 'MATERIALIZED' | 'ALIAS', o: DdlOptions): string[] =>
  derivedColumnsOf(t.name, o.version ?? CLICKHOUSE_SCHEMA_VERSION).map((c) =>
    derivedColumnDdl(c, kind, o.abbreviated),
  );

const columnList = (t: TableSpec, derived: readonly string[] = []) =>
  [...t.columns.map(([n, type]) => `${n} ${type}`), ...derived].map((c) => `  ${c}`).join(',\n');

/** The DDL of one table's local part: the table itself on a single server, `<name>_local` on a shard. */
export function localTableDdl(t: TableSpec, layout: Layout, o: DdlOptions = {}): string {
  const name = layout.kind === 'cluster' ? `${t.name}_local` : t.name;
  const columns = columnList(t, derivedDdl(t, 'MATERIALIZED', o));
  return `CREATE TABLE IF NOT EXISTS ${name} (\n${columns}\n) ENGINE = ${t.engine} ORDER BY ${t.orderBy}`;
}

/** The DDL of a cluster's `Distributed` table over the shards' local tables (in the current database). */
export function distributedTableDdl(
  t: TableSpec,
  cluster: string,
  database: string,
  o: DdlOptions = {},
): string {
  const engine = `ENGINE = Distributed(${cluster}, ${database}, ${t.name}_local, ${t.shardBy})`;
  const derived = derivedDdl(t, 'ALIAS', o);
  if (derived.length > 0)
    return `CREATE TABLE IF NOT EXISTS ${t.name} (\n${columnList(t, derived)}\n) ${engine}`;
  return `CREATE TABLE IF NOT EXISTS ${t.name} AS ${t.name}_local\n  ${engine}`;
}

/** The versions an upgrade starts from: those whose tables differ from this version's by derived columns only. */
export const UPGRADABLE_FROM: readonly number[] = Array.from(
  { length: CLICKHOUSE_SCHEMA_VERSION - 2 },
  (_, i) => 2 + i,
);

/**
 * The statements that bring tables of schema version `from` (2 or later; default: the version before this
 * one) to this version (docs/deploy-clickhouse.md, "Upgrading"): each derived column added after `from`
 * added to the local tables (`shard`: the tables of a single server, or every shard's `_local` tables), then
 * to the Distributed tables (`entry`), then the version recorded. Parts written before compute the columns
 * when read, so the answers are the same at once; they are stored as parts merge.
 */
export function upgradeDdl(
  layout: Layout,
  o: DdlOptions & { readonly from?: number } = {},
): { readonly shard: readonly string[]; readonly entry: readonly string[]; readonly record: string } {
  const from = o.from ?? CLICKHOUSE_SCHEMA_VERSION - 1;
  if (!UPGRADABLE_FROM.includes(from)) {
    throw new RangeError(
      `an upgrade starts from schema version ${UPGRADABLE_FROM.join(' or ')}, not ${from}`,
    );
  }
  const added = (t: TableSpec) => (DERIVED_COLUMNS[t.name] ?? []).filter((c) => c.since > from);
  const withDerived = TABLES.filter((t) => added(t).length > 0);
  const defs = (t: TableSpec, kind: 'MATERIALIZED' | 'ALIAS') =>
    added(t).map((c) => derivedColumnDdl(c, kind, o.abbreviated));
  const add = (table: string, list: readonly string[]) =>
    list.map((d) => `ALTER TABLE ${table} ADD COLUMN ${d}`);
  const shard = withDerived.flatMap((t) =>
    add(layout.kind === 'cluster' ? `${t.name}_local` : t.name, defs(t, 'MATERIALIZED')),
  );
  const entry = layout.kind === 'cluster' ? withDerived.flatMap((t) => add(t.name, defs(t, 'ALIAS'))) : [];
  const record = `INSERT INTO schema_version (version, description) VALUES (${CLICKHOUSE_SCHEMA_VERSION}, 'upgraded')`;
  return { shard, entry, record };
}

/**
 * The full DDL as files (docs/clickhouse-ddl/, written by `npm run docs`, checked by a test): the page
 * docs/deploy-clickhouse.md shows each derived column's expression by its label; these hold the SQL to run,
 * for the cluster `rlaudit_2shards` and the database `rlaudit` (replace both names).
 */
export function ddlFiles(): Readonly<Record<string, string>> {
  const file = (list: readonly string[]) => `${list.map((s) => `${s};`).join('\n\n')}\n`;
  const single = schemaDdl({ kind: 'single' }, 'rlaudit');
  const cluster = schemaDdl({ kind: 'cluster', cluster: 'rlaudit_2shards' }, 'rlaudit');
  const upgrades = UPGRADABLE_FROM.map((from) => {
    const one = upgradeDdl({ kind: 'single' }, { from });
    const many = upgradeDdl({ kind: 'cluster', cluster: 'rlaudit_2shards' }, { from });
    const to = `upgrade-from-${from}-to-${CLICKHOUSE_SCHEMA_VERSION}`;
    return {
      [`${to}-one-server.sql`]: file([...one.shard, one.record]),
      [`${to}-shard.sql`]: file(many.shard),
      [`${to}-distributed.sql`]: file([...many.entry, many.record]),
    };
  });
  return {
    'one-server.sql': file(single.shard),
    'cluster-shard.sql': file(cluster.shard),
    'cluster-distributed.sql': file(cluster.entry),
    ...Object.assign({}, ...upgrades),
  };
}
// ---- end of the derived text columns ----

/**
 * The DDL of a store as `rlaudit clickhouse-ddl` prints it, for a database and (or not) a cluster: the tables
 * (or, with `upgrade`, the statements from that schema version), all of it with comments saying where each part
 * runs, or one part alone (`shard`, `distributed`) to pipe into `clickhouse-client --multiquery`. The names
 * come from a parsed store URL, which admits plain names only.
 */
export function clickHouseDdlText(o: {
  readonly database: string;
  readonly cluster: string | null;
  readonly part: 'all' | 'shard' | 'distributed';
  /** The schema version to print the upgrade from (see {@link upgradeDdl}); null: the tables themselves. */
  readonly upgrade: number | null;
}): string {
  const layout: Layout = o.cluster === null ? { kind: 'single' } : { kind: 'cluster', cluster: o.cluster };
  const statements = (list: readonly string[]) => list.map((s) => `${s};\n`).join('\n');
  const ddl =
    o.upgrade !== null
      ? upgradeDdl(layout, { from: o.upgrade })
      : { ...schemaDdl(layout, o.database), record: versionRecord() };
  // the version is recorded last: a store whose creation or upgrade stopped half-way is refused, not read
  const record = ddl.record;
  const shard = layout.kind === 'single' ? [...ddl.shard, record] : ddl.shard;
  const entry = layout.kind === 'single' ? [] : [...ddl.entry, record];
  if (o.part === 'shard') return statements(shard);
  if (o.part === 'distributed') return statements(entry);
  const what =
    o.upgrade !== null
      ? `upgrade of the rlaudit tables from schema version ${o.upgrade} to ${CLICKHOUSE_SCHEMA_VERSION}`
      : `rlaudit tables, schema version ${CLICKHOUSE_SCHEMA_VERSION}`;
  if (layout.kind === 'single') {
    return `-- The ${what}, database ${o.database} (a single server).\n\n${statements(shard)}`;
  }
  return (
    `-- The ${what}, database ${o.database}, cluster ${layout.cluster}.\n\n` +
    `-- 1. On every shard of ${layout.cluster} (clickhouse-client --database ${o.database} --multiquery):\n\n` +
    `${statements(shard)}\n` +
    `-- 2. Then on every server a store URL may name (the Distributed tables hold no data; the version is\n` +
    `--    recorded last, through them; recording it again is harmless):\n\n${statements(entry)}`
  );
}

/**
 * Every statement that creates the schema, in order, for a single server (run on it) or for a cluster:
 * `shard` statements on every shard, `entry` statements on the server(s) the store URL names (the
 * Distributed tables, which hold no data, may be created on every shard too).
 */
export function schemaDdl(
  layout: Layout,
  database: string,
  o: DdlOptions = {},
): { readonly shard: readonly string[]; readonly entry: readonly string[] } {
  const shard = TABLES.map((t) => localTableDdl(t, layout, o));
  if (layout.kind === 'single') return { shard, entry: [] };
  return { shard, entry: TABLES.map((t) => distributedTableDdl(t, layout.cluster, database, o)) };
}

const VersionRow = rowDecoder('schemaVersion', z.object({ n: z.coerce.number(), v: z.coerce.number() }));
const TableRow = rowDecoder('schemaTables', z.object({ name: z.string() }));

/** The names of the tables this store reads, as the current database must have them. */
function expectedTables(layout: Layout): string[] {
  return TABLES.flatMap((t) => (layout.kind === 'cluster' ? [t.name, `${t.name}_local`] : [t.name]));
}

/** The statement recording that the tables of this schema version exist (the last step of creating them). */
function versionRecord(): string {
  const description = SCHEMA_VERSIONS.map((v) => v.description).join('; ');
  return `INSERT INTO schema_version (version, description) VALUES (${CLICKHOUSE_SCHEMA_VERSION}, ${clickHouseLiteral(description)})`;
}

/** Records that the tables of this schema version exist (the last step of creating them). */
function recordVersion(client: ClickHouseClient): Promise<void> {
  return client.command(sql`${raw(versionRecord())}`);
}

/**
 * Checks the database holds this version's tables, creating them when allowed (`create`: a command that
 * writes, on a single server; also completing a creation that was interrupted). Anything else is an
 * `InputError` (exit 2) naming the URL and what to do: no tables on a cluster (create them with the DDL of
 * docs/deploy-clickhouse.md), no tables for a command that only reads, some tables missing, tables of an
 * older or newer schema version, or tables whose creation did not finish.
 */
export async function ensureSchema(
  client: ClickHouseClient,
  layout: Layout,
  options: { readonly create: boolean },
): Promise<void> {
  const where = `ClickHouse at ${client.target.display}`;
  const fail = (message: string) => new InputError(`${where}${message}`, { field: '--store' });
  const present = new Set(
    (
      await client.query(sql`SELECT name FROM system.tables WHERE database = currentDatabase()`, TableRow)
    ).map((r) => r.name),
  );
  const expected = expectedTables(layout);
  const missing = expected.filter((t) => !present.has(t));
  const creates = options.create && layout.kind === 'single';
  if (missing.length === expected.length && !creates) {
    const print = `rlaudit clickhouse-ddl --store '${client.target.display}'`;
    throw layout.kind === 'cluster'
      ? fail(
          `: the database has no rlaudit tables on cluster ${layout.cluster}. Create them on every shard ` +
            'with the DDL of docs/deploy-clickhouse.md (rlaudit creates tables only on a single server); ' +
            `print it for this database and cluster: ${print}`,
        )
      : fail(
          ' holds no rlaudit tables yet: a command that writes (rlaudit ingest, simulate) creates them on a ' +
            `single server, or create them with the DDL of docs/deploy-clickhouse.md (${print} prints it)`,
        );
  }
  // the version first: tables of another version are refused before anything is created beside them
  const [row] = present.has('schema_version')
    ? await client.query(sql`SELECT count() AS n, max(version) AS v FROM schema_version`, VersionRow)
    : [];
  if (row && row.n > 0 && row.v < CLICKHOUSE_SCHEMA_VERSION) {
    throw fail(
      `: the rlaudit tables are of schema version ${row.v}, this rlaudit needs ${CLICKHOUSE_SCHEMA_VERSION} ` +
        `and does not alter ClickHouse tables itself. ${upgradeAdvice(row.v, layout, client.target.display)}`,
    );
  }
  if (row && row.n > 0 && row.v > CLICKHOUSE_SCHEMA_VERSION) {
    throw fail(
      `: the rlaudit tables are of schema version ${row.v}, newer than this rlaudit ` +
        `(${CLICKHOUSE_SCHEMA_VERSION}): upgrade rlaudit`,
    );
  }
  if (missing.length > 0 && creates) {
    for (const ddl of schemaDdl(layout, client.target.database).shard) await client.command(sql`${raw(ddl)}`);
  } else if (missing.length > 0) {
    throw fail(
      `: the database lacks the rlaudit tables ${missing.join(', ')}. Create them with the DDL of ` +
        `docs/deploy-clickhouse.md (schema version ${CLICKHOUSE_SCHEMA_VERSION})`,
    );
  }
  if (row && row.n > 0) return;
  if (creates) return recordVersion(client);
  throw fail(
    ': the rlaudit tables have no row in schema_version, so their creation did not finish. Check them ' +
      `against the DDL of docs/deploy-clickhouse.md, then record version ${CLICKHOUSE_SCHEMA_VERSION} in schema_version`,
  );
}

/**
 * What to do with a database of an older schema version: the later versions only add tables and derived
 * columns, so it is brought up by creating the tables (the DDL of docs/deploy-clickhouse.md), adding the
 * columns (the upgrade's ALTER statements) and recording the version; a version
 * before the first has no upgrade (a new database, and the runs copied into it).
 */
function upgradeAdvice(from: number, layout: Layout, display: string): string {
  const later = SCHEMA_VERSIONS.filter((v) => v.version > from);
  if (from < 1 || later.length === 0) {
    return 'Create a new database with the DDL of docs/deploy-clickhouse.md and write the runs into it (rlaudit copy)';
  }
  const tables = later.flatMap((v) => v.adds);
  const where =
    layout.kind === 'cluster'
      ? ` (${tables.map((t) => `${t}_local`).join(', ')} on every shard, then the Distributed tables)`
      : '';
  const firstDerived = Math.max(from + 1, DERIVED_COLUMNS_VERSION);
  const versions =
    firstDerived === CLICKHOUSE_SCHEMA_VERSION
      ? `${firstDerived}`
      : `${firstDerived} to ${CLICKHOUSE_SCHEMA_VERSION}`;
  const steps = [
    ...(tables.length > 0
      ? [`create the tables ${tables.join(', ')}${where} with the DDL of docs/deploy-clickhouse.md`]
      : []),
    // every version from 3 on adds derived columns: those added after `from`
    `add the derived text columns of version ${versions} with the ALTER TABLE statements of ` +
      `docs/deploy-clickhouse.md ("Upgrading to schema version ${CLICKHOUSE_SCHEMA_VERSION}"` +
      `${layout.kind === 'cluster' ? ': on every shard, then the Distributed tables' : ''}; ` +
      `rlaudit clickhouse-ddl --store '${display}' --upgrade ${Math.max(from, 2)} prints them)`,
  ];
  return (
    `Version ${later.map((v) => `${v.version} adds ${v.description}`).join('; ')}: ${steps.join(', then ')}, then record the version: ` +
    `INSERT INTO schema_version (version, description) VALUES (${CLICKHOUSE_SCHEMA_VERSION}, 'upgraded')` +
    ' (or create a new database and copy the runs into it with rlaudit copy)'
  );
}

/** Applies a cluster's DDL: local tables on each shard's client, Distributed tables on each too. */
export async function createClusterSchema(
  shards: readonly ClickHouseClient[],
  cluster: string,
  database: string,
): Promise<void> {
  const ddl = schemaDdl({ kind: 'cluster', cluster }, database);
  for (const c of shards) for (const s of ddl.shard) await c.command(sql`${raw(s)}`);
  for (const c of shards) for (const s of ddl.entry) await c.command(sql`${raw(s)}`);
  if (shards[0]) await recordVersion(shards[0]);
}
