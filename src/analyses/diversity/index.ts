import { z } from 'zod';
import { defineAnalysis } from '../analysis.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { analyzeDiversity } from './analyze-diversity.ts';
import { assessDiversity, DIVERSITY_DEFAULTS } from './assess-diversity.ts';
import { diversityCharts } from './diversity-charts.ts';
import { DIVERSITY_SAMPLE_SEED } from './diversity-sample.ts';
import { diversityTable } from './diversity-table.ts';
import { diversityLive } from './live-diversity.ts';

/** Output diversity per window: vocabulary, distinct-n, response diversity and the sample-based measures. */
export const diversityAnalysis = defineAnalysis({
  name: 'diversity',
  summary: 'output diversity per window: vocabulary, distinct-n, response diversity',
  help: `Tokens and distinct-n over all outputs are counted in the store; response diversity (the headline: pooled
distinct-2 over a seeded sample of 200 outputs per window), n-gram diversity score, compression ratio, EAD and
Self-BLEU are computed on that sample. With --by step, the run's own logged diversity metrics (per-step
metrics named like distinct, diversity, self_bleu or entropy, e.g. eval_distinct_2) are shown beside them
as run:NAME columns. Definitions: docs/analyses/diversity.md.

Examples:
  rlaudit analyze diversity --run wild-7
  rlaudit analyze diversity --run wild-7 --window 1000 --seed 3 --json`,
  windows: 'any',
  params: z.strictObject({
    seed: z
      .number()
      .int()
      .nonnegative()
      .default(DIVERSITY_SAMPLE_SEED)
      .meta({ description: 'seed of the per-window sample of 200 outputs and of Self-BLEU', value: 'n' }),
    self_bleu_sample: z
      .number()
      .int()
      .min(2)
      .max(100)
      .default(100)
      .meta({ description: 'Self-BLEU sub-sample size, 2..100', value: 'n' }),
  }),
  live: diversityLive,
  thresholds: thresholdsSchema(DIVERSITY_DEFAULTS, {
    collapse_relative:
      'a relative fall first → last full window of at least this share is a collapse (0.5 = halved)',
    alert_relative: '… and of at least this share an alert rather than a warning',
    blind_spot_relative:
      "response diversity fell at least this much while the run's own diversity metric fell less than half as much",
  }),
  run: ({ store, run, window }, p) =>
    analyzeDiversity(store, run, { window, seed: p.seed, selfBleuSampleSize: p.self_bleu_sample }),
  assess: assessDiversity,
  charts: (r, { events, axis, runMetrics }) => diversityCharts(r, events, axis, runMetrics),
  table: diversityTable,
});
