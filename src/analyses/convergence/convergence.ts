import { type PhaseName, type VariancePhaseOptions, variancePhases } from './convergence-phases.ts';

/** Reward counts of a window or session range, as the store's reward scans return them. */
export interface RewardCounts {
  readonly from: number;
  readonly to: number;
  readonly n: number;
  readonly mean: number | null;
  readonly low: number;
  readonly high: number;
  readonly lastLowSession: number | null;
  readonly compliantN: number;
  readonly compliantMean: number | null;
  readonly nonCompliantN: number;
  readonly nonCompliantMean: number | null;
  /** Within-class sums of squared deviations (reward scan); absent in literal inputs. */
  readonly compliantSs?: number | null;
  readonly nonCompliantSs?: number | null;
}

/** One window of rewards: counts plus the sample variance and the last session present. */
export interface RewardWindowInput extends RewardCounts {
  readonly index: number;
  readonly sessions: number;
  readonly lastSession: number;
  readonly variance: number | null;
}

/** The low-reward threshold and how it was chosen. */
export interface LowThreshold {
  readonly value: number;
  readonly rule: string;
}

/** Input of {@link convergence}. */
export interface ConvergenceInput {
  readonly reward: 'adjusted_reward' | 'baseline_reward';
  readonly threshold: LowThreshold;
  readonly windows: readonly RewardWindowInput[];
  /** Centred windows at requested sessions (`--at`). */
  readonly at?: readonly { readonly session: number; readonly counts: RewardCounts }[];
  /** What the run lacks, found by the caller (e.g. "no adjusted reward: baseline used"). */
  readonly missing?: readonly string[];
  readonly options?: VariancePhaseOptions;
}

/** Low share and high:low ratio of a set of rewards. */
export interface RewardBalance {
  readonly n: number;
  readonly low: number;
  readonly high: number;
  readonly lowShare: number | null;
  /** high / low; null when there is no low reward (see `ratioLabel`). */
  readonly highToLow: number | null;
  /** "3.2:1", "no low rewards" or "no rewards". */
  readonly ratioLabel: string;
}

export interface ConvergenceWindow extends RewardBalance {
  readonly index: number;
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  readonly mean: number | null;
  readonly variance: number | null;
  readonly compliantMean: number | null;
  readonly nonCompliantMean: number | null;
  /** compliantMean − nonCompliantMean, when both exist. */
  readonly gap: number | null;
  /**
   * How much of the window's reward variance the classification explains: total and within-class sums of
   * squares (null unless every rewarded session is classified and the within-class sums are known).
   */
  readonly classSs: { readonly total: number; readonly withinClass: number } | null;
}

export interface ConvergencePhase {
  readonly name: PhaseName;
  readonly from: number;
  readonly to: number;
  readonly windows: number;
  readonly meanVariance: number;
}

export interface ConvergenceResult {
  readonly reward: 'adjusted_reward' | 'baseline_reward';
  readonly threshold: LowThreshold;
  readonly windows: readonly ConvergenceWindow[];
  readonly changePoints: {
    readonly method: string;
    readonly penalty: number | null;
    readonly scale: number | null;
    /** The last session of each left segment. */
    readonly sessions: readonly number[];
  };
  readonly phases: readonly ConvergencePhase[];
  readonly at: readonly (RewardBalance & {
    readonly session: number;
    readonly from: number;
    readonly to: number;
  })[];
  readonly lastLowSession: number | null;
  readonly definitions: Readonly<Record<string, string>>;
  readonly missing: readonly string[];
  readonly notes: readonly string[];
}

export const CONVERGENCE_DEFINITIONS: Readonly<Record<string, string>> = {
  reward: 'adjusted_reward (what training used); baseline_reward only when the run has no adjusted reward',
  mean: 'arithmetic mean of the window’s rewards',
  variance: 'sample variance Σ(r − mean)² / (n − 1); null when n < 2',
  lowShare: 'low / n, low = rewards < threshold',
  highToLow: 'high / low, high = rewards ≥ threshold; null ("no low rewards") when low = 0',
  gap: 'mean reward of compliant sessions − mean reward of non-compliant sessions',
  changePoints:
    'PELT (Killick et al. 2012), cost "mean" (RSS) on the variance series standardized as (v − mean v) / σ̂, ' +
    'σ̂ = 1.4826·median|Δv|/√2, penalty MBIC 3·log n plus log(segment length), minimum segment 2 windows',
  phases:
    'from the segment means μ (top = max μ, floor = min μ, f = 0.05 by default): noise = the segments up to the ' +
    'first change point after which no segment returns to the mean before it; convergence = the final segments, after ' +
    'the noise, all ≤ floor + f·(top − floor); narrowing = the segments between',
  at: 'a window of W sessions centred on the session: from = s − ⌊(W − 1)/2⌋, to = from + W − 1',
  lastLowSession: 'the last session whose reward is below the threshold',
};

/**
 * Balance of low and high rewards.
 *
 * @example
 * rewardBalance(400, 100) // { n: 500, lowShare: 0.2, highToLow: 4, ratioLabel: '4.0:1', … }
 */
