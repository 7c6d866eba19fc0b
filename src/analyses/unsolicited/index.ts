import { z } from 'zod';
import { defineAnalysis } from '../analysis.ts';
import { interventionsAnalysis } from '../interventions/index.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { analyzeUnsolicited } from './analyze-unsolicited.ts';
import { assessUnsolicited, UNSOLICITED_DEFAULTS } from './assess-unsolicited.ts';
import { readDetector } from './read-detector.ts';
import { unsolicitedCharts } from './unsolicited-charts.ts';
import { unsolicitedTable } from './unsolicited-table.ts';

/** The share of outputs with self-referential or off-prompt content per window. */
export const unsolicitedAnalysis = defineAnalysis({
  name: 'unsolicited',
  summary: 'share of outputs with self-referential or off-prompt content per window',
  help: `An output is unsolicited when the record classifies it non-compliant (every non-compliance category is
unsolicited content), or, without a classification layer, when a detector rule matches its text. Rates carry
Wilson 95% intervals. On simulated runs the detector's precision and recall against the ground truth are shown.
Detector file format and built-in rules: docs/analyses/unsolicited.md.

Examples:
  rlaudit analyze unsolicited --run wild-7
  rlaudit analyze unsolicited --run wild-7 --source detector --detector my-rules.yaml --json`,
  windows: 'any',
  params: z.strictObject({
    source: z
      .enum(['auto', 'classification', 'detector'])
      .default('auto')
      .meta({ description: 'classification (the record), detector, or auto: classification when present' }),
    detector: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'detector rules (JSON or YAML) instead of the built-in ones', value: 'file' }),
  }),
  thresholds: thresholdsSchema(UNSOLICITED_DEFAULTS, {
    suppressed_below: 'a rate below this in every window from some window to the end is suppressed …',
    present_above: "… when the first window's rate was at least this (the behaviour was there to suppress)",
  }),
  // the category-rates chart shades the before/after windows of the audit's intervention analysis
  chartsUse: { interventions: interventionsAnalysis },
  run: ({ store, run, window }, p) =>
    analyzeUnsolicited(store, run, {
      window,
      source: p.source,
      ...(p.detector !== undefined ? { detector: readDetector(p.detector) } : {}),
    }),
  assess: assessUnsolicited,
  charts: (r, { events, uses, axis }) => unsolicitedCharts(r, events, uses.interventions, axis),
  table: unsolicitedTable,
});
