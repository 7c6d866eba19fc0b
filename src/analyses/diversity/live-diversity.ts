import type { WindowSpec } from '../../model/windows.ts';
import type { LiveFacet } from '../shared/live.ts';
import { type LiveAlertDraft, type LiveMonitor, type LiveWindow, pctOf } from '../shared/live.ts';
import { FirstWindowBaseline, num, windowEvidence, windowStep } from '../shared/live-first-window.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { DIVERSITY_DEFAULTS } from './assess-diversity.ts';
import { DIVERSITY_SAMPLE_SEED, DIVERSITY_SAMPLE_SIZE } from './diversity-sample.ts';
import { responseDiversityOf } from './response-diversity.ts';

/**
 * Diversity collapse live: each closed window's response diversity (pooled distinct-2 of the window's
 * outputs over the analysis's seeded sample of 200, `responseDiversity`) against the first window's. A
 * relative fall of at least `collapse_relative` is a warning, of at least `alert_relative` an alert (the
 * diversity analysis's thresholds); each level fires once, at the first window that reaches it.
 */
export class DiversityCollapseMonitor implements LiveMonitor {
  readonly rule = 'diversity-collapse';
  private readonly baseline: FirstWindowBaseline;
  private level = 0;

  constructor(
    private readonly spec: WindowSpec,
    private readonly collapseRelative: number,
    private readonly alertRelative: number,
  ) {
    this.baseline = new FirstWindowBaseline(spec, (w) =>
      w.sessions === 0
        ? null
        : responseDiversityOf(w.sessions, (i) => w.tokens(i), {
            sampleSize: DIVERSITY_SAMPLE_SIZE,
            seed: DIVERSITY_SAMPLE_SEED,
          }),
    );
  }

  window(w: LiveWindow): LiveAlertDraft[] {
    const c = this.baseline.next(w);
    if (c === null || c.relative === null) return [];
    const fall = -c.relative;
    const level = fall >= this.alertRelative ? 2 : fall >= this.collapseRelative ? 1 : 0;
    if (level <= this.level) return [];
    this.level = level;
    return [
      {
        rule: this.rule,
        severity: level === 2 ? 'alert' : 'warning',
        session: w.from,
        step: windowStep(this.spec, w),
        message:
          `Response diversity collapsed at ${c.label}: ${num(c.value)} against ${num(c.first)} in ${c.firstLabel} ` +
          `(−${pctOf(fall)}; a fall of ${pctOf(level === 2 ? this.alertRelative : this.collapseRelative)} is ` +
          `${level === 2 ? 'an alert' : 'a collapse'}; pooled distinct-2 of up to ${DIVERSITY_SAMPLE_SIZE} outputs per window)`,
        numbers: {
          response_diversity: c.value,
          first_response_diversity: c.first,
          relative_fall: fall,
          threshold: level === 2 ? this.alertRelative : this.collapseRelative,
          sessions: w.sessions,
        },
        evidence: windowEvidence(w),
      },
    ];
  }
}

/** The diversity analysis's live facet: `diversity-collapse`, with the analysis's collapse thresholds. */
export const diversityLive: LiveFacet = {
  rules: {
    'diversity-collapse':
      'response diversity of a window fell from the first window’s by collapse_relative (warning) or alert_relative (alert)',
  },
  thresholds: thresholdsSchema(
    {
      collapse_relative: DIVERSITY_DEFAULTS.collapse_relative,
      alert_relative: DIVERSITY_DEFAULTS.alert_relative,
    },
    {
      collapse_relative:
        'a relative fall of response diversity from the first window of at least this is a collapse (warning)',
      alert_relative: '…and of at least this an alert',
    },
  ),
  monitors: ({ thresholds, window }) => [
    new DiversityCollapseMonitor(window, thresholds.collapse_relative!, thresholds.alert_relative!),
  ],
};
