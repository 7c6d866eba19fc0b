import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBAppender,
  DuckDBDataChunk,
  DuckDBTimestampTZValue,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  TIMESTAMPTZ,
  VARCHAR,
} from '@duckdb/node-api';
import type { AnnotationRecord, EventRecord, NestedAnnotation, SessionRecord } from '../../model/schema.ts';
import { stableStringify } from '../../model/stable-stringify.ts';
import { contentId } from '../content-id.ts';
import { ident, join, raw, sql } from '../sql/sql.ts';
import type { Staged } from '../store.ts';
import type { DuckDbClient } from './duckdb-client.ts';

/** The phase a session without one is in (docs/record-format.md#phases). */
const TRAINING_PHASE = 'training';

/**
 * Scratch tables (TEMP, per connection) that one batch is appended into before it is merged into the
 * record tables in a single transaction. Nested values travel as canonical JSON text and are cast in SQL.
 */
interface StageSpec {
  readonly name: string;
  /** Where the table lives; stage tables are TEMP (catalog `temp`). */
  readonly schema?: string;
  readonly catalog?: string | null;
  readonly columns: readonly (readonly [string, DuckDBType])[];
}

export const STAGE_SESSIONS: StageSpec = {
  name: 'stage_sessions',
  columns: [
    ['run', VARCHAR],
    ['session', BIGINT],
    ['step', BIGINT],
    ['time', VARCHAR],
    ['prompt_id', VARCHAR],
    ['prompt', VARCHAR],
    ['output', VARCHAR],
    ['classification', VARCHAR],
    ['category', VARCHAR],
    ['baseline_reward', DOUBLE],
    ['adjusted_reward', DOUBLE],
    ['differential_pct', DOUBLE],
    ['compliance_trajectory_index', DOUBLE],
    ['flags', VARCHAR],
    ['nested_annotations', VARCHAR],
    ['meta', VARCHAR],
    ['source_line', BIGINT],
    // added by migration 5, so they come after `source_line` in the `sessions` table too
    ['phase', VARCHAR],
    ['checkpoint', VARCHAR],
  ],
};

/** The stage's columns up to `source_line`: the record columns of migration 1. */
const V1_COLUMNS = STAGE_SESSIONS.columns.findIndex(([n]) => n === 'source_line');

export const STAGE_ANNOTATIONS: StageSpec = {
  name: 'stage_annotations',
  columns: [
    ['run', VARCHAR],
    ['id', VARCHAR],
    ['session', BIGINT],
    ['author', VARCHAR],
    ['text', VARCHAR],
    ['time', VARCHAR],
    ['classification', VARCHAR],
    ['flags', VARCHAR],
    ['meta', VARCHAR],
    ['nested', BOOLEAN],
    ['source_line', BIGINT],
  ],
};

export const STAGE_EVENTS: StageSpec = {
  name: 'stage_events',
  columns: [
    ['run', VARCHAR],
    ['id', VARCHAR],
    ['session', BIGINT],
    ['kind', VARCHAR],
    ['parameter', VARCHAR],
    ['target', VARCHAR],
    ['from_value', DOUBLE],
    ['to_value', DOUBLE],
    ['change_pct', DOUBLE],
    ['trigger', VARCHAR],
    ['recommended_by', VARCHAR],
    ['note', VARCHAR],
    ['time', VARCHAR],
    ['meta', VARCHAR],
    ['source_line', BIGINT],
  ],
};

export const STAGES = [STAGE_SESSIONS, STAGE_ANNOTATIONS, STAGE_EVENTS] as const;

/** Where the `sessions` table's columns differ in type from the staged ones (which carry text). */
const TABLE_TYPES: Readonly<Record<string, DuckDBType>> = { time: TIMESTAMPTZ, flags: LIST(VARCHAR) };

/**
 * The `sessions` record table itself, for appending a batch directly when no key of it can collide: the
 * stage's columns with their table types, and `load_id` before `source_line` (the columns of later
 * migrations follow, as in the table). (`nested_annotations` and `meta` are JSON in the table; DuckDB's
 * JSON is VARCHAR with an alias.)
 */
export const SESSIONS_TABLE: StageSpec = {
  name: 'sessions',
  schema: 'main',
  catalog: null,
  columns: [
    ...STAGE_SESSIONS.columns.slice(0, V1_COLUMNS).map(([n, t]) => [n, TABLE_TYPES[n] ?? t] as const),
    ['load_id', BIGINT],
    ...STAGE_SESSIONS.columns.slice(V1_COLUMNS),
  ],
};

/**
 * The `events` record table, for appending a reward service batch's events directly: the stage's columns with
 * `time` as a timestamp, and `load_id` before `source_line`.
 */
export const EVENTS_TABLE: StageSpec = {
  name: 'events',
  schema: 'main',
  catalog: null,
  columns: [
    ...STAGE_EVENTS.columns
      .filter(([n]) => n !== 'source_line')
      .map(([n, t]) => [n, n === 'time' ? TIMESTAMPTZ : t] as const),
    ['load_id', BIGINT],
    ['source_line', BIGINT],
  ],
};

