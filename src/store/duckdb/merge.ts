import { z } from 'zod';
import { INDEX_IN_STEP_KEY } from '../../sources/importers/run-cursors.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { ident, join, type SqlFragment, sql } from '../sql/sql.ts';
import type { IngestCounts } from '../store.ts';
import { number, text } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { inTransaction } from './transaction.ts';

/**
 * Merging a staged batch into a record table, with the ingest's reconciliation rules:
 * - the first row for a key that the table does not hold yet is inserted (accepted);
 * - a row whose key is held with identical content is a duplicate (re-ingest, or repeated in the file);
 * - a row whose key is held with different content is a conflict: rejected, never overwriting, and
 *   recorded in `rejects` with the file and line of the copy that was kept.
 * Content is compared column by column after the same casts the insert applies.
 */
export interface MergeSpec {
  readonly table: string;
  readonly stage: string;
  readonly recordType: string;
  readonly key: readonly string[];
  /** Target column → SQL expression over the stage row (casts from staged text). */
  readonly columns: readonly (readonly [string, SqlFragment])[];
  /** Columns compared as text (JSON). */
  readonly jsonColumns?: ReadonlySet<string>;
  /**
   * Keys of the `meta` column left out of the content comparison: bookkeeping rlaudit writes there (an
   * importer's index within the step), so that a row stored before the key existed is still a duplicate.
   */
  readonly metaKeysIgnored?: readonly string[];
  readonly filter?: SqlFragment;
  /** SQL expression over `s` naming the key in a reject message. */
  readonly keyLabel: SqlFragment;
}

const ProbeRow = rowDecoder('mergeProbe', z.object({ n: number, k: number, m: number }));
const OutcomeRow = rowDecoder('mergeOutcomes', z.object({ outcome: text, n: number }));

const where = (filter: SqlFragment | undefined) => (filter ? sql` WHERE ${filter}` : sql``);
const names = (cols: readonly string[]) => join(cols.map((c) => ident(c)));

function stageSelect(spec: MergeSpec): SqlFragment {
  const exprs = join(spec.columns.map(([col, expr]) => sql`${expr} AS ${ident(col)}`));
  return sql`SELECT ${exprs}, source_line FROM ${ident(spec.stage)}${where(spec.filter)}`;
}

function keyJoin(spec: MergeSpec): SqlFragment {
  return join(
    spec.key.map((k) => sql`${ident('x', k)} = ${ident('s', k)}`),
    ' AND ',
  );
}

/** A JSON merge patch (RFC 7386) that removes the given keys: `{"k": null}`. */
const ignoredPatch = (keys: readonly string[]) =>
  JSON.stringify(Object.fromEntries(keys.map((k) => [k, null])));

function sameContent(spec: MergeSpec): SqlFragment {
  return join(
    spec.columns
      .filter(([c]) => !spec.key.includes(c))
      .map(([c]) =>
        c === 'meta' && spec.metaKeysIgnored?.length
          ? sql`CAST(json_merge_patch(${ident('x', c)}, CAST(${ignoredPatch(spec.metaKeysIgnored)} AS JSON)) AS VARCHAR)
                IS NOT DISTINCT FROM CAST(json_merge_patch(${ident('s', c)}, CAST(${ignoredPatch(spec.metaKeysIgnored)} AS JSON)) AS VARCHAR)`
          : spec.jsonColumns?.has(c)
            ? sql`CAST(${ident('x', c)} AS VARCHAR) IS NOT DISTINCT FROM CAST(${ident('s', c)} AS VARCHAR)`
            : sql`${ident('x', c)} IS NOT DISTINCT FROM ${ident('s', c)}`,
      ),
    ' AND ',
  );
}

/** Runs inside the caller's transaction. Returns the batch's outcome counts for this table. */
export async function mergeStage(
  client: DuckDbClient,
  spec: MergeSpec,
  loadId: number,
  sourceFile: string,
): Promise<IngestCounts> {
  if (!inTransaction(client)) throw new Error('mergeStage runs inside the batch transaction');
  const cols = names(spec.columns.map(([c]) => c));
  const table = ident(spec.table);
  // Fast path, the common case of a fresh ingest: no key repeats within the batch and none is stored yet.
  const keys = names(spec.key);
  const [probe] = await client.query(
    sql`SELECT count(*) AS n, count(DISTINCT (${keys})) AS k,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ${table} x WHERE ${keyJoin(spec)})) AS m
          FROM ${ident(spec.stage)} s${where(spec.filter)}`,
    ProbeRow,
  );
  if (probe && probe.n === probe.k && probe.m === 0) {
    await client.exec(
      sql`INSERT INTO ${table} (${cols}, load_id, source_line)
        SELECT ${cols}, ${loadId}, source_line FROM (${stageSelect(spec)})`,
    );
    return { read: probe.n, accepted: probe.n, rejected: 0, duplicates: 0, conflicts: 0 };
  }
  await client.exec(
    sql`INSERT INTO ${table} (${cols}, load_id, source_line)
      SELECT ${cols}, ${loadId}, source_line FROM (
        SELECT *, row_number() OVER (PARTITION BY ${keys} ORDER BY source_line) AS rn
        FROM (${stageSelect(spec)})
      ) s
      WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM ${table} x WHERE ${keyJoin(spec)})`,
  );
  const same = sameContent(spec);
  const outcome = sql`CASE WHEN x.load_id = ${loadId} AND x.source_line = s.source_line THEN 'accepted'
    WHEN ${same} THEN 'duplicate' ELSE 'conflict' END`;
  const rows = await client.query(
    sql`WITH s AS (${stageSelect(spec)})
      SELECT ${outcome} AS outcome, count(*) AS n FROM s JOIN ${table} x ON ${keyJoin(spec)} GROUP BY 1`,
    OutcomeRow,
  );
  const counts: IngestCounts = { read: 0, accepted: 0, rejected: 0, duplicates: 0, conflicts: 0 };
  for (const { outcome, n } of rows) {
    counts.read += n;
    if (outcome === 'accepted') counts.accepted += n;
    else if (outcome === 'duplicate') counts.duplicates += n;
    else {
      counts.conflicts += n;
      counts.rejected += n;
    }
  }
  if (counts.conflicts > 0) {
    const field = spec.key[spec.key.length - 1]!;
    await client.exec(
      sql`WITH s AS (${stageSelect(spec)})
        INSERT INTO rejects (run, load_id, source_file, source_line, record_type, field, expected, got,
                             conflict_file, conflict_line)
        SELECT s.run, ${loadId}, ${sourceFile}, s.source_line, ${spec.recordType}, ${field},
               'the same content as the copy already stored (a conflict: the stored copy is kept)',
               ${spec.keyLabel} || ' with different content', l.abs_path, x.source_line
        FROM s JOIN ${table} x ON ${keyJoin(spec)} LEFT JOIN loads l ON l.load_id = x.load_id
        WHERE NOT (x.load_id = ${loadId} AND x.source_line = s.source_line) AND NOT (${same})
          AND NOT EXISTS (SELECT 1 FROM rejects r WHERE r.source_file = ${sourceFile} AND r.source_line = s.source_line
                          AND r.field = ${field} AND r.conflict_file IS NOT DISTINCT FROM l.abs_path)`,
    );
  }
  return counts;
}

