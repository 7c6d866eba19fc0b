import type { SourceItem } from '../source-item.ts';
import type { FieldMap, RecordField } from './field-map.ts';
import type { Preset } from './presets.ts';
import { idText, messageText, numberOf, promptHash, scoreValue } from './row-values.ts';
import { INDEX_IN_STEP_KEY, type RunCursors } from './run-cursors.ts';

/** How `baseline_reward` is taken: a mapped column, one reward component, the sum of all, or none. */
export type BaselineChoice =
  | { readonly kind: 'mapped' }
  | { readonly kind: 'component'; readonly name: string }
  | { readonly kind: 'sum'; readonly names: readonly string[] }
  | { readonly kind: 'none' };

export interface RolloutMapping {
  readonly preset: Preset;
  /** The preset's fields with `--map` applied. */
  readonly fields: FieldMap;
  readonly rewardColumns: readonly string[];
  readonly baseline: BaselineChoice;
  /** CSV cells are text: numeric fields are parsed from it. */
  readonly textual: boolean;
}

const NUMERIC: ReadonlySet<RecordField> = new Set([
  'session',
  'step',
  'baseline_reward',
  'adjusted_reward',
  'differential_pct',
  'compliance_trajectory_index',
]);

/**
 * Turns one source row (a rollout of some trainer's log) into a plain row of record format v1. It does not
 * validate: the result goes through `validateRow` like any other row. Consumed columns are removed; every
 * other column is kept in `meta`, the reward components in `meta.rewards`.
 */
export function mapRollout(
  m: RolloutMapping,
  row: Record<string, unknown>,
  where: { readonly baseRun: string; readonly file: string; readonly line: number },
  cursors: RunCursors,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const used = new Set<string>();
  for (const [field, column] of Object.entries(m.fields) as [RecordField, string][]) {
    if (!(column in row)) continue;
    used.add(column);
    let v = row[column];
    if (field === 'prompt' || field === 'output') v = messageText(v);
    else if (field === 'prompt_id' || field === 'run') v = idText(v);
    else if (NUMERIC.has(field)) v = numberOf(v, m.textual);
    else if (field === 'category' && m.textual && typeof v === 'string' && /^\d+$/.test(v)) v = Number(v);
    else if (field === 'flags' && typeof v === 'string') v = v.split('|').filter((f) => f.length > 0);
    out[field] = v;
  }
  const rewards: Record<string, unknown> = {};
  const scores = (row.scores ?? {}) as Record<string, unknown>;
  if (m.preset.rewardsIn === 'scores') used.add('scores');
  for (const name of m.rewardColumns) {
    const raw = m.preset.rewardsIn === 'scores' && !(name in row) ? scoreValue(scores[name]) : row[name];
    if (raw === undefined) continue;
    used.add(name);
    rewards[name] = numberOf(raw, m.textual);
  }
  if (m.baseline.kind === 'component' && m.baseline.name in rewards) {
    out.baseline_reward = rewards[m.baseline.name];
  } else if (m.baseline.kind === 'sum') {
    const values = m.baseline.names.map((n) => rewards[n]);
    const bad = values.find((v) => typeof v !== 'number');
    // a missing or non-numeric component is passed on so that validation names it
    out.baseline_reward = bad !== undefined ? bad : (values as number[]).reduce((a, b) => a + b, 0);
  }
  if (out.prompt_id === undefined || out.prompt_id === null) {
    const group = m.preset.groupColumns.find((c) => row[c] !== undefined && row[c] !== null);
    if (group !== undefined) {
      out.prompt_id = idText(row[group]);
      used.add(group);
    } else if (typeof out.prompt === 'string') out.prompt_id = promptHash(out.prompt);
  }
  const meta: Record<string, unknown> = {};
  for (const key of Object.keys(row)) if (!used.has(key)) meta[key] = row[key];
  if (Object.keys(rewards).length > 0) meta.rewards = rewards;
  out.meta = meta;

  const baseRun = typeof out.run === 'string' && out.run.length > 0 ? out.run : where.baseRun;
  if (out.session === undefined) {
    const { run, session, index } = cursors.next(baseRun, out.step, where.file, where.line);
    out.run = run;
    out.session = session;
    // the identity's index, stored with the session: a later ingest matches by it, not by position
    meta[INDEX_IN_STEP_KEY] = index;
  } else {
    out.run = cursors.observe(baseRun, out.step, where.file, where.line);
  }
  return out;
}

/** Maps a batch of source items; unreadable lines pass through unchanged. */
export function mapRolloutItems(
  m: RolloutMapping,
  items: readonly SourceItem[],
  where: { readonly baseRun: string; readonly file: string },
  cursors: RunCursors,
): SourceItem[] {
  return items.map((item) => {
    if (item.kind !== 'row') return item;
    const row = item.value;
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return item;
    const value = mapRollout(m, row as Record<string, unknown>, { ...where, line: item.line }, cursors);
    return { kind: 'row', line: item.line, value };
  });
}
