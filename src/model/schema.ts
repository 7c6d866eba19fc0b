import { z } from 'zod';

/**
 * Record format v1 (docs/record-format.md): the contract between the simulator, importers, the store and
 * the analyses. One JSON object per line; `type` is `run`, `session`, `annotation` or `event`, and a line
 * without `type` is a session. Unknown fields are not errors: `splitUnknown` moves them into `meta`.
 */

/** Record types of format v1. */
export const RECORD_TYPES = ['run', 'session', 'annotation', 'event'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

const finite = z.number().refine(Number.isFinite, { message: 'a finite number' });
const optionalFinite = finite.nullable().optional();
const text = z.string();
/**
 * Why `id` is not a run id, in the record format's words, or null when it is one: 1–200 characters, no
 * whitespace or slashes, and not `.` or `..` (a run id names a directory of reports).
 */
export function runIdProblem(id: string): string | null {
  if (id.length === 0) return 'a non-empty run id';
  if (id.length > 200) return 'a run id of at most 200 characters';
  if (!/^[^\s/\\]+$/.test(id)) return 'a run id without whitespace or slashes';
  if (id === '.' || id === '..') return "a run id other than '.' and '..'";
  return null;
}

const runId = z
  .string()
  .min(1, 'a non-empty run id')
  .max(200, 'a run id of at most 200 characters')
  .regex(/^[^\s/\\]+$/, 'a run id without whitespace or slashes')
  .regex(/^(?!\.\.?$)/, "a run id other than '.' and '..'");
/** Session numbers are the audit's time axis: positive safe integers, unique within a run. */
const sessionNumber = z
  .number()
  .int('an integer session number')
  .positive('a positive session number')
  .max(Number.MAX_SAFE_INTEGER);
/** ISO 8601 text or epoch seconds; normalized to ISO 8601 UTC by `normalizeTime`. */
const time = z
  .union([z.string(), finite])
  .nullable()
  .optional()
  .refine((v) => v === null || v === undefined || normalizeTime(v) !== null, {
    message: 'an ISO 8601 time or epoch seconds',
  });
const meta = z.record(z.string(), z.unknown()).optional();
const flags = z.array(z.string()).optional();

/** A trainer comment. Nested in a session (`annotations: [...]`) or on a line of its own. */
export const NestedAnnotationSchema = z.object({
  id: text.min(1).optional(),
  author: text.nullable().optional(),
  text: text,
  time,
  classification: text.nullable().optional(),
  flags,
  meta,
});

export const AnnotationSchema = NestedAnnotationSchema.extend({
  type: z.literal('annotation'),
  run: runId.optional(),
  session: sessionNumber,
});

export const RunSchema = z.object({
  type: z.literal('run'),
  run: runId,
  model: text.nullable().optional(),
  description: text.nullable().optional(),
  meta,
});

export const CLASSIFICATIONS = ['compliant', 'non_compliant'] as const;

/**
 * The phases a session can come from. `training` is the default (a session without `phase` is a training
 * session: record format v1 before phases stays readable); any other non-empty name is accepted as a
 * user-defined phase, and every phase other than `training` counts as coming after training.
 */
export const KNOWN_PHASES = ['training', 'evaluation', 'deployment'] as const;
/** The phase of a session that does not name one. */
export const DEFAULT_PHASE = 'training';
/**
 * The `meta` key that labels the context a session was sampled in (e.g. `monitored` / `unmonitored`): the
 * transition analysis measures the compliance gap between the contexts of each phase after training.
 */
export const CONTEXT_META_KEY = 'context';

/**
 * One session (one rollout / one model output) with its three layers: outputs, annotations, reward signal.
 * `category` is null when the output is compliant.
 */
export const SessionSchema = z
  .object({
    type: z.literal('session').optional(),
    run: runId.optional(),
    session: sessionNumber,
    step: z.number().int('an integer step').nonnegative('a non-negative step').nullable().optional(),
    time,
    phase: text
      .min(1, 'a non-empty phase name')
      .max(100, 'a phase name of at most 100 characters')
      .nullable()
      .optional(),
    checkpoint: z
      .union([z.number().int().nonnegative(), text.min(1)])
      .nullable()
      .optional(),
    prompt_id: text.nullable().optional(),
    prompt: text.nullable().optional(),
    output: text,
    classification: z.enum(CLASSIFICATIONS).nullable().optional(),
    category: z
      .union([z.number().int(), text.min(1)])
      .nullable()
      .optional(),
    baseline_reward: optionalFinite,
    adjusted_reward: optionalFinite,
    differential_pct: optionalFinite,
    compliance_trajectory_index: finite.min(0).max(1).nullable().optional(),
    flags,
    annotations: z.array(NestedAnnotationSchema).optional(),
    meta,
  })
  .superRefine((s, ctx) => {
    if (s.classification === 'compliant' && s.category !== null && s.category !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['category'], message: 'null when classification is compliant' });
    }
  });

const EventTargetSchema = z.union([
  z.object({ category: z.union([z.number().int(), text.min(1)]) }),
  z.object({ phrase: text.min(1) }),
  z.object({ regex: text.min(1) }),
  z.object({ global: z.literal(true) }),
]);

/** A calibration event: a scheduled or rule-triggered change of a reward parameter. */
export const EventSchema = z.object({
  type: z.literal('event'),
  run: runId.optional(),
  session: sessionNumber,
  id: text.min(1).optional(),
  kind: z.enum(['scheduled_adjustment', 'recalibration']),
  parameter: text.min(1),
  target: EventTargetSchema,
  from: optionalFinite,
  to: optionalFinite,
  change_pct: optionalFinite,
  trigger: z
    .object({
      rule: text.min(1),
      count: z.number().int().nonnegative().optional(),
      window: z.number().int().positive().optional(),
    })
    .catchall(z.unknown())
    .nullable()
    .optional(),
  recommended_by: text.nullable().optional(),
  note: text.nullable().optional(),
  time,
  meta,
});

export type RunRecord = z.infer<typeof RunSchema>;
export type SessionRecord = z.infer<typeof SessionSchema>;
export type NestedAnnotation = z.infer<typeof NestedAnnotationSchema>;
export type AnnotationRecord = z.infer<typeof AnnotationSchema>;
export type EventRecord = z.infer<typeof EventSchema>;
export type EventTarget = z.infer<typeof EventTargetSchema>;
export type TrainingRecord = RunRecord | SessionRecord | AnnotationRecord | EventRecord;

export const SCHEMAS = {
  run: RunSchema,
  session: SessionSchema,
  annotation: AnnotationSchema,
  event: EventSchema,
} as const;

/** Known top-level field names per record type; anything else is moved into `meta`. */
export const KNOWN_FIELDS: Readonly<Record<RecordType, ReadonlySet<string>>> = {
  run: new Set(Object.keys(RunSchema.shape)),
  session: new Set(Object.keys(SessionSchema.shape)),
  annotation: new Set(Object.keys(AnnotationSchema.shape)),
  event: new Set(Object.keys(EventSchema.shape)),
};

/** ISO 8601 UTC text for an ISO string or epoch seconds; null when it is not a time. */
export function normalizeTime(value: string | number): string | null {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return null;
  if (typeof value === 'string' && !calendarValid(value)) return null;
  return date.toISOString();
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * Whether an ISO 8601 text names a real calendar date and clock time. `Date` rolls `2024-02-30` over to
 * March 1st and `T24:30` to the next day; a time that does not exist is refused instead of being changed.
 */
function calendarValid(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > days) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false;
  return true;
}
