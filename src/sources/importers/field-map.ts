import { InputError } from '../../model/errors.ts';

/**
 * The record fields an importer fills from source columns, keyed by the names `--map` accepts. Short
 * names (`baseline`, `adjusted`, …) and the record's own field names are both accepted.
 */
export const MAP_TARGETS = {
  run: 'run',
  session: 'session',
  step: 'step',
  time: 'time',
  prompt_id: 'prompt_id',
  prompt: 'prompt',
  output: 'output',
  classification: 'classification',
  category: 'category',
  baseline: 'baseline_reward',
  adjusted: 'adjusted_reward',
  differential: 'differential_pct',
  trajectory: 'compliance_trajectory_index',
  flags: 'flags',
} as const;

export type RecordField = (typeof MAP_TARGETS)[keyof typeof MAP_TARGETS];

/** Record field → source column. */
export type FieldMap = Partial<Record<RecordField, string>>;

const BY_NAME: ReadonlyMap<string, RecordField> = new Map<string, RecordField>([
  ...(Object.entries(MAP_TARGETS) as [string, RecordField][]),
  ...(Object.values(MAP_TARGETS).map((f) => [f, f]) as [string, RecordField][]),
]);

/**
 * Parses `--map target=column,…` into a field map. An unknown target or a malformed pair is an
 * `InputError` naming the valid targets.
 *
 * @example
 * parseFieldMap('session=global_step,baseline=reward_raw') // → { session: 'global_step', baseline_reward: 'reward_raw' }
 */
export function parseFieldMap(spec: string): FieldMap {
  const out: FieldMap = {};
  const valid = Object.keys(MAP_TARGETS).join(', ');
  for (const part of spec.split(',')) {
    const pair = part.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) {
      throw new InputError(`--map: expected target=column, got '${pair}' (targets: ${valid})`);
    }
    const target = pair.slice(0, eq).trim();
    const column = pair.slice(eq + 1).trim();
    const field = BY_NAME.get(target);
    if (field === undefined) {
      throw new InputError(`--map: unknown target '${target}'; valid targets: ${valid}`);
    }
    if (out[field] !== undefined) throw new InputError(`--map: target '${target}' is mapped twice`);
    out[field] = column;
  }
  if (Object.keys(out).length === 0) throw new InputError(`--map is empty (targets: ${valid})`);
  return out;
}
