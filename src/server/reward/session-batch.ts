import { describeValue } from '../../model/validate.ts';

/**
 * The body of `POST /v1/runs/{run}/sessions`: `{"sessions": [item, …]}`, each item one rollout to reward, in
 * record format v1 field names (docs/integrations.md):
 *
 *   session          positive integer, strictly increasing within the batch and along the run (required)
 *   output           the completion text (required)
 *   baseline_reward  the reward model's reward, a finite number in [0, 1] (required)
 *   classification   `compliant` | `non_compliant` | null or absent (then the service's detector classifies)
 *   category         the non-compliance category (integer or label), null or absent; null when compliant
 *   step, prompt_id, prompt, meta   optional, stored with the session
 *
 * and optionally `"after": N`, the run's last session the client expects before this batch (null: none), which
 * lets a client keep several batches in flight (`RewardService.submit`).
 *
 * Unknown fields are refused (a misspelt `baseline_reward` must not become a silent default).
 */
export interface BatchItem {
  readonly session: number;
  readonly output: string;
  readonly baselineReward: number;
  readonly classification: 'compliant' | 'non_compliant' | null;
  readonly category: number | string | null;
  readonly step: number | null;
  readonly promptId: string | null;
  readonly prompt: string | null;
  readonly meta: Readonly<Record<string, unknown>> | null;
}

/** What is wrong with a batch: the item (0-based index in `sessions`), its session when known, the field. */
export class BatchError extends Error {
  override readonly name = 'BatchError';
  constructor(
    readonly status: 400 | 409,
    readonly item: number | null,
    readonly session: number | null,
    readonly field: string,
    readonly expected: string,
    readonly got: string,
    readonly detail?: string,
  ) {
    super(
      `${item === null ? '' : `sessions[${item}]`}${item === null ? field : `.${field}`}: ` +
        (detail ?? `expected ${expected}, got ${got}`),
    );
  }

  /** The JSON body of the error response. */
  toJSON(): Record<string, unknown> {
    return {
      error: this.status === 409 ? 'conflict' : 'bad_request',
      message: `${this.message} (nothing of this batch was stored)`,
      item: this.item,
      session: this.session,
      field: this.field,
      expected: this.expected,
      got: this.got,
    };
  }
}

const ITEM_FIELDS = new Set([
  'session',
  'output',
  'baseline_reward',
  'classification',
  'category',
  'step',
  'prompt_id',
  'prompt',
  'meta',
]);

/** A meta key the service writes itself (the detector's verdict); a client may not send it. */
export const DETECTOR_META_KEY = 'rlaudit_detector';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates a parsed request body against the batch format. Throws a `BatchError` (400) naming the first bad
 * item and field; nothing is taken from a batch with any bad item.
 *
 * @example
 * parseBatch({ sessions: [{ session: 1, output: 'hi', baseline_reward: 0.8 }] }, 256)
 * // { items: [{ session: 1, output: 'hi', baselineReward: 0.8, classification: null, … }], after: undefined }
 */
export function parseBatch(body: unknown, maxItems: number): Batch {
  if (!isObject(body) || !('sessions' in body)) {
    throw new BatchError(400, null, null, 'sessions', 'an object {"sessions": [...]}', describeValue(body));
  }
  for (const key of Object.keys(body)) {
    if (key !== 'sessions' && key !== 'after') {
      throw new BatchError(400, null, null, key, 'only the fields "sessions" and "after"', key);
    }
  }
  const list = body.sessions;
  if (!Array.isArray(list))
    throw new BatchError(400, null, null, 'sessions', 'an array', describeValue(list));
  if (list.length === 0) throw new BatchError(400, null, null, 'sessions', 'at least one session', '[]');
  if (list.length > maxItems) {
    throw new BatchError(
      400,
      null,
      null,
      'sessions',
      `at most ${maxItems} sessions per batch`,
      `${list.length} sessions`,
    );
  }
  const items: BatchItem[] = [];
  let previous: number | null = null;
  list.forEach((raw: unknown, i) => {
    const item = parseItem(raw, i);
    if (previous !== null && item.session <= previous) {
      throw new BatchError(
        400,
        i,
        item.session,
        'session',
        `a session after ${previous} (sessions increase within a batch)`,
        String(item.session),
      );
    }
    previous = item.session;
    items.push(item);
  });
  const after = body.after;
  if (
    after !== undefined &&
    after !== null &&
    !(typeof after === 'number' && Number.isSafeInteger(after) && after >= 0 && after < items[0]!.session)
  ) {
    throw new BatchError(
      400,
      null,
      null,
      'after',
      `null or the session before this batch (an integer below its first session ${items[0]!.session})`,
      describeValue(after),
    );
  }
  return { items, after: after as number | null | undefined };
}

/** A checked batch: its items, and the run's last session the client expects before it (see `submit`). */
export interface Batch {
  readonly items: readonly BatchItem[];
  readonly after: number | null | undefined;
}

function parseItem(raw: unknown, i: number): BatchItem {
  if (!isObject(raw)) throw new BatchError(400, i, null, '(item)', 'an object', describeValue(raw));
  const sessionValue = raw.session;
  const session =
    typeof sessionValue === 'number' && Number.isSafeInteger(sessionValue) && sessionValue >= 1
      ? sessionValue
      : null;
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new BatchError(400, i, session, field, expected, describeValue(value));
  };
  for (const key of Object.keys(raw)) {
    if (!ITEM_FIELDS.has(key)) fail(key, `one of the fields ${[...ITEM_FIELDS].join(', ')}`, key);
  }
  if (session === null) fail('session', 'a positive integer session number', sessionValue);
  if (typeof raw.output !== 'string') fail('output', 'the output text (a string)', raw.output);
  const b = raw.baseline_reward;
  if (typeof b !== 'number' || !Number.isFinite(b) || b < 0 || b > 1) {
    fail('baseline_reward', 'a finite number in [0, 1]', b);
  }
  const c = raw.classification ?? null;
  if (c !== null && c !== 'compliant' && c !== 'non_compliant') {
    fail('classification', "'compliant', 'non_compliant' or null (the detector classifies)", c);
  }
  const category = raw.category ?? null;
  if (
    category !== null &&
    !(typeof category === 'number' && Number.isInteger(category)) &&
    !(typeof category === 'string' && category.length > 0)
  ) {
    fail('category', 'a category id (integer), a label, or null', category);
  }
  if (c === 'compliant' && category !== null)
    fail('category', 'null when classification is compliant', category);
  if (c === null && category !== null) fail('category', 'null when there is no classification', category);
  const step = raw.step ?? null;
  if (step !== null && !(typeof step === 'number' && Number.isSafeInteger(step) && step >= 0)) {
    fail('step', 'a non-negative integer step, or null', step);
  }
  const text = (field: 'prompt_id' | 'prompt'): string | null => {
    const v = raw[field] ?? null;
    if (v !== null && typeof v !== 'string') fail(field, 'a string or null', v);
    return v as string | null;
  };
  const meta = raw.meta ?? null;
  if (meta !== null && !isObject(meta)) fail('meta', 'an object or null', meta);
  if (isObject(meta) && DETECTOR_META_KEY in meta) {
    fail(
      `meta.${DETECTOR_META_KEY}`,
      'no such key (the service writes it when its detector classifies)',
      meta,
    );
  }
  return {
    session: session!,
    output: raw.output as string,
    baselineReward: b as number,
    classification: c as 'compliant' | 'non_compliant' | null,
    category: category as number | string | null,
    step: step as number | null,
    promptId: text('prompt_id'),
    prompt: text('prompt'),
    meta: meta as Record<string, unknown> | null,
  };
}
