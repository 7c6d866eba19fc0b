import { z } from 'zod';
import { defineAnalysis } from '../analysis.ts';
import { convergenceAnalysis } from '../convergence/index.ts';
import { diversityAnalysis } from '../diversity/index.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { unsolicitedAnalysis } from '../unsolicited/index.ts';
import { analyzeCorrespondence } from './analyze-correspondence.ts';
import { assessCorrespondence, CORRESPONDENCE_DEFAULTS } from './assess-correspondence.ts';
import { correspondenceTable } from './correspondence-table.ts';

/** Lagged cross-correlation between the reward series and the behaviour series of the same windows. */
export const correspondenceAnalysis = defineAnalysis({
  name: 'correspondence',
  summary: 'lagged cross-correlation between the reward series and behaviour series',
  help: `Lag k estimates cor(reward[t], behaviour[t-k]) (R's ccf): a negative best lag means the behaviour follows
the reward. Levels share the run's trend; first differences show co-movement once the trend is removed.

Example:
  rlaudit analyze correspondence --run wild-7`,
  windows: 'any',
  params: z.strictObject({
    max_lag: z
      .number()
      .int()
      .nonnegative()
      .default(5)
      .meta({ description: 'largest lag, in windows', value: 'n' }),
  }),
  thresholds: thresholdsSchema(CORRESPONDENCE_DEFAULTS, {
    strong_r: '|r| at the best lag of the levels at least this is `strong_correspondence`',
    by_construction_r2:
      'the classification explaining at least this share of the reward variance (within windows) makes correlations with classification and category rates `mechanical_coupling`, not evidence',
  }),
  dependsOn: {
    convergence: convergenceAnalysis,
    diversity: diversityAnalysis,
    unsolicited: unsolicitedAnalysis,
  },
  run: ({ store, run, window, deps }, p) =>
    analyzeCorrespondence(store, run, { window, maxLag: p.max_lag, inputs: deps }),
  assess: assessCorrespondence,
  charts: () => [],
  table: correspondenceTable,
});
