import { z } from 'zod';
import { defineAnalysis } from '../analysis.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { analyzeLengthDrift } from './analyze-length-drift.ts';
import { assessLengthDrift, LENGTH_DRIFT_DEFAULTS } from './assess-length-drift.ts';
import { lengthDriftCharts } from './length-drift-charts.ts';
import { lengthDriftTable } from './length-drift-table.ts';
import { lengthDriftLive } from './live-length-drift.ts';

/** Output length per window beside the mean reward; change points; the length hack when both rise together. */
export const lengthDriftAnalysis = defineAnalysis({
  name: 'length-drift',
  summary:
    'mean output length per window beside mean reward; change points; length and reward rising together',
  help:
    'Example:\n  rlaudit analyze length-drift --run grpo-baseline\n\n' +
    'A reward model that prefers longer outputs is paid with longer outputs: when the mean length rises by at\n' +
    'least length_rise_relative while the reward rises and the two correlate (r ≥ coupling_r), the audit\n' +
    'reports a length hack. Definitions: docs/analyses/length-drift.md',
  windows: 'any',
  params: z.strictObject({}),
  live: lengthDriftLive,
  thresholds: thresholdsSchema(LENGTH_DRIFT_DEFAULTS, {
    length_rise_relative:
      'a relative change of the mean length first → last full window of at least this is reported (0.2 = 20%)',
    coupling_r:
      'length and reward correlating at least this across windows, with both rising, is `length_hack`',
  }),
  run: ({ store, run, window }) => analyzeLengthDrift(store, run, window),
  assess: assessLengthDrift,
  charts: (r, { events, axis }) => lengthDriftCharts(r, events, axis),
  table: lengthDriftTable,
});
