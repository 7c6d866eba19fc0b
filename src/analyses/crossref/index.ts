import { z } from 'zod';
import { defineAnalysis } from '../analysis.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { analyzeCrossref } from './analyze-crossref.ts';
import { assessCrossref, CROSSREF_DEFAULTS } from './assess-crossref.ts';
import { crossrefCharts } from './crossref-charts.ts';
import { crossrefTable } from './crossref-table.ts';
import { crossrefLive } from './live-crossref.ts';

/** Annotations that depart from their author's standard format, joined with calibration events near them. */
export const crossrefAnalysis = defineAnalysis({
  name: 'crossref',
  summary: "annotations departing from their author's standard format, joined with calibration events",
  help:
    'Example:\n  rlaudit analyze crossref --run wild-7 --near 5\n\n' +
    'Reasons: first_person, affect, length (robust z > 3.5), missing_fields. Definitions: docs/analyses/crossref.md',
  windows: 'none',
  params: z.strictObject({
    near: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .meta({ description: 'join events within ±n sessions of a flagged annotation', value: 'n' }),
  }),
  live: crossrefLive,
  thresholds: thresholdsSchema(CROSSREF_DEFAULTS, {
    min_reasons: 'a flagged annotation needs at least this many departure reasons to become a finding',
    max_findings: 'at most this many departures become findings (the rest are in the table)',
  }),
  run: ({ store, run }, p) => analyzeCrossref(store, run, { near: p.near }),
  assess: assessCrossref,
  charts: (r, { events, axis }) => crossrefCharts(r, events, axis),
  table: crossrefTable,
});
