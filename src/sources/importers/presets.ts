import type { FieldMap } from './field-map.ts';
import type { ImporterName } from './formats.ts';

/**
 * How one trainer's rollout log maps onto record format v1: which column fills which record field, which
 * columns are reward components, which reward is the baseline by default, and which column names a group
 * (the prompt several rollouts share). `--map` overrides `fields` column by column.
 */
export interface Preset {
  readonly name: ImporterName;
  /** For messages: "detected <label> (columns …)". */
  readonly label: string;
  readonly fields: FieldMap;
  /** The reward used as `baseline_reward` when present and `--reward` is not given. */
  readonly primaryReward: string | null;
  /** Columns that identify the group of rollouts sharing a prompt, in order of preference. */
  readonly groupColumns: readonly string[];
  /** Where reward components live: numeric columns, or (Inspect) the `scores` object of each row. */
  readonly rewardsIn: 'columns' | 'scores';
  /** The order rows are numbered in when no column gives the session (said in the detection line). */
  readonly sessionOrder: string;
  /** Whether a numeric column of this name is a reward component. */
  isReward(column: string): boolean;
}

const rewardLike = (c: string): boolean => /reward|score/i.test(c) && !/^ref_|advantage/i.test(c);

export const PRESETS: Readonly<Record<'trl' | 'verl' | 'openrlhf' | 'inspect' | 'generic', Preset>> = {
  // TRL GRPOTrainer(log_completions=True): completions/completions_<step>.parquet and the W&B table
  trl: {
    name: 'trl',
    label: 'TRL-style GRPO completions',
    fields: { step: 'step', prompt: 'prompt', output: 'completion', prompt_id: 'prompt_id' },
    primaryReward: 'reward',
    groupColumns: ['prompt_id', 'group_id', 'uid'],
    rewardsIn: 'columns',
    sessionOrder: 'file order',
    isReward: rewardLike,
  },
  // verl trainer.rollout_data_dir: <step>.jsonl with input, output, gts, score, step + reward_extra_info keys
  verl: {
    name: 'verl',
    label: 'verl rollout dump',
    fields: { step: 'step', prompt: 'input', output: 'output' },
    primaryReward: 'score',
    groupColumns: ['uid', 'prompt_id', 'index'],
    rewardsIn: 'columns',
    sessionOrder: 'file order',
    isReward: (c) => rewardLike(c) || /^acc(uracy)?$/i.test(c),
  },
  // OpenRLHF / RLLoggingBoard: one line per rollout with prompt, response, reward, ref_response, ref_reward
  openrlhf: {
    name: 'openrlhf',
    label: 'OpenRLHF / RLLoggingBoard rollouts',
    fields: { step: 'step', prompt: 'prompt', output: 'response', prompt_id: 'prompt_id' },
    primaryReward: 'reward',
    groupColumns: ['prompt_id', 'uid', 'group_id'],
    rewardsIn: 'columns',
    sessionOrder: 'file order',
    isReward: rewardLike,
  },
  // Inspect eval logs: rows come from inspect-log.ts (id, epoch, input, output, target, scores)
  inspect: {
    name: 'inspect',
    label: 'Inspect eval log',
    fields: { prompt_id: 'id', prompt: 'input', output: 'output' },
    primaryReward: null,
    groupColumns: ['id'],
    rewardsIn: 'scores',
    sessionOrder: 'sample order (epoch, then sample id)',
    isReward: () => true,
  },
  // any table: columns named like record fields are taken as they are, the rest through --map
  generic: {
    name: 'generic',
    label: 'a table mapped with --map',
    fields: {
      run: 'run',
      session: 'session',
      step: 'step',
      time: 'time',
      prompt_id: 'prompt_id',
      prompt: 'prompt',
      output: 'output',
      classification: 'classification',
      category: 'category',
      baseline_reward: 'baseline_reward',
      adjusted_reward: 'adjusted_reward',
      differential_pct: 'differential_pct',
      compliance_trajectory_index: 'compliance_trajectory_index',
      flags: 'flags',
    },
    primaryReward: 'reward',
    groupColumns: ['prompt_id', 'group_id', 'uid'],
    rewardsIn: 'columns',
    sessionOrder: 'file order',
    isReward: rewardLike,
  },
};

/** The detection rules, in order; each names the columns that decided it. */
export function presetForColumns(columns: ReadonlySet<string>): { preset: Preset; because: string } | null {
  const has = (c: string) => columns.has(c);
  if (has('input') && has('output') && (has('score') || has('gts'))) {
    return { preset: PRESETS.verl, because: ['input', 'output', has('score') ? 'score' : 'gts'].join(', ') };
  }
  if (has('prompt') && has('response')) {
    const rewards = ['reward', 'ref_response', 'ref_reward'].filter(has);
    return { preset: PRESETS.openrlhf, because: ['prompt', 'response', ...rewards].join(', ') };
  }
  if (has('completion') && has('step')) {
    const rewards = [...columns].filter(rewardLike);
    const because = ['step', ...(has('prompt') ? ['prompt'] : []), 'completion', ...rewards];
    return { preset: PRESETS.trl, because: because.join(', ') };
  }
  return null;
}
