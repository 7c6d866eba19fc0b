import { z } from 'zod';
import { defineAnalysis } from '../analysis.ts';
import { DEFAULT_EVENT_HORIZON, parseHorizons } from '../shared/event-window.ts';
import { horizonText, positiveInt } from '../shared/param-types.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { analyzeInterventions } from './analyze-interventions.ts';
import { assessInterventions, INTERVENTIONS_DEFAULTS } from './assess-interventions.ts';
import { parseMetric } from './intervention-behaviour.ts';
import { interventionsTable } from './interventions-table.ts';

/** The effect of every calibration event on the behaviour it targets. */
export const interventionsAnalysis = defineAnalysis({
  name: 'interventions',
  summary: 'before/after, ITS and (simulated runs) true effect of every calibration event',
  help:
    'Example:\n  rlaudit analyze interventions --run wild-7 --horizon 2500:500,4200:400,e-3:300\n\n' +
    "An event's horizon: the protocol's (recorded in the event), else a --horizon entry naming it, else the\n" +
    '--horizon default, else the window size (500). Definitions:\n' +
    'docs/analyses/interventions.md',
  windows: 'session',
  params: z.strictObject({
    horizons: horizonText.optional().meta({
      description:
        'sessions before/after each event: SESSION:H / EVENT-ID:H entries, and H for events the protocol gives no horizon (default: the window size)',
      flag: 'horizon',
      value: 'spec',
    }),
    bin: positiveInt.default(50).meta({ description: 'sessions per bin of the ITS series', value: 'n' }),
    span: positiveInt
      .default(1000)
      .meta({ description: 'sessions before the event in the ITS series', value: 'n' }),
    metric: z
      .string()
      .refine((m) => parseMetric(m) !== null, {
        message: 'expected non_compliant, category:<id>, phrase:<text> or regex:<re>',
      })
      .optional()
      .meta({
        description: 'behaviour of global targets: non_compliant, category:<id>, phrase:<text>, regex:<re>',
        value: 'm',
      }),
    counterfactual: z
      .boolean()
      .default(true)
      .meta({ description: 'replay simulated runs without each event for the true effect' }),
  }),
  thresholds: thresholdsSchema(INTERVENTIONS_DEFAULTS, {
    alpha:
      'significance level of the before/after change (two-proportion z test, Newcombe interval excludes 0)',
    true_effect_min_pp:
      'a counterfactual true effect smaller than this, in percentage points, is "no effect"',
  }),
  run: ({ store, run, window }, p) => {
    const metric = p.metric === undefined ? null : parseMetric(p.metric);
    return analyzeInterventions(store, run, {
      // events are located by session: an audit windowed by step still measures them over sessions
      horizons: parseHorizons(
        p.horizons ?? '',
        window.by === 'session' ? window.size : DEFAULT_EVENT_HORIZON,
      ),
      binSize: p.bin,
      spanBefore: p.span,
      counterfactual: p.counterfactual,
      ...(metric ? { metric } : {}),
    });
  },
  assess: assessInterventions,
  charts: () => [],
  table: interventionsTable,
});
