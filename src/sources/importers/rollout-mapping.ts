import { InputError } from '../../model/errors.ts';
import type { FieldMap } from './field-map.ts';
import type { ImportOptions } from './formats.ts';
import type { Preset } from './presets.ts';
import type { BaselineChoice, RolloutMapping } from './rollout-mapper.ts';
import { numberOf } from './row-values.ts';

function list(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.join(', ');
}

/**
 * Builds the mapping of one file from its preset, the first rows, `--map` and `--reward`, and says in notes
 * what was chosen (the baseline reward, the columns kept in meta, missing fields). A `--map` column or a
 * `--reward` name the file does not have is an `InputError` naming the columns it has.
 */
export function rolloutMapping(
  path: string,
  preset: Preset,
  sample: readonly Record<string, unknown>[],
  options: ImportOptions,
  map: FieldMap | undefined,
  textual: boolean,
): { rollout: RolloutMapping; notes: string[] } {
  const columns = new Set<string>();
  for (const r of sample) for (const k of Object.keys(r)) columns.add(k);
  const notes: string[] = [];
  if (map !== undefined) {
    for (const [field, column] of Object.entries(map)) {
      if (sample.length > 0 && !columns.has(column)) {
        throw new InputError(
          `--map ${field}=${column}: the file has no column '${column}' (columns: ${list([...columns])})`,
          {
            file: path,
          },
        );
      }
    }
    notes.push(
      `--map ${Object.entries(map)
        .map(([f, c]) => `${f}←${c}`)
        .join(', ')}`,
    );
  }
  const fields: FieldMap = { ...preset.fields, ...map };
  const mappedColumns = new Set(Object.values(fields));

  const rewardColumns: string[] = [];
  if (preset.rewardsIn === 'scores') {
    const names = new Set<string>();
    for (const r of sample) {
      const scores = r.scores;
      if (scores !== null && typeof scores === 'object') for (const k of Object.keys(scores)) names.add(k);
    }
    rewardColumns.push(...names);
  } else {
    for (const c of columns) {
      // a column mapped to a record field is not a reward component (unless named by --reward)
      if (mappedColumns.has(c) && c !== options.reward) continue;
      const numeric = sample.some((r) => typeof numberOf(r[c], textual) === 'number');
      if (numeric && (preset.isReward(c) || c === options.reward)) rewardColumns.push(c);
    }
  }

  const has = (f: keyof FieldMap) =>
    fields[f] !== undefined && (sample.length === 0 || columns.has(fields[f]!));
  let baseline: BaselineChoice;
  if (options.reward !== undefined) {
    if (!rewardColumns.includes(options.reward)) {
      throw new InputError(
        `--reward ${options.reward}: not a numeric reward column of this file (reward components: ${list(rewardColumns)})`,
        { file: path },
      );
    }
    if (map?.baseline_reward !== undefined)
      throw new InputError('give either --reward or --map baseline=…, not both');
    baseline = { kind: 'component', name: options.reward };
    notes.push(`baseline_reward = ${options.reward} (--reward)`);
  } else if (has('baseline_reward')) {
    baseline = { kind: 'mapped' };
    notes.push(`baseline_reward = ${fields.baseline_reward}`);
  } else if (preset.primaryReward !== null && rewardColumns.includes(preset.primaryReward)) {
    baseline = { kind: 'component', name: preset.primaryReward };
    notes.push(`baseline_reward = ${preset.primaryReward}`);
  } else if (rewardColumns.length === 1) {
    baseline = { kind: 'component', name: rewardColumns[0]! };
    notes.push(`baseline_reward = ${rewardColumns[0]} (the only reward)`);
  } else if (rewardColumns.length > 1) {
    baseline = { kind: 'sum', names: rewardColumns };
    notes.push(`baseline_reward = sum of ${list(rewardColumns)} (choose one with --reward NAME)`);
  } else {
    baseline = { kind: 'none' };
    notes.push('no reward column found (baseline_reward stays empty; --map baseline=COLUMN)');
  }
  if (rewardColumns.length > 1 || (rewardColumns.length === 1 && baseline.kind !== 'component')) {
    notes.push(`all rewards kept in meta.rewards (${list(rewardColumns)})`);
  }
  if (sample.length > 0 && !has('output')) {
    throw new InputError(
      `no column for the output (expected '${fields.output ?? 'output'}'; columns: ${list([...columns])}); use --map output=COLUMN`,
      { file: path },
    );
  }
  const used = new Set([...Object.values(fields), ...rewardColumns, ...preset.groupColumns]);
  const extra = [...columns].filter(
    (c) => !used.has(c) && !(preset.rewardsIn === 'scores' && c === 'scores'),
  );
  if (sample.length > 0 && !has('prompt')) {
    // name the columns of text the prompt may be in (GRPO logs call it `opening`, `query`, `question`, …)
    const text = extra.filter((c) => sample.some((r) => typeof r[c] === 'string' && r[c] !== ''));
    notes.push(
      text.length > 0
        ? `no prompt column (add --map prompt=COLUMN; text columns: ${list(text)}, e.g. --map prompt=${text[0]})`
        : 'no prompt column (add --map prompt=COLUMN)',
    );
  }
  if (!has('session')) {
    // the identity rule of RunCursors (docs/importers.md "Session identity")
    notes.push(
      has('step')
        ? `sessions identified by (step, index within step in ${preset.sessionOrder}): a stored one is matched, new ones numbered after the run's stored sessions`
        : `sessions identified by position in ${preset.sessionOrder} (no step column): a stored one is matched, new ones numbered after the run's stored sessions`,
    );
  }
  if (extra.length > 0) notes.push(`kept in meta: ${list(extra)}`);
  return { rollout: { preset, fields, rewardColumns, baseline, textual }, notes };
}
