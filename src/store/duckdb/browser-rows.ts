import { z } from 'zod';
import type { SessionRecord } from '../../model/schema.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import {
  isoTimestamp,
  jsonText,
  listOf,
  nullableNumber,
  nullableText,
  number,
  numberOrZero,
  text,
  textOrEmpty,
} from './decode.ts';

/** `listRuns`: per-run counts from LEFT JOINs (`coalesce(…, 0)`); an empty run has no first/last session. */
export const RunSummaryRow = rowDecoder(
  'listRuns',
  z.object({
    run: text,
    model: nullableText,
    sessions: number,
    first_session: nullableNumber,
    last_session: nullableNumber,
    events: number,
    annotations: number,
    rejects: number,
  }),
);

export const ExistsRow = rowDecoder('hasRun', z.object({ found: number }));

/** `getRun`: the run record's fields; `meta` is JSON cast to VARCHAR. */
export const RunRecordRow = rowDecoder(
  'getRun',
  z.object({ model: nullableText, description: nullableText, meta: jsonText }),
);

/**
 * A category is stored as text; a number-like one (`3`) was a number in the record and goes back as one.
 */
export const category = nullableText.transform((c) =>
  c === null ? null : /^-?\d+$/.test(c) ? Number(c) : c,
);

/**
 * `scanSessions`: a stored session back as a record of format v1 (`step` BIGINT, `time` TIMESTAMPTZ,
 * `flags` VARCHAR[] whose NULL means none, `nested_annotations` and `meta` JSON as VARCHAR).
 */
export const SessionRecordRow = rowDecoder(
  'scanSessions',
  z.object({
    session: number,
    step: nullableNumber,
    time: isoTimestamp,
    prompt_id: nullableText,
    prompt: nullableText,
    output: text,
    classification: nullableText,
    category,
    baseline_reward: nullableNumber,
    adjusted_reward: nullableNumber,
    differential_pct: nullableNumber,
    compliance_trajectory_index: nullableNumber,
    flags: listOf(text),
    nested_annotations: jsonText,
    meta: jsonText,
    phase: nullableText,
    checkpoint: nullableText,
  }),
);

/**
 * A decoded `scanSessions` row as the record it was ingested from (omitting `annotations`/`meta`/`phase`/
 * `checkpoint` when null; a checkpoint is stored as text, an integer one goes back as the number it was).
 */
export function sessionRecord(run: string, r: z.output<typeof SessionRecordRow.schema>): SessionRecord {
  const { nested_annotations, meta, phase, checkpoint, ...fields } = r;
  const out: Record<string, unknown> = { type: 'session', run, ...fields };
  if (nested_annotations) out.annotations = nested_annotations;
  if (meta) out.meta = meta;
  if (phase !== null) out.phase = phase;
  if (checkpoint !== null)
    out.checkpoint = /^(0|[1-9]\d*)$/.test(checkpoint) ? Number(checkpoint) : checkpoint;
  return out as SessionRecord;
}

/**
 * `listSessions`: the cluster-review row; annotation and event counts are correlated `count(*)`; lengths are
 * `length()` in characters (`prompt_length` NULL when there is no prompt).
 */
export const SessionListRow = rowDecoder(
  'listSessions',
  z.object({
    session: number,
    step: nullableNumber,
    classification: nullableText,
    category: nullableText,
    baseline_reward: nullableNumber,
    adjusted_reward: nullableNumber,
    differential_pct: nullableNumber,
    compliance_trajectory_index: nullableNumber,
    annotations: number,
    events: number,
    output_start: textOrEmpty,
    output_length: number,
    prompt_start: nullableText,
    prompt_length: nullableNumber,
    phase: text,
  }),
);

export const RejectListRow = rowDecoder(
  'listRejects',
  z.object({
    run: nullableText,
    source_file: text,
    source_line: number,
    record_type: nullableText,
    field: text,
    expected: text,
    got: text,
    conflict_file: nullableText,
    conflict_line: nullableNumber,
  }),
);

export const RejectCountRow = rowDecoder('countRejects', z.object({ n: numberOrZero }));

export const StepMetricListRow = rowDecoder(
  'listStepMetrics',
  z.object({ step: number, name: text, value: number }),
);

/** `scanRunRecords`: a standalone annotation (`flags` VARCHAR[] whose NULL means none, `meta` JSON as VARCHAR). */
export const StoredAnnotationRow = rowDecoder(
  'scanRunRecords.annotations',
  z.object({
    id: text,
    session: number,
    author: nullableText,
    text: text,
    time: isoTimestamp,
    classification: nullableText,
    flags: listOf(text),
    meta: jsonText,
  }),
);

/** `scanRunRecords`: an event (`target`, `trigger`, `meta` JSON as VARCHAR). */
export const StoredEventRow = rowDecoder(
  'scanRunRecords.events',
  z.object({
    id: text,
    session: number,
    kind: text,
    parameter: text,
    target: jsonText,
    from_value: nullableNumber,
    to_value: nullableNumber,
    change_pct: nullableNumber,
    trigger: jsonText,
    recommended_by: nullableText,
    note: nullableText,
    time: isoTimestamp,
    meta: jsonText,
  }),
);
