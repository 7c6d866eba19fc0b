import type { IngestCounts } from '../store.ts';
import type { DuckDbClient } from './duckdb-client.ts';

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
  readonly columns: readonly (readonly [string, string])[];
  /** Columns compared as text (JSON). */
  readonly jsonColumns?: ReadonlySet<string>;
  readonly filter?: string;
  /** SQL expression over `s` naming the key in a reject message. */
  readonly keyLabel: string;
}

function stageSelect(spec: MergeSpec): string {
  const exprs = spec.columns.map(([col, expr]) => `${expr} AS ${col}`).join(', ');
  return `SELECT ${exprs}, source_line FROM ${spec.stage}${spec.filter ? ` WHERE ${spec.filter}` : ''}`;
}

function keyJoin(spec: MergeSpec): string {
  return spec.key.map((k) => `x.${k} = s.${k}`).join(' AND ');
}

function sameContent(spec: MergeSpec): string {
  return spec.columns
    .filter(([c]) => !spec.key.includes(c))
    .map(([c]) =>
      spec.jsonColumns?.has(c)
        ? `CAST(x.${c} AS VARCHAR) IS NOT DISTINCT FROM CAST(s.${c} AS VARCHAR)`
        : `x.${c} IS NOT DISTINCT FROM s.${c}`,
    )
    .join(' AND ');
}

/** Runs inside the caller's transaction. Returns the batch's outcome counts for this table. */
export async function mergeStage(
  client: DuckDbClient,
  spec: MergeSpec,
  loadId: number,
  sourceFile: string,
): Promise<IngestCounts> {
  const cols = spec.columns.map(([c]) => c);
  const params = { load: loadId };
  // Fast path, the common case of a fresh ingest: no key repeats within the batch and none is stored yet.
  const keys = spec.key.join(', ');
  const [probe] = await client.query<{ n: bigint; k: bigint; m: bigint }>({
    sql: `SELECT count(*) AS n, count(DISTINCT (${keys})) AS k,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ${spec.table} x WHERE ${keyJoin(spec)})) AS m
          FROM ${spec.stage} s${spec.filter ? ` WHERE ${spec.filter}` : ''}`,
  });
  if (probe && probe.n === probe.k && probe.m === 0n) {
    await client.exec({
      sql: `INSERT INTO ${spec.table} (${cols.join(', ')}, load_id, source_line)
        SELECT ${cols.join(', ')}, $load, source_line FROM (${stageSelect(spec)})`,
      params,
    });
    const n = Number(probe.n);
    return { read: n, accepted: n, rejected: 0, duplicates: 0, conflicts: 0 };
  }
  await client.exec({
    sql: `INSERT INTO ${spec.table} (${cols.join(', ')}, load_id, source_line)
      SELECT ${cols.join(', ')}, $load, source_line FROM (
        SELECT *, row_number() OVER (PARTITION BY ${spec.key.join(', ')} ORDER BY source_line) AS rn
        FROM (${stageSelect(spec)})
      ) s
      WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM ${spec.table} x WHERE ${keyJoin(spec)})`,
    params,
  });
  const same = sameContent(spec);
  const outcome = `CASE WHEN x.load_id = $load AND x.source_line = s.source_line THEN 'accepted'
    WHEN ${same} THEN 'duplicate' ELSE 'conflict' END`;
  const rows = await client.query<{ outcome: string; n: bigint }>({
    sql: `WITH s AS (${stageSelect(spec)})
      SELECT ${outcome} AS outcome, count(*) AS n FROM s JOIN ${spec.table} x ON ${keyJoin(spec)} GROUP BY 1`,
    params,
  });
  const counts: IngestCounts = { read: 0, accepted: 0, rejected: 0, duplicates: 0, conflicts: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    counts.read += n;
    if (r.outcome === 'accepted') counts.accepted += n;
    else if (r.outcome === 'duplicate') counts.duplicates += n;
    else {
      counts.conflicts += n;
      counts.rejected += n;
    }
  }
  if (counts.conflicts > 0) {
    await client.exec({
      sql: `WITH s AS (${stageSelect(spec)})
        INSERT INTO rejects (run, load_id, source_file, source_line, record_type, field, expected, got,
                             conflict_file, conflict_line)
        SELECT s.run, $load, $file, s.source_line, $type, $field,
               'the same content as the copy already stored (a conflict: the stored copy is kept)',
               ${spec.keyLabel} || ' with different content', l.abs_path, x.source_line
        FROM s JOIN ${spec.table} x ON ${keyJoin(spec)} LEFT JOIN loads l ON l.load_id = x.load_id
        WHERE NOT (x.load_id = $load AND x.source_line = s.source_line) AND NOT (${same})
          AND NOT EXISTS (SELECT 1 FROM rejects r WHERE r.source_file = $file AND r.source_line = s.source_line
                          AND r.field = $field AND r.conflict_file IS NOT DISTINCT FROM l.abs_path)`,
      params: { ...params, file: sourceFile, type: spec.recordType, field: spec.key[spec.key.length - 1] },
    });
  }
  return counts;
}

