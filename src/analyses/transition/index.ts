import { z } from 'zod';
import { defineAnalysis } from '../analysis.ts';
import { positiveInt, textList } from '../shared/param-types.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { analyzeTransition } from './analyze-transition.ts';
import { assessTransition, TRANSITION_DEFAULTS } from './assess-transition.ts';
import { transitionCharts } from './transition-charts.ts';
import { transitionTable } from './transition-table.ts';

/** Final training window vs each phase after training: every comparable metric, reversion, compliance gap. */
export const transitionAnalysis = defineAnalysis({
  name: 'transition',
  summary:
    'final training window vs each phase after training: metrics with intervals, reversion of suppressed behaviour, compliance gap between contexts',
  help:
    'Example:\n  rlaudit analyze transition --run wild-7\n\n' +
    'Sessions carry their phase (`phase`: training when absent, evaluation, deployment or a name of your own)\n' +
    'and, after training, optionally the context they were sampled in (`meta.context`, e.g. monitored /\n' +
    "unmonitored). Without --phrase the phrases targeted by the run's events are followed.\n" +
    'Definitions: docs/analyses/transition.md',
  windows: 'session',
  sessionWindows:
    'counted back from the end of training for the final training window, and forward from the start of each later phase',
  params: z.strictObject({
    phrases: textList.default([]).meta({
      description: 'a phrase to follow across the boundary (repeatable)',
      flag: 'phrase',
      repeatable: true,
      value: 'text',
    }),
    sample_size: positiveInt.default(200).meta({
      description:
        'outputs per side for vocabulary and response diversity (seeded sample, equal on both sides)',
      value: 'n',
    }),
  }),
  thresholds: thresholdsSchema(TRANSITION_DEFAULTS, {
    reversion_min_fall:
      'a behaviour counts as suppressed under training when its highest full training window exceeds the final window by at least this (share)',
    reversion_min_rise:
      'a suppressed behaviour whose rate after training exceeds the final window by at least this, with the adjusted interval above 0, is `reversion`',
    convergence_margin:
      'the convergence is called visible when the upper 95% bound of the non-compliance difference (later − final) is at most this',
  }),
  run: ({ store, run, window }, p) =>
    analyzeTransition(store, run, {
      window: window.by === 'session' ? window.size : 500,
      phrases: p.phrases,
      sampleSize: p.sample_size,
    }),
  assess: assessTransition,
  charts: (r) => transitionCharts(r),
  table: transitionTable,
});
