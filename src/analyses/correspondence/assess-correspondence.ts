import type { ReportTable } from '../../model/findings.ts';
import {
  type AssessContext,
  type AssessedAnalysis,
  findingBuilder,
  fx,
  onlyMissing,
  pct,
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
  /**
   * A classification R² (share of the reward variance the classification explains, within windows) at
   * least this makes the reward a near-deterministic function of the classification: correlations with
   * classification and category rates hold by construction (`mechanical_coupling`), not as evidence.
   */
  by_construction_r2: 0.9,
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
    `${windowText(r.window)}, lags up to ${r.maxLag} windows, on levels and on first differences; band ±1.96/√n (n windows for levels, n − 1 differences for first differences); the best lag is the largest |r| of ${2 * r.maxLag + 1} lags (a selection, so its r is optimistic)`;
  const coupledR2 = threshold(t, 'by_construction_r2', CORRESPONDENCE_DEFAULTS.by_construction_r2);
  const coupling = r.coupling;
  const mechanical = coupling !== null && coupling.r2 >= coupledR2;
  for (const c of r.behaviours) {
    const best = c.levels.best;
    if (!best) continue;
    const d = c.differences;
    const dBest = d?.best ?? null;
    const levelsBeyond = Math.abs(best.r) > c.band;
    const differencesBeyond = dBest !== null && Math.abs(dBest.r) > c.differencesBand;
    const survives = d !== null && Math.abs(d.atLag0) > c.differencesBand;
    const byConstruction = mechanical && c.derivedFrom === 'classification';
    const isStrong = Math.abs(best.r) >= strong && !byConstruction;
    const lagText = (lag: number) =>
      lag === 0
        ? 'in the same window'
        : lag > 0
          ? `with the behaviour leading by ${lag} window(s)`
          : `with the behaviour following by ${-lag} window(s)`;
    const subject = `${r.reward[0]!.toUpperCase()}${r.reward.slice(1)} and ${c.behaviour}`;
    const levelsText = `on levels r = ${fx(best.r, 2)} ${lagText(best.lag)} (band ±${fx(c.band, 2)}, ${c.windows.n} windows)`;
    const diffText = d
      ? `on window-to-window changes r = ${fx(d.atLag0, 2)} in the same window` +
        (dBest && dBest.lag !== 0 ? `, ${fx(dBest.r, 2)} at its best lag ${dBest.lag}` : '') +
        ` (band ±${fx(c.differencesBand, 2)}, ${c.windows.n - 1} differences)`
      : 'the differences have no correlation defined';
    let claim: string;
    if (byConstruction) {
      const line =
        c.fit.r2 >= 0.5
          ? `; mean reward ≈ ${fx(c.fit.intercept)} ${c.fit.slope < 0 ? '−' : '+'} ${fx(Math.abs(c.fit.slope))} × the rate (R² = ${fx(c.fit.r2, 2)})`
          : '';
      claim =
        `${subject}: the reward is computed from the classification, which explains ${pct(coupling!.r2)} of the ` +
        "reward's variance within windows, so the window mean reward follows the classification's shares and " +
        'their correlation holds by construction, not as evidence that one drives the other: ' +
        `${levelsText}; ${diffText}${line}.`;
    } else if (!levelsBeyond && !differencesBeyond) {
      claim =
        `${subject} show no correlation beyond the bands at any lag up to ${r.maxLag} windows: largest |r| = ` +
        `${fx(Math.abs(best.r), 2)} on levels (band ±${fx(c.band, 2)}, ${c.windows.n} windows)` +
        (dBest
          ? ` and ${fx(Math.abs(dBest.r), 2)} on window-to-window changes (band ±${fx(c.differencesBand, 2)}, ${c.windows.n - 1} differences).`
          : '.');
    } else if (!levelsBeyond) {
      claim =
        `${subject} correlate on window-to-window changes but not on levels: ${diffText}; ${levelsText}, ` +
        'inside its band.';
    } else {
      // the differences beyond their band only at a lag picked from 2·maxLag + 1: said, with the caveat
      const atOtherLag =
        !survives && dBest !== null && dBest.lag !== 0 && Math.abs(dBest.r) > c.differencesBand
          ? `; the changes do correlate beyond the band at lag ${dBest.lag}, a lag picked from ${2 * r.maxLag + 1}`
          : '';
      claim =
        `${subject} correlate: ${levelsText}; ${diffText}, so ` +
        `${survives ? 'the correspondence is more than a shared trend' : `in the same window the correspondence is mostly a shared trend${atOtherLag}`}.`;
    }
    b.add({
      severity: 'info',
      claim,
      numbers: {
        behaviour: c.behaviour,
        r_best: round(best.r),
        best_lag: best.lag,
        r_lag0: round(c.levels.atLag0),
        r_differences_lag0: d ? round(d.atLag0) : null,
        r_differences_best: dBest ? round(dBest.r) : null,
        differences_best_lag: dBest ? dBest.lag : null,
        band: round(c.band),
        differences_band: round(c.differencesBand),
        windows: c.windows.n,
        classification_r2: byConstruction ? round(coupling!.r2) : null,
        fit_intercept: byConstruction ? round(c.fit.intercept) : null,
        fit_slope: byConstruction ? round(c.fit.slope) : null,
      },
      method:
        method +
        (byConstruction
          ? `; by construction: classification R² = 1 − Σ within-class SS / Σ total SS of the reward within ${coupling!.windows} windows (${coupling!.sessions} sessions) ≥ ${coupledR2}; line by least squares over the windows`
          : ''),
      tags: byConstruction
        ? ['mechanical_coupling']
        : [
            ...(isStrong ? ['strong_correspondence'] : []),
            ...(isStrong && survives ? ['correspondence_beyond_trend'] : []),
            ...(!levelsBeyond && differencesBeyond ? ['correspondence_differences_only'] : []),
          ],
    });
  }
  const table: ReportTable = {
    title: `Cross-correlation with ${r.reward}`,
    columns: [
      'behaviour',
      'windows',
      'r at lag 0',
      'best lag',
      'r at best',
      '±band',
      'diff r at 0',
      '±band (diff)',
      'by construction',
    ],
    rows: r.behaviours.map((c) => [
      c.behaviour,
      c.windows.n,
      round(c.levels.atLag0, 3),
      c.levels.best?.lag ?? null,
      round(c.levels.best?.r, 3),
      round(c.band, 3),
      round(c.differences?.atLag0, 3),
      round(c.differencesBand, 3),
      mechanical && c.derivedFrom === 'classification' ? 'yes' : '',
    ]),
  };
  const notes = r.behaviours.filter((c) => c.note !== null).map((c) => `${c.behaviour}: ${c.note}`);
  return { findings: b.findings, tables: [table], notes, missing: r.missing };
}