const col = (name: string) => ident(name);
const ts = (name: string) => sql`CAST(${ident(name)} AS TIMESTAMPTZ)`;
const list = (name: string) => sql`CAST(CAST(${ident(name)} AS JSON) AS VARCHAR[])`;
const json = (name: string) => sql`CAST(${ident(name)} AS JSON)`;
/** Columns copied from the stage as they are. */
const copied = (...columns: readonly string[]) => columns.map((c) => [c, col(c)] as const);

export const SESSION_MERGE: MergeSpec = {
  table: 'sessions',
  stage: 'stage_sessions',
  recordType: 'session',
  key: ['run', 'session'],
  keyLabel: sql`'session ' || s.session`,
  jsonColumns: new Set(['nested_annotations', 'meta']),
  metaKeysIgnored: [INDEX_IN_STEP_KEY],
  columns: [
    ...copied('run', 'session', 'step'),
    ['time', ts('time')],
    ...copied(
      'prompt_id',
      'prompt',
      'output',
      'classification',
      'category',
      'baseline_reward',
      'adjusted_reward',
      'differential_pct',
      'compliance_trajectory_index',
    ),
    ['flags', list('flags')],
    ['nested_annotations', json('nested_annotations')],
    ['meta', json('meta')],
    ...copied('phase', 'checkpoint'),
  ],
};

const ANNOTATION_COLUMNS: readonly (readonly [string, SqlFragment])[] = [
  ...copied('run', 'id', 'session', 'author', 'text'),
  ['time', ts('time')],
  ['classification', col('classification')],
  ['flags', list('flags')],
  ['meta', json('meta')],
  ['nested', col('nested')],
];

export const ANNOTATION_MERGE: MergeSpec = {
  table: 'annotations',
  stage: 'stage_annotations',
  recordType: 'annotation',
  key: ['run', 'id'],
  keyLabel: sql`'annotation ' || s.id`,
  jsonColumns: new Set(['meta']),
  filter: sql`NOT nested`,
  columns: ANNOTATION_COLUMNS,
};

export const EVENT_MERGE: MergeSpec = {
  table: 'events',
  stage: 'stage_events',
  recordType: 'event',
  key: ['run', 'id'],
  keyLabel: sql`'event ' || s.id`,
  jsonColumns: new Set(['target', 'trigger', 'meta']),
  columns: [
    ...copied('run', 'id', 'session', 'kind', 'parameter'),
    ['target', json('target')],
    ...copied('from_value', 'to_value', 'change_pct'),
    ['trigger', json('trigger')],
    ...copied('recommended_by', 'note'),
    ['time', ts('time')],
    ['meta', json('meta')],
  ],
};

/**
 * Nested annotations belong to their session: they are stored when their session was accepted in this load
 * (a duplicate session brings no new annotations), and are not counted as rows of their own.
 */
export async function insertNestedAnnotations(client: DuckDbClient, loadId: number): Promise<void> {
  if (!inTransaction(client)) throw new Error('insertNestedAnnotations runs inside the batch transaction');
  const cols = names(ANNOTATION_COLUMNS.map(([c]) => c));
  const exprs = join(ANNOTATION_COLUMNS.map(([c, e]) => sql`${e} AS ${ident(c)}`));
  await client.exec(
    sql`INSERT INTO annotations (${cols}, load_id, source_line)
      SELECT ${cols}, ${loadId}, source_line FROM (
        SELECT *, row_number() OVER (PARTITION BY run, id ORDER BY source_line) AS rn
        FROM (SELECT ${exprs}, source_line FROM stage_annotations WHERE nested) n
        WHERE EXISTS (SELECT 1 FROM sessions p WHERE p.load_id = ${loadId} AND p.source_line = n.source_line)
      ) s
      -- one annotation per id and run: the first session's copy (ids within one session are distinct, validated)
      WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM annotations x WHERE x.run = s.run AND x.id = s.id)`,
  );
}
