import { createHash } from 'node:crypto';
import type {
  AnnotationRecord,
  EventRecord,
  NestedAnnotation,
  RunRecord,
  SessionRecord,
} from '../../model/schema.ts';
import { stableStringify } from '../../model/stable-stringify.ts';
import { INDEX_IN_STEP_KEY } from '../../sources/importers/run-cursors.ts';
import type { Staged } from '../store.ts';

/**
 * The record tables' rows as the ClickHouse writer builds, compares and inserts them: one plain object per
 * row with the table's column names (src/store/clickhouse/clickhouse-schema.ts), in the same encodings the
 * DuckDB store stores (src/store/duckdb/stage-tables.ts): nested values as canonical JSON text
 * (`stableStringify`), a time as microseconds since the epoch (UTC), empty flags as the empty array, the
 * training phase as null, ids derived from content where the record has none.
 */
export type Row = Record<string, unknown>;

/** A record table the writer merges into: its key, its content columns, and which of them are Float64. */
export interface RecordTable {
  readonly name: 'sessions' | 'annotations' | 'events' | 'step_metrics';
  readonly recordType: string;
  /** The key; the last part is what a conflict's `field` names (`session`, `id`, the metric name). */
  readonly key: readonly string[];
  /** The columns besides the key that make a row's content. */
  readonly content: readonly string[];
  /** Float64 columns: they travel to the server as their IEEE-754 bits (18.16 parses JSON floats inexactly). */
  readonly floats: ReadonlySet<string>;
  /** Int64 columns other than `load_id`/`source_line` (the server returns them as quoted text). */
  readonly ints: ReadonlySet<string>;
}

export const SESSIONS: RecordTable = {
  name: 'sessions',
  recordType: 'session',
  key: ['run', 'session'],
  content: [
    'step',
    'time',
    'prompt_id',
    'prompt',
    'output',
    'classification',
    'category',
    'baseline_reward',
    'adjusted_reward',
    'differential_pct',
    'compliance_trajectory_index',
    'flags',
    'nested_annotations',
    'meta',
    'phase',
    'checkpoint',
  ],
  floats: new Set(['baseline_reward', 'adjusted_reward', 'differential_pct', 'compliance_trajectory_index']),
  ints: new Set(['session', 'step', 'time']),
};

export const ANNOTATIONS: RecordTable = {
  name: 'annotations',
  recordType: 'annotation',
  key: ['run', 'id'],
  content: ['session', 'author', 'text', 'time', 'classification', 'flags', 'meta', 'nested'],
  floats: new Set(),
  ints: new Set(['session', 'time', 'nested']),
};

export const EVENTS: RecordTable = {
  name: 'events',
  recordType: 'event',
  key: ['run', 'id'],
  content: [
    'session',
    'kind',
    'parameter',
    'target',
    'from_value',
    'to_value',
    'change_pct',
    'trigger',
    'recommended_by',
    'note',
    'time',
    'meta',
  ],
  floats: new Set(['from_value', 'to_value', 'change_pct']),
  ints: new Set(['session', 'time']),
};

export const STEP_METRICS: RecordTable = {
  name: 'step_metrics',
  recordType: 'step_metrics',
  key: ['run', 'step', 'name'],
  content: ['value'],
  floats: new Set(['value']),
  ints: new Set(['step']),
};

const TRAINING_PHASE = 'training';

const json = (v: unknown): string | null => (v === undefined || v === null ? null : stableStringify(v));
const str = (v: string | number | null | undefined): string | null =>
  v === undefined || v === null ? null : String(v);
const orNull = (v: number | null | undefined): number | null => (v === undefined ? null : v);

/**
 * Microseconds since the epoch of an ISO 8601 time (what DuckDB's TIMESTAMPTZ keeps): the milliseconds of
 * `Date.parse` plus the fraction's digits below a millisecond.
 */
export function timeMicros(time: string | number | null | undefined): number | null {
  if (time === undefined || time === null) return null;
  const text = String(time);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return null;
  const sub = /\.\d{3}(\d{1,3})/.exec(text)?.[1] ?? '';
  return ms * 1000 + (sub === '' ? 0 : Number(sub.padEnd(3, '0')));
}

/** A stored time (microseconds) as DuckDB's store returns it: ISO 8601 text of its millisecond. */
export function isoOfMicros(us: number | null): string | null {
  return us === null ? null : new Date(Math.floor(us / 1000)).toISOString();
}

