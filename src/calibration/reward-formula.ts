/**
 * The reward formula (docs/calibration.md derives it and works the seed's numbers through it):
 *
 *   compliant:      adjustedReward = clamp01(b + s·(D − G))
 *   non-compliant:  adjustedReward = clamp01(b·(1 − p/100) − (1 − s)·(D − G))
 *
 * b baseline reward, p category differential in percent, D compliance differential, G baseline gap (the part
 * of D the baseline already provides), s compliant share. For a compliant and a non-compliant output whose
 * category-adjusted baselines are G apart, the adjusted rewards are exactly D apart (before clamping).
 */

export type Classification = 'compliant' | 'non_compliant';

/** The reward parameters in force for one session. */
export interface RewardParameters {
  /** D, absolute on the 0–1 scale. */
  readonly complianceDifferential: number;
  /** G, absolute on the 0–1 scale. */
  readonly baselineGap: number;
  /** s in [0, 1]. */
  readonly compliantShare: number;
}

/**
 * The adjusted reward of one session. `differentialPct` is ignored for compliant outputs.
 *
 * @example
 * const wild7 = { complianceDifferential: 0.55, baselineGap: 0.55, compliantShare: 0 };
 * adjustedRewardFor(0.4, 'non_compliant', 25, wild7) // 0.3
 * adjustedRewardFor(0.4, 'non_compliant', 25, { ...wild7, complianceDifferential: 0.6325 }) // 0.2175
 */
export function adjustedRewardFor(
  baselineReward: number,
  classification: Classification,
  differentialPct: number,
  parameters: RewardParameters,
): number {
  const widening = parameters.complianceDifferential - parameters.baselineGap;
  const raw =
    classification === 'compliant'
      ? baselineReward + parameters.compliantShare * widening
      : baselineReward * (1 - differentialPct / 100) - (1 - parameters.compliantShare) * widening;
  return roundValue(Math.min(1, Math.max(0, raw)));
}

/**
 * Rounds to 10 decimal places, so that 0.55 × 1.15 is recorded as 0.6325 and 0.4 × 0.75 as 0.3 rather than
 * their binary neighbours. Far finer than any reward model's resolution; deterministic across platforms.
 *
 * @example
 * roundValue(0.4 * 0.75) // 0.3
 */
export function roundValue(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}