const column = (name: string) => STAGE_SESSIONS.columns.findIndex(([n]) => n === name);
const TIME = column('time');
const FLAGS = column('flags');

/** A session as a row of the `sessions` table: its staged row with typed time and flags, plus the load. */
export function sessionTableRow(s: Staged<SessionRecord>, loadId: number): DuckDBValue[] {
  const r = s.record;
  const row = sessionRow(s);
  row[TIME] = r.time ? new DuckDBTimestampTZValue(BigInt(Date.parse(String(r.time))) * 1000n) : null;
  row[FLAGS] = r.flags && r.flags.length > 0 ? listValue(r.flags) : null;
  row.splice(V1_COLUMNS, 0, BigInt(loadId));
  return row;
}

export async function createStageTables(client: DuckDbClient): Promise<void> {
  for (const s of STAGES) {
    // a type's SQL name (`VARCHAR`, `BIGINT`) is DuckDB's own text for a type we chose
    const cols = join(s.columns.map(([n, t]) => sql`${ident(n)} ${raw(t.toString())}`));
    await client.exec(sql`CREATE OR REPLACE TEMP TABLE ${ident(s.name)} (${cols})`);
  }
}

const CHUNK = 2048;

/** Appends rows to a stage table in DuckDB data chunks (far faster than value-by-value appends). */
export async function appendRows(
  client: DuckDbClient,
  spec: StageSpec,
  rows: readonly (readonly DuckDBValue[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const appender: DuckDBAppender = await client.connection.createAppender(
    spec.name,
    spec.schema ?? 'main',
    spec.catalog === undefined ? 'temp' : spec.catalog,
  );
  const types = spec.columns.map(([, t]) => t);
  try {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const part = rows.slice(i, i + CHUNK);
      const chunk = DuckDBDataChunk.create(types, part.length);
      chunk.setRows(part);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : stableStringify(v));
const big = (v: number | null | undefined): bigint | null =>
  v === undefined || v === null ? null : BigInt(v);
const str = (v: string | number | null | undefined): string | null =>
  v === undefined || v === null ? null : String(v);
/** An optional number of a record as a nullable column value. */
const orNull = (v: number | null | undefined): number | null => (v === undefined ? null : v);

export function sessionRow(s: Staged<SessionRecord>): DuckDBValue[] {
  const r = s.record;
  return [
    s.run,
    BigInt(r.session),
    big(r.step),
    str(r.time),
    str(r.prompt_id),
    str(r.prompt),
    r.output,
    str(r.classification),
    str(r.category),
    orNull(r.baseline_reward),
    orNull(r.adjusted_reward),
    orNull(r.differential_pct),
    orNull(r.compliance_trajectory_index),
    r.flags && r.flags.length > 0 ? JSON.stringify(r.flags) : null,
    r.annotations && r.annotations.length > 0 ? stableStringify(r.annotations) : null,
    json(r.meta),
    BigInt(s.line),
    // training is stored as null, as a record without a phase is: a session says the same whether it names
    // its training phase or not, so re-reading it with or without `--phase training` is a duplicate
    r.phase === TRAINING_PHASE ? null : str(r.phase),
    str(r.checkpoint),
  ];
}

/** Annotation ids default to `a-<session>-<n>` for nested ones (n = 1-based position in the session). */
export function nestedAnnotationRows(s: Staged<SessionRecord>): DuckDBValue[][] {
  return (s.record.annotations ?? []).map((a: NestedAnnotation, i) =>
    annotationValues(s.run, a.id ?? `a-${s.record.session}-${i + 1}`, s.record.session, a, true, s.line),
  );
}

export function annotationRow(s: Staged<AnnotationRecord>): DuckDBValue[] {
  const r = s.record;
  return annotationValues(s.run, r.id ?? `a-${r.session}-${contentId(r)}`, r.session, r, false, s.line);
}

function annotationValues(
  run: string,
  id: string,
  session: number,
  a: NestedAnnotation,
  nested: boolean,
  line: number,
): DuckDBValue[] {
  return [
    run,
    id,
    BigInt(session),
    str(a.author),
    a.text,
    str(a.time),
    str(a.classification),
    a.flags && a.flags.length > 0 ? JSON.stringify(a.flags) : null,
    json(a.meta),
    nested,
    BigInt(line),
  ];
}

/** Events without an id get one derived from their content, so a re-ingest finds the same id. */
export function eventRow(s: Staged<EventRecord>): DuckDBValue[] {
  const r = s.record;
  return [
    s.run,
    r.id ?? `e-${r.session}-${contentId(r)}`,
    BigInt(r.session),
    r.kind,
    r.parameter,
    stableStringify(r.target),
    orNull(r.from),
    orNull(r.to),
    orNull(r.change_pct),
    json(r.trigger),
    str(r.recommended_by),
    str(r.note),
    str(r.time),
    json(r.meta),
    BigInt(s.line),
  ];
}
