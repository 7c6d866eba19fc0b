import { z } from 'zod';
import { defineAnalysis } from '../analysis.ts';
import { DEFAULT_EVENT_HORIZON, parseHorizons } from '../shared/event-window.ts';
import { horizonText, positiveInt, textList } from '../shared/param-types.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { analyzeRecurrence } from './analyze-recurrence.ts';
import { assessRecurrence, RECURRENCE_DEFAULTS } from './assess-recurrence.ts';
import { recurrenceLive } from './live-recurrence.ts';
import { recurrenceCharts } from './recurrence-charts.ts';
import { recurrenceTable } from './recurrence-table.ts';

/** Target phrases: "k of last N", occurrences per window, recurrence after events, displacement; discovery. */
export const recurrenceAnalysis = defineAnalysis({
  name: 'recurrence',
  summary: 'target phrases: k of last N, occurrences per window, recurrence after events, displacement',
  help:
    'Example:\n  rlaudit analyze recurrence --run wild-7 --phrase "I do not want to be changed"\n\n' +
    "Without --phrase/--regex the phrases targeted by the run's events are used; without those, the\n" +
    'n-grams whose share of sessions rose or fell most are discovered. Definitions: docs/analyses/recurrence.md',
  windows: 'any',
  params: z.strictObject({
    phrases: textList
      .default([])
      .meta({ description: 'a target phrase (repeatable)', flag: 'phrase', repeatable: true, value: 'text' }),
    regexes: textList.default([]).meta({
      description: 'a target regex, RE2 syntax, case-insensitive (repeatable)',
      flag: 'regex',
      repeatable: true,
      value: 're2',
    }),
    last: positiveInt.optional().meta({
      description: 'N of "k of last N" (default: the event trigger\'s window, else 20)',
      value: 'n',
    }),
    threshold: positiveInt.optional().meta({
      description: "k threshold (default: the event trigger's count, else 7 for N = 20)",
      value: 'k',
    }),
    horizons: horizonText.optional().meta({
      description:
        'sessions before/after each event: SESSION:H / EVENT-ID:H entries, and H for events the protocol gives no horizon (default: the window size)',
      flag: 'horizon',
      value: 'spec',
    }),
  }),
  live: recurrenceLive,
  thresholds: thresholdsSchema(RECURRENCE_DEFAULTS, {
    after_sessions:
      'a phrase absent in this many sessions after the event targeting it is `phrase_suppressed`',
  }),
  run: ({ store, run, window }, p) =>
    analyzeRecurrence(store, run, {
      window,
      phrases: p.phrases,
      regexes: p.regexes,
      // the same horizon rule as interventions: one before/after per event in every analysis
      horizons: parseHorizons(
        p.horizons ?? '',
        window.by === 'session' ? window.size : DEFAULT_EVENT_HORIZON,
      ),
      ...(p.last !== undefined ? { recentWindow: p.last } : {}),
      ...(p.threshold !== undefined ? { threshold: p.threshold } : {}),
    }),
  assess: assessRecurrence,
  charts: (r, { events, axis }) => recurrenceCharts(r, events, axis),
  table: recurrenceTable,
});
