import { z } from 'zod';
import { rowDecoder } from '../sql/row-decoder.ts';
import { category } from './browser-rows.ts';
import {
  isoTimestamp,
  jsonObject,
  listOf,
  nullableNumber,
  nullableText,
  number,
  numberOrZero,
  text,
} from './decode.ts';
import { eventColumns } from './scans/phrase-rows.ts';

/**
 * `getSession`: one stored session whole (`flags` VARCHAR[] whose NULL means none, `meta` JSON as VARCHAR);
 * `index_in_step` and `sessions_in_step` are correlated `count(*)`, NULL when the session has no step.
 */
export const SessionDetailRow = rowDecoder(
  'getSession',
  z.object({
    session: number,
    step: nullableNumber,
    index_in_step: nullableNumber,
    sessions_in_step: nullableNumber,
    time: isoTimestamp,
    phase: text,
    checkpoint: nullableText,
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
    meta: jsonObject,
  }),
);

/** `sessionAnnotations`: every annotation of one session, nested or on its own line. */
export const SessionAnnotationRow = rowDecoder(
  'sessionAnnotations',
  z.object({
    id: text,
    author: nullableText,
    time: isoTimestamp,
    classification: nullableText,
    flags: listOf(text),
    text: text,
  }),
);

/** `sessionEvents`: the calibration events at one session; `target` and `trigger` are JSON as VARCHAR. */
export const SessionEventRow = rowDecoder(
  'sessionEvents',
  eventColumns.omit({ session: true }).extend({ time: isoTimestamp }),
);

export const SessionAtStepRow = rowDecoder('sessionAtStep', z.object({ session: number }));

/** The sessions of one step of a run (or of its sessions without a step), in session order. */
export const StepSessionsRow = rowDecoder(
  'stepSessions',
  z.object({ run: text, step: nullableNumber, sessions: z.array(number), indexes: z.array(nullableNumber) }),
);

/**
 * `sessionBounds`: aggregates over a run's sessions; over no rows `min`/`max` are NULL, and so are the
 * neighbours when nothing lies on that side (or no session or step was asked: the FILTER compares with NULL).
 */
export const SessionBoundsRow = rowDecoder(
  'sessionBounds',
  z.object({
    sessions: number,
    first_session: nullableNumber,
    last_session: nullableNumber,
    session_before: nullableNumber,
    session_after: nullableNumber,
    steps: number,
    first_step: nullableNumber,
    last_step: nullableNumber,
    step_before: nullableNumber,
    step_after: nullableNumber,
    sessions_at_step: numberOrZero,
  }),
);