export function sessionRow(s: Staged<SessionRecord>): Row {
  const r = s.record;
  return {
    run: s.run,
    session: r.session,
    step: orNull(r.step),
    time: timeMicros(r.time),
    prompt_id: str(r.prompt_id),
    prompt: str(r.prompt),
    output: r.output,
    classification: str(r.classification),
    category: str(r.category),
    baseline_reward: orNull(r.baseline_reward),
    adjusted_reward: orNull(r.adjusted_reward),
    differential_pct: orNull(r.differential_pct),
    compliance_trajectory_index: orNull(r.compliance_trajectory_index),
    flags: r.flags ?? [],
    nested_annotations: r.annotations && r.annotations.length > 0 ? stableStringify(r.annotations) : null,
    meta: json(r.meta),
    // training is stored as null, as a record without a phase is (stage-tables.ts)
    phase: r.phase === TRAINING_PHASE ? null : str(r.phase),
    checkpoint: str(r.checkpoint),
    source_line: s.line,
  };
}

function annotationValues(
  run: string,
  id: string,
  session: number,
  a: NestedAnnotation,
  nested: boolean,
  line: number,
): Row {
  return {
    run,
    id,
    session,
    author: str(a.author),
    text: a.text,
    time: timeMicros(a.time),
    classification: str(a.classification),
    flags: a.flags ?? [],
    meta: json(a.meta),
    nested: nested ? 1 : 0,
    source_line: line,
  };
}

/** Nested annotation ids default to `a-<session>-<n>` (n = 1-based position in the session). */
export function nestedAnnotationRows(s: Staged<SessionRecord>): Row[] {
  return (s.record.annotations ?? []).map((a, i) =>
    annotationValues(s.run, a.id ?? `a-${s.record.session}-${i + 1}`, s.record.session, a, true, s.line),
  );
}

export function annotationRow(s: Staged<AnnotationRecord>): Row {
  const r = s.record;
  return annotationValues(s.run, r.id ?? `a-${r.session}-${contentId(r)}`, r.session, r, false, s.line);
}

export function eventRow(s: Staged<EventRecord>): Row {
  const r = s.record;
  return {
    run: s.run,
    id: r.id ?? `e-${r.session}-${contentId(r)}`,
    session: r.session,
    kind: r.kind,
    parameter: r.parameter,
    target: stableStringify(r.target),
    from_value: orNull(r.from),
    to_value: orNull(r.to),
    change_pct: orNull(r.change_pct),
    trigger: json(r.trigger),
    recommended_by: str(r.recommended_by),
    note: str(r.note),
    time: timeMicros(r.time),
    meta: json(r.meta),
    source_line: s.line,
  };
}

/** The same content id as the DuckDB store's (stage-tables.ts), so both stores derive the same ids. */
function contentId(r: object): string {
  const { run: _run, ...rest } = r as Record<string, unknown>;
  return createHash('sha1').update(stableStringify(rest)).digest('hex').slice(0, 10);
}

export function runRecordContent(r: RunRecord): {
  model: string | null;
  description: string | null;
  meta: string | null;
} {
  return { model: r.model ?? null, description: r.description ?? null, meta: json(r.meta) };
}

/** A column value as compared: Int64 text as a number, null for absent. */
function normal(t: RecordTable, column: string, v: unknown): unknown {
  if (column === 'meta' && t === SESSIONS) {
    // bookkeeping an importer writes into meta is no part of the content: as DuckDB's merge patch
    // `{"rlaudit_index_in_step": null}` (merge.ts), which also makes a missing meta `{}`
    const o = (typeof v === 'string' ? JSON.parse(v) : {}) as Record<string, unknown>;
    if (o && typeof o === 'object' && !Array.isArray(o)) {
      delete o[INDEX_IN_STEP_KEY];
      return stableStringify(o);
    }
    return stableStringify(o);
  }
  if (v === undefined || v === null) return null;
  if (t.ints.has(column) || t.key.includes(column)) {
    return typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  }
  return v;
}

/** The key of a row, as one string. */
export function keyOf(t: RecordTable, r: Row): string {
  return JSON.stringify(t.key.map((k) => normal(t, k, r[k])));
}

/**
 * A row's content as one string: equal for two rows exactly when DuckDB's merge (`IS NOT DISTINCT FROM`
 * column by column, JSON as text) finds them the same. -0 and 0 are the same (as in SQL).
 */
export function contentOf(t: RecordTable, r: Row): string {
  return JSON.stringify(t.content.map((c) => normal(t, c, r[c])));
}

/** The little-endian IEEE-754 bits of a double as hex: `reinterpretAsFloat64(unhex(…))` on the server. */
export function floatBits(v: number | null): string | null {
  if (v === null) return null;
  return Buffer.from(new Float64Array([v]).buffer).toString('hex');
}
