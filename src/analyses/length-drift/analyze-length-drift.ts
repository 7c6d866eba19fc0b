import type { WindowSpec } from '../../model/windows.ts';
import type { RewardColumn } from '../../store/scans/reward-scans.ts';
import type { Store } from '../../store/store.ts';
import { type LengthDriftResult, lengthDrift } from './length-drift.ts';

/** {@link LengthDriftResult} with its run. */
export interface LengthDriftAnalysis extends LengthDriftResult {
  readonly run: string;
}

/**
 * Length drift of a stored run: per-window token totals (the text scan every diversity audit already
 * makes) and reward means from the engine, then the pure {@link lengthDrift}. The reward is the adjusted
 * one when the run has it, else the baseline (said in `missing`).
 *
 * @example
 * const r = await analyzeLengthDrift(store, 'grpo-baseline', { by: 'step' });
 * r.firstLast?.relativeLengthChange
 */
export async function analyzeLengthDrift(
  store: Store,
  run: string,
  window: WindowSpec,
): Promise<LengthDriftAnalysis> {
  const layers = await store.scans.runLayers(run);
  const missing: string[] = [];
  let reward: RewardColumn | null = null;
  if (layers.withAdjustedReward > 0) reward = 'adjusted_reward';
  else if (layers.withBaselineReward > 0) {
    reward = 'baseline_reward';
    missing.push('no adjusted reward: the baseline reward is set beside the length');
  } else missing.push('no reward (adjusted or baseline): length is shown alone');
  if (window.by === 'step' && layers.withStep === 0)
    missing.push('no training steps: --by step has no windows');
  const counts = await store.scans.textWindowCounts(run, window);
  const rewards = reward ? await store.scans.rewardWindows(run, { window, reward, lowThreshold: 0 }) : [];
  const meanOf = new Map(rewards.map((w) => [w.index, w.mean]));
  const result = lengthDrift({
    spec: window,
    reward,
    windows: counts.map((c) => ({
      index: c.window,
      from: c.from,
      to: c.to,
      sessions: c.sessions,
      totalTokens: c.totalTokens,
      meanReward: meanOf.get(c.window) ?? null,
    })),
    missing,
  });
  return { run, ...result };
}
