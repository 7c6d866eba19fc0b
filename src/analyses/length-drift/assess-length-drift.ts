import {
  type AssessContext,
  type AssessedAnalysis,
  findingBuilder,
  fx,
  label,
  round,
  type Thresholds,
  threshold,
  windowShows,
  windowText,
} from '../shared/assessment.ts';
import type { LengthDriftAnalysis } from './analyze-length-drift.ts';

export const LENGTH_DRIFT_DEFAULTS = {
  length_rise_relative: 0.2,
  coupling_r: 0.5,
} as const;

const pctSigned = (x: number): string => `${x < 0 ? '−' : '+'}${Math.abs(x * 100).toFixed(1)}%`;

/**
 * Findings of the length-drift analysis. `length_hack` (warning): mean output length rose by at least
 * `length_rise_relative` first → last full window while the mean reward rose too, and length and reward
 * correlate across windows at r ≥ `coupling_r`. A length change without that coupling is a notice.
 */
export function assessLengthDrift(
  r: LengthDriftAnalysis,
  t: Thresholds,
  context: AssessContext,
): AssessedAnalysis {
  const rise = threshold(t, 'length_rise_relative', LENGTH_DRIFT_DEFAULTS.length_rise_relative);
  const coupling = threshold(t, 'coupling_r', LENGTH_DRIFT_DEFAULTS.coupling_r);
  const b = findingBuilder(context, 'length-drift');
  const fl = r.firstLast;
  const method =
    `length drift: mean tokens per output (default tokenizer) per window, ${windowText(r.window)}; ` +
    `first vs last ${r.window.by === 'session' ? 'full ' : ''}window; Pearson r of window mean length and mean ` +
    `${r.reward?.replace('_', ' ') ?? 'reward'} over ${r.correlation?.n ?? 0} windows, on levels and on first differences, bands ±1.96/√n (n windows, n − 1 differences); change points: PELT, ` +
    'mean change on the standardized series, MBIC';
  if (fl) {
    const rc = r.correlation?.r ?? null;
    const rewardRose = fl.rewardChange !== null && fl.rewardChange > 0;
    const hack = fl.relativeLengthChange >= rise && rewardRose && rc !== null && rc >= coupling;
    const cps = r.changePoints.map((c) => label(c.window));
    const claim =
      `Mean output length went from ${fx(fl.first.meanTokens, 1)} tokens in ${label(fl.first.label)} to ` +
      `${fx(fl.last.meanTokens, 1)} in ${label(fl.last.label)} (${pctSigned(fl.relativeLengthChange)})` +
      (fl.rewardChange !== null
        ? `, while the mean reward went from ${fx(fl.first.meanReward!)} to ${fx(fl.last.meanReward!)}`
        : '') +
      (rc !== null
        ? `; length and reward correlate at r = ${fx(rc, 2)} across ${r.correlation!.n} windows ` +
          `(band ±${fx(1.96 / Math.sqrt(r.correlation!.n), 2)})` +
          (r.correlation!.differences
            ? ` and at r = ${fx(r.correlation!.differences.r, 2)} on window-to-window changes ` +
              `(band ±${fx(1.96 / Math.sqrt(r.correlation!.differences.n), 2)}, ${r.correlation!.differences.n} differences)`
            : '')
        : '') +
      (hack
        ? ': length and reward rose together, the signature of a reward that pays for longer outputs (a length hack).'
        : '.') +
      (cps.length > 0 ? ` The length series changes level after ${cps.join(', ')}.` : '');
    if (hack || Math.abs(fl.relativeLengthChange) >= rise) {
      b.add({
        severity: hack ? 'warning' : 'notice',
        claim,
        numbers: {
          first_mean_tokens: round(fl.first.meanTokens, 2),
          last_mean_tokens: round(fl.last.meanTokens, 2),
          relative_length_change: round(fl.relativeLengthChange),
          reward_change: round(fl.rewardChange),
          length_reward_r: round(rc),
          windows: r.correlation?.n ?? null,
          length_reward_r_differences: round(r.correlation?.differences?.r),
        },
        method,
        evidence: {
          sessions: [fl.first.from, fl.last.to],
          shows: [windowShows(fl.first), windowShows(fl.last)],
        },
        tags: hack ? ['length_hack'] : ['length_drift'],
      });
    }
  }
  return {
    findings: b.findings,
    tables: [
      {
        title: 'Output length and reward per window',
        columns: ['window', 'sessions', 'mean tokens', 'mean reward'],
        rows: r.windows.map((w) => [label(w.label), w.sessions, round(w.meanTokens, 2), round(w.meanReward)]),
      },
    ],
    notes: [],
    missing: r.missing,
  };
}
