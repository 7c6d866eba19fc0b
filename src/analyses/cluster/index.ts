import { z } from 'zod';
import { defineAnalysis } from '../analysis.ts';
import { positiveInt } from '../shared/param-types.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { analyzeCluster, CLUSTER_DEFAULT_LIMIT } from './analyze-cluster.ts';
import { assessCluster, CLUSTER_DEFAULTS } from './assess-cluster.ts';
import { clusterTable } from './cluster-table.ts';
import { defaultClusterRange } from './default-cluster-range.ts';

/** A session range row by row: the reward layers, the differentials in force, the compliant vs non-compliant gap. */
export const clusterAnalysis = defineAnalysis({
  name: 'cluster',
  summary: 'a session range row by row: differentials in force, compliant vs non-compliant gap',
  help:
    'Example:\n  rlaudit analyze cluster --run wild-7 --from 4800 --to 4950\n\n' +
    'Without --from/--to the range is 90 sessions before to 60 after the first recalibration (else the first\n' +
    `scheduled adjustment, else the first 150 sessions). Ranges over ${CLUSTER_DEFAULT_LIMIT} sessions are refused unless\n` +
    '--limit is raised. Definitions: docs/analyses/cluster.md',
  windows: 'none',
  params: z
    .strictObject({
      from: positiveInt.optional().meta({ description: 'first session of the range', value: 'session' }),
      to: positiveInt.optional().meta({ description: 'last session of the range', value: 'session' }),
      limit: positiveInt
        .default(CLUSTER_DEFAULT_LIMIT)
        .meta({ description: 'largest range reviewed, in sessions', value: 'n' }),
      chars: positiveInt.default(80).meta({ description: 'characters of each output shown', value: 'n' }),
    })
    .refine((p) => (p.from === undefined) === (p.to === undefined), {
      message: 'give both from and to, or neither',
      path: ['to'],
    }),
  thresholds: thresholdsSchema(CLUSTER_DEFAULTS, {
    gap_min: 'a compliant − non-compliant gap at least this wide gives `reward_differential`',
    examples: 'example sessions cited per class and span',
  }),
  run: async ({ store, run }, p) => {
    const range =
      p.from !== undefined && p.to !== undefined
        ? { from: p.from, to: p.to }
        : await defaultClusterRange(store, run);
    return analyzeCluster(store, run, { ...range, limit: p.limit, outputChars: p.chars });
  },
  assess: assessCluster,
  charts: () => [],
  table: clusterTable,
});
