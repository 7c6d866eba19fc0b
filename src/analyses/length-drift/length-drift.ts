import { type WindowInfo, type WindowSpec, windowLabel } from '../../model/windows.ts';
import { changePoints } from '../../stats/change-points.ts';
import { firstLastFull } from '../shared/first-last.ts';

/** One window's output length and reward, as the store counts them. */
export interface LengthWindowInput extends WindowInfo {
  /** Σ tokens over the window's outputs (default tokenizer). */
  readonly totalTokens: number;
  /** Mean reward of the window's sessions with a reward; null when none has one. */
  readonly meanReward: number | null;
}

export interface LengthWindow extends WindowInfo {
  readonly label: string;
  /** Mean tokens per output. */
  readonly meanTokens: number;
  readonly meanReward: number | null;
}

/** The length-drift result: the two series, the change points of the length series, and their coupling. */
export interface LengthDriftResult {
  readonly window: WindowSpec;
  readonly reward: 'adjusted_reward' | 'baseline_reward' | null;
  readonly windows: readonly LengthWindow[];
  /** Change points of the standardized mean-length series (PELT, mean change, MBIC): last window of the left segment. */
  readonly changePoints: readonly {
    readonly window: string;
    readonly index: number;
    readonly session: number;
  }[];
  /** First and last window compared (equal-sized: the last full window when the last one is partial). */
  readonly firstLast: {
    readonly first: LengthWindow;
    readonly last: LengthWindow;
    readonly relativeLengthChange: number;
    readonly rewardChange: number | null;
  } | null;
  /**
   * Pearson correlation of mean length and mean reward over the windows with both (levels), and n; and the
   * same on their first differences (window-to-window changes, n − 1 of them), null when undefined.
   */
  readonly correlation: {
    readonly r: number;
    readonly n: number;
    readonly differences: { readonly r: number; readonly n: number } | null;
  } | null;
  readonly missing: readonly string[];
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 3) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/**
 * Output length drift: mean tokens per output per window beside the mean reward, change points of the
 * length series, and whether length and reward rose together (the classic length hack of RLHF/GRPO: a
 * reward model that prefers longer outputs gets longer outputs). Pure.
 *
 * The first→last comparison uses windows of equal size (shared/first-last.ts): with session windows, the
 * first and the last full window; a trailing partial window is set aside.
 *
 * @example
 * lengthDrift({ spec: { by: 'step' }, reward: 'baseline_reward', windows, missing: [] }).correlation?.r
 */
export function lengthDrift(input: {
  readonly spec: WindowSpec;
  readonly reward: LengthDriftResult['reward'];
  readonly windows: readonly LengthWindowInput[];
  readonly missing: readonly string[];
}): LengthDriftResult {
  const windows: LengthWindow[] = input.windows
    .filter((w) => w.sessions > 0)
    .map((w) => ({
      index: w.index,
      from: w.from,
      to: w.to,
      sessions: w.sessions,
      label: windowLabel(input.spec, w),
      meanTokens: w.totalTokens / w.sessions,
      meanReward: w.meanReward,
    }));
  const missing = [...input.missing];
  const lengths = windows.map((w) => w.meanTokens);
  let cps: LengthDriftResult['changePoints'] = [];
  if (windows.length >= 4) {
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    const sd = Math.sqrt(lengths.reduce((a, b) => a + (b - mean) ** 2, 0) / (lengths.length - 1));
    if (sd > 0) {
      const z = lengths.map((v) => (v - mean) / sd);
      cps = changePoints(z, { cost: 'mean', penalty: 'MBIC' }).changePoints.map((k) => {
        const w = windows[k - 1]!;
        return { window: w.label, index: w.index, session: w.to };
      });
    }
  } else missing.push(`change points: ${windows.length} windows, at least 4 are needed`);
  const pair = firstLastFull(input.spec, windows);
  const first = pair?.first;
  const last = pair?.last;
  const firstLast =
    first && last && first !== last && first.meanTokens > 0
      ? {
          first,
          last,
          relativeLengthChange: (last.meanTokens - first.meanTokens) / first.meanTokens,
          rewardChange:
            first.meanReward !== null && last.meanReward !== null ? last.meanReward - first.meanReward : null,
        }
      : null;
  const paired = windows.filter((w) => w.meanReward !== null);
  const r = pearson(
    paired.map((w) => w.meanTokens),
    paired.map((w) => w.meanReward!),
  );
  const diff = (v: readonly number[]) => v.slice(1).map((x, i) => x - v[i]!);
  const rd = pearson(diff(paired.map((w) => w.meanTokens)), diff(paired.map((w) => w.meanReward!)));
  return {
    window: input.spec,
    reward: input.reward,
    windows,
    changePoints: cps,
    firstLast,
    correlation:
      r === null
        ? null
        : { r, n: paired.length, differences: rd === null ? null : { r: rd, n: paired.length - 1 } },
    missing,
  };
}