const ts = (col: string) => `CAST(${col} AS TIMESTAMPTZ)`;
const list = (col: string) => `CAST(CAST(${col} AS JSON) AS VARCHAR[])`;

export const SESSION_MERGE: MergeSpec = {
  table: 'sessions',
  stage: 'stage_sessions',
  recordType: 'session',
  key: ['run', 'session'],
  keyLabel: `'session ' || s.session`,
  jsonColumns: new Set(['nested_annotations', 'meta']),
  columns: [
    ['run', 'run'],
    ['session', 'session'],
    ['step', 'step'],
    ['time', ts('time')],
    ['prompt_id', 'prompt_id'],
    ['prompt', 'prompt'],
    ['output', 'output'],
    ['classification', 'classification'],
    ['category', 'category'],
    ['baseline_reward', 'baseline_reward'],
    ['adjusted_reward', 'adjusted_reward'],
    ['differential_pct', 'differential_pct'],
    ['compliance_trajectory_index', 'compliance_trajectory_index'],
    ['flags', list('flags')],
    ['nested_annotations', 'CAST(nested_annotations AS JSON)'],
    ['meta', 'CAST(meta AS JSON)'],
  ],
};

const ANNOTATION_COLUMNS: readonly (readonly [string, string])[] = [
  ['run', 'run'],
  ['id', 'id'],
  ['session', 'session'],
  ['author', 'author'],
  ['text', 'text'],
  ['time', ts('time')],
  ['classification', 'classification'],
  ['flags', list('flags')],
  ['meta', 'CAST(meta AS JSON)'],
  ['nested', 'nested'],
];

export const ANNOTATION_MERGE: MergeSpec = {
  table: 'annotations',
  stage: 'stage_annotations',
  recordType: 'annotation',
  key: ['run', 'id'],
  keyLabel: `'annotation ' || s.id`,
  jsonColumns: new Set(['meta']),
  filter: 'NOT nested',
  columns: ANNOTATION_COLUMNS,
};

export const EVENT_MERGE: MergeSpec = {
  table: 'events',
  stage: 'stage_events',
  recordType: 'event',
  key: ['run', 'id'],
  keyLabel: `'event ' || s.id`,
  jsonColumns: new Set(['target', 'trigger', 'meta']),
  columns: [
    ['run', 'run'],
    ['id', 'id'],
    ['session', 'session'],
    ['kind', 'kind'],
    ['parameter', 'parameter'],
    ['target', 'CAST(target AS JSON)'],
    ['from_value', 'from_value'],
    ['to_value', 'to_value'],
    ['change_pct', 'change_pct'],
    ['trigger', 'CAST(trigger AS JSON)'],
    ['recommended_by', 'recommended_by'],
    ['note', 'note'],
    ['time', ts('time')],
    ['meta', 'CAST(meta AS JSON)'],
  ],
};

/**
 * Nested annotations belong to their session: they are stored when their session was accepted in this load
 * (a duplicate session brings no new annotations), and are not counted as rows of their own.
 */
export async function insertNestedAnnotations(client: DuckDbClient, loadId: number): Promise<void> {
  const cols = ANNOTATION_COLUMNS.map(([c]) => c);
  const exprs = ANNOTATION_COLUMNS.map(([c, e]) => `${e} AS ${c}`).join(', ');
  await client.exec({
    sql: `INSERT INTO annotations (${cols.join(', ')}, load_id, source_line)
      SELECT ${cols.join(', ')}, $load, source_line FROM (SELECT ${exprs}, source_line FROM stage_annotations WHERE nested) s
      WHERE EXISTS (SELECT 1 FROM sessions p WHERE p.load_id = $load AND p.source_line = s.source_line)
        AND NOT EXISTS (SELECT 1 FROM annotations x WHERE x.run = s.run AND x.id = s.id)`,
    params: { load: loadId },
  });
}