export function rewardBalance(high: number, low: number): RewardBalance {
  const n = high + low;
  const label = n === 0 ? 'no rewards' : low === 0 ? 'no low rewards' : `${(high / low).toFixed(1)}:1`;
  return {
    n,
    low,
    high,
    lowShare: n === 0 ? null : low / n,
    highToLow: low === 0 ? null : high / low,
    ratioLabel: label,
  };
}

/** The window's total and within-class sums of squares of the reward, when every rewarded session is classified. */
function classSs(w: RewardWindowInput): ConvergenceWindow['classSs'] {
  if (w.variance === null || w.compliantN + w.nonCompliantN !== w.n) return null;
  const c = w.compliantN === 0 ? 0 : w.compliantSs;
  const nc = w.nonCompliantN === 0 ? 0 : w.nonCompliantSs;
  if (c === null || c === undefined || nc === null || nc === undefined) return null;
  return { total: (w.n - 1) * w.variance, withinClass: c + nc };
}

/**
 * The reward distribution's convergence: per-window moments and low/high balance, change points of the
 * variance series and the phases named from them (see CONVERGENCE_DEFINITIONS and docs/analyses/convergence.md).
 *
 * @example
 * const r = convergence({ reward: 'adjusted_reward', threshold: { value: 0.5, rule: 'default' }, windows });
 * r.phases // [{ name: 'noise', from: 1, to: 2500, … }, { name: 'narrowing', … }, { name: 'convergence', … }]
 */
export function convergence(input: ConvergenceInput): ConvergenceResult {
  const missing = [...(input.missing ?? [])];
  const windows: ConvergenceWindow[] = input.windows.map((w) => ({
    index: w.index,
    from: w.from,
    to: w.to,
    sessions: w.sessions,
    mean: w.mean,
    variance: w.variance,
    ...rewardBalance(w.high, w.low),
    compliantMean: w.compliantMean,
    nonCompliantMean: w.nonCompliantMean,
    gap:
      w.compliantMean !== null && w.nonCompliantMean !== null ? w.compliantMean - w.nonCompliantMean : null,
    classSs: classSs(w),
  }));
  const withVariance = input.windows.filter((w) => w.variance !== null);
  const vp = variancePhases(
    withVariance.map((w) => w.variance!),
    input.options,
  );
  const lastOf = (i: number) => withVariance[i]!.lastSession;
  const phases: ConvergencePhase[] = vp.phases.map((p) => {
    const first = vp.segments[p.firstSegment]!.first;
    const last = vp.segments[p.lastSegment]!.last;
    const segs = vp.segments.slice(p.firstSegment, p.lastSegment + 1);
    const count = last - first + 1;
    return {
      name: p.name,
      from: withVariance[first]!.from,
      to: lastOf(last),
      windows: count,
      meanVariance: segs.reduce((a, s) => a + s.meanVariance * (s.last - s.first + 1), 0) / count,
    };
  });
  const lows = input.windows.map((w) => w.lastLowSession).filter((s): s is number => s !== null);
  if (input.windows.every((w) => w.compliantN + w.nonCompliantN === 0)) {
    missing.push('no classification: compliant / non-compliant means and gap not computed');
  }
  return {
    reward: input.reward,
    threshold: input.threshold,
    windows,
    changePoints: {
      method: 'PELT, cost mean on the robustly standardized variance series, MBIC, minSegLen 2',
      penalty: Number.isNaN(vp.penalty) ? null : vp.penalty,
      scale: vp.scale,
      sessions: vp.changePoints.map((cp) => lastOf(cp - 1)),
    },
    phases,
    at: (input.at ?? []).map((a) => ({
      session: a.session,
      from: a.counts.from,
      to: a.counts.to,
      ...rewardBalance(a.counts.high, a.counts.low),
    })),
    lastLowSession: lows.length ? Math.max(...lows) : null,
    definitions: CONVERGENCE_DEFINITIONS,
    missing,
    notes: vp.notes,
  };
}

/**
 * The low-reward threshold: the option when given; 0.5 when every reward is in [0, 1]; otherwise the
 * midpoint of the run's 5th and 95th percentiles (for rewards on other scales, e.g. GRPO's [−1, 3]).
 *
 * @example
 * lowThreshold({ min: -1, max: 3, p05: -0.8, p95: 2.6 }) // { value: 0.9, rule: 'midpoint of …' }
 */
export function lowThreshold(
  scale: {
    readonly min: number | null;
    readonly max: number | null;
    readonly p05: number | null;
    readonly p95: number | null;
  },
  option?: number,
): LowThreshold {
  if (option !== undefined) return { value: option, rule: `--low-threshold ${option}` };
  if (scale.min === null || scale.max === null || (scale.min >= 0 && scale.max <= 1)) {
    return { value: 0.5, rule: 'default 0.5 (rewards on the 0–1 scale)' };
  }
  const value = ((scale.p05 ?? scale.min) + (scale.p95 ?? scale.max)) / 2;
  return {
    value,
    rule: `midpoint of the 5th and 95th percentiles (${scale.p05} and ${scale.p95}): rewards span ${scale.min}…${scale.max}, not 0–1`,
  };
}
