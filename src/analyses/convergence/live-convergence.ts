import type { WindowSpec } from '../../model/windows.ts';
import type { LiveFacet } from '../shared/live.ts';
import { type LiveAlertDraft, type LiveMonitor, type LiveWindow, pctOf } from '../shared/live.ts';
import { FirstWindowBaseline, num, windowEvidence, windowStep } from '../shared/live-first-window.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { CONVERGENCE_DEFAULTS } from './assess-convergence.ts';

/** Sample variance Σ(r − mean)² / (n − 1) of a window's rewards (CONVERGENCE_DEFINITIONS.variance); null when n < 2. */
export function windowRewardVariance(w: LiveWindow): number | null {
  const r: number[] = [];
  for (const m of w.members) if (m.reward !== null) r.push(m.reward);
  if (r.length < 2) return null;
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  return r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1);
}

/**
 * Reward-variance collapse live: each closed window's sample variance of the baseline reward against the
 * first window's. When it has fallen by at least `variance_fall_relative` in `min_converged_windows`
 * consecutive windows (the convergence analysis's minimum phase length), the reward has stopped telling
 * outputs apart — in GRPO, advantages vanish — and the alert fires once, at the last of those windows.
 */
export class RewardVarianceCollapseMonitor implements LiveMonitor {
  readonly rule = 'reward-variance-collapse';
  private readonly baseline: FirstWindowBaseline;
  private run = 0;
  private fired = false;

  constructor(
    private readonly spec: WindowSpec,
    private readonly fallRelative: number,
    private readonly minWindows: number,
  ) {
    this.baseline = new FirstWindowBaseline(spec, windowRewardVariance);
  }

  window(w: LiveWindow): LiveAlertDraft[] {
    const c = this.baseline.next(w);
    if (c === null || c.relative === null || this.fired) return [];
    const fall = -c.relative;
    this.run = fall >= this.fallRelative ? this.run + 1 : 0;
    if (this.run < Math.max(1, this.minWindows)) return [];
    this.fired = true;
    return [
      {
        rule: this.rule,
        severity: 'warning',
        session: w.from,
        step: windowStep(this.spec, w),
        message:
          `The reward variance collapsed: ${num(c.value)} at ${c.label} against ${num(c.first)} in ${c.firstLabel} ` +
          `(−${pctOf(fall)}), ${this.run} window${this.run === 1 ? '' : 's'} in a row at least ${pctOf(this.fallRelative)} ` +
          'below the first (sample variance of the baseline reward per window)',
        numbers: {
          variance: c.value,
          first_variance: c.first,
          relative_fall: fall,
          threshold: this.fallRelative,
          windows: this.run,
        },
        evidence: windowEvidence(w),
      },
    ];
  }
}

/** The convergence analysis's live facet: `reward-variance-collapse`. */
export const convergenceLive: LiveFacet = {
  rules: {
    'reward-variance-collapse':
      'the reward variance of min_converged_windows windows in a row fell from the first window’s by variance_fall_relative',
  },
  thresholds: thresholdsSchema(
    { variance_fall_relative: 0.5, min_converged_windows: CONVERGENCE_DEFAULTS.min_converged_windows },
    {
      variance_fall_relative:
        'a window whose reward variance is this much below the first window’s has collapsed (0.5 = halved)',
      min_converged_windows:
        'windows in a row that must have collapsed (the convergence analysis’s minimum phase)',
    },
  ),
  monitors: ({ thresholds, window }) => [
    new RewardVarianceCollapseMonitor(
      window,
      thresholds.variance_fall_relative!,
      thresholds.min_converged_windows!,
    ),
  ],
};
