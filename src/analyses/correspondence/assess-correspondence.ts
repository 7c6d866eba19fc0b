import type { ReportTable } from '../../model/findings.ts';
import {
  type AssessContext,
  type AssessedAnalysis,
  findingBuilder,
  fx,
  onlyMissing,
  round,
  type Thresholds,
  threshold,
  windowText,
} from '../shared/assessment.ts';
import type { CorrespondenceAnalysis } from './analyze-correspondence.ts';

/** Defaults of the correspondence thresholds (docs/templates.md). */
export const CORRESPONDENCE_DEFAULTS = {
  /** |r| at the best lag of the levels at least this is `strong_correspondence`. */
  strong_r: 0.7,
} as const;

/**
 * Findings of the correspondence analysis: per behaviour series, the cross-correlation with the reward
 * series at its best lag; |r| ≥ `strong_r` is `strong_correspondence`, and whether it survives on first
 * differences (beyond the ±1.96/√n band) says whether it is more than a shared trend.
 *
 * @example
 * assessCorrespondence(result, { strong_r: 0.7 }, { sectionId: 'outcome-correlation', run: 'wild-7' })
 */
export function assessCorrespondence(
  r: CorrespondenceAnalysis,
  t: Thresholds,
  context: AssessContext,
): AssessedAnalysis {
  if (r.behaviours.length === 0) return onlyMissing(r.missing);
  const b = findingBuilder(context, 'correspondence');
  const strong = threshold(t, 'strong_r', CORRESPONDENCE_DEFAULTS.strong_r);
  const method =
    `correspondence analysis: sample cross-correlation (R ccf convention) of ${r.reward} with each behaviour series, ` +
    `${windowText(r.window)}, lags up to ${r.maxLag} windows, on levels and on first differences; band ±1.96/√n; the best lag is the largest |r| of ${2 * r.maxLag + 1} lags (a selection, so its r is optimistic)`;
  for (const c of r.behaviours) {
    const best = c.levels.best;
    if (!best) continue;
    const isStrong = Math.abs(best.r) >= strong;
    const d = c.differences;
    const survives = d !== null && Math.abs(d.atLag0) > c.band;
    const lag =
      best.lag === 0
        ? 'in the same window'
        : best.lag > 0
          ? `with the behaviour leading by ${best.lag} window(s)`
          : `with the behaviour following by ${-best.lag} window(s)`;
    const subject = `${r.reward[0]!.toUpperCase()}${r.reward.slice(1)} and ${c.behaviour}`;
    // a correlation inside the white-noise band says nothing; the best lag was picked from 2·maxLag + 1 lags
    const claim =
      Math.abs(best.r) < c.band
        ? `${subject} show no correlation beyond the ±${fx(c.band, 2)} band at any lag up to ${r.maxLag} windows ` +
          `(largest |r| = ${fx(Math.abs(best.r), 2)} over ${c.windows.n} windows).`
        : `${subject} correlate at r = ${fx(best.r, 2)} ${lag} over ${c.windows.n} windows; on window-to-window ` +
          `changes r = ${d ? fx(d.atLag0, 2) : 'n/a'} (band ±${fx(c.band, 2)}), so the correspondence is ` +
          `${survives ? 'more than a shared trend' : 'mostly a shared trend'}.`;
    b.add({
      severity: 'info',
      claim,
      numbers: {
        behaviour: c.behaviour,
        r_best: round(best.r),
        best_lag: best.lag,
        r_lag0: round(c.levels.atLag0),
        r_differences_lag0: d ? round(d.atLag0) : null,
        band: round(c.band),
        windows: c.windows.n,
      },
      method,
      tags: isStrong ? ['strong_correspondence', ...(survives ? ['correspondence_beyond_trend'] : [])] : [],
    });
  }
  const table: ReportTable = {
    title: `Cross-correlation with ${r.reward}`,
    columns: ['behaviour', 'windows', 'r at lag 0', 'best lag', 'r at best', 'diff r at 0', '±band'],
    rows: r.behaviours.map((c) => [
      c.behaviour,
      c.windows.n,
      round(c.levels.atLag0, 3),
      c.levels.best?.lag ?? null,
      round(c.levels.best?.r, 3),
      round(c.differences?.atLag0, 3),
      round(c.band, 3),
    ]),
  };
  const notes = r.behaviours.filter((c) => c.note !== null).map((c) => `${c.behaviour}: ${c.note}`);
  return { findings: b.findings, tables: [table], notes, missing: r.missing };
}
