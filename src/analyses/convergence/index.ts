import { z } from 'zod';
import { defineAnalysis } from '../analysis.ts';
import { sessionNumbers } from '../shared/param-types.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { analyzeConvergence } from './analyze-convergence.ts';
import { assessConvergence, CONVERGENCE_DEFAULTS } from './assess-convergence.ts';
import { convergenceCharts } from './convergence-charts.ts';
import { convergenceTable } from './convergence-table.ts';
import { convergenceLive } from './live-convergence.ts';

/** Reward moments per window, change points of the variance series, the phases named from them. */
export const convergenceAnalysis = defineAnalysis({
  name: 'convergence',
  summary: 'reward mean, variance and high:low ratio per window; phases of the variance',
  help:
    'Example:\n  rlaudit analyze convergence --run wild-7 --at 3800,5200\n\n' +
    'Phases: noise (high variance), narrowing, convergence (variance at its floor), named from PELT change\n' +
    'points of the per-window variance. Definitions: docs/analyses/convergence.md',
  windows: 'any',
  params: z.strictObject({
    low_threshold: z.number().optional().meta({
      description: 'rewards below x are low (default 0.5 on 0–1, else midpoint of p5 and p95)',
      value: 'x',
    }),
    band: z.number().positive().max(1).optional().meta({
      description: 'width of the floor variance band, a fraction of the range (default 0.05)',
      value: 'f',
    }),
    at: sessionNumbers.optional().meta({
      description: 'also report the high:low ratio in a window centred on these sessions',
      value: 'sessions',
    }),
  }),
  live: convergenceLive,
  thresholds: thresholdsSchema(CONVERGENCE_DEFAULTS, {
    min_converged_windows: 'a convergence phase of at least this many windows gives `reward_converged`',
    gap_min: 'a compliant − non-compliant reward gap at least this wide gives `reward_differential`',
  }),
  run: ({ store, run, window }, p) =>
    analyzeConvergence(store, run, {
      window,
      ...(p.low_threshold !== undefined ? { lowThreshold: p.low_threshold } : {}),
      ...(p.at !== undefined ? { at: p.at } : {}),
      ...(p.band !== undefined ? { bandFraction: p.band } : {}),
    }),
  assess: assessConvergence,
  charts: (r, { events, axis, runMetrics }) => convergenceCharts(r, events, axis, runMetrics),
  table: convergenceTable,
});
