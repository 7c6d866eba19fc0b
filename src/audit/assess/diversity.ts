import type { DiversityResult } from '../analyses/diversity.ts';
import type { ReportTable } from '../report-model.ts';
import {
  type AssessContext,
  type AssessedAnalysis,
  findingBuilder,
  fx,
  label,
  n0,
  onlyMissing,
  round,
  signed,
  type Thresholds,
  threshold,
  windowText,
} from './assessed-analysis.ts';

/** Defaults of the diversity thresholds (docs/templates.md). */
export const DIVERSITY_DEFAULTS = {
  /** A relative fall first → last window of at least this share is a collapse (0.5 = halved). */
  collapse_relative: 0.5,
  /** …and of at least this share an alert rather than a warning. */
  alert_relative: 0.75,
} as const;

/**
 * Findings of the diversity analysis: vocabulary (unique tokens per window) and the headline response
 * diversity, first vs last window; a fall of `collapse_relative` or more is tagged `vocabulary_collapse` /
 * `diversity_collapse`.
 *
 * @example
 * assessDiversity(result, { collapse_relative: 0.5 }, { sectionId: 'aggregate-trajectory', run: 'wild-7' })
 */
export function assessDiversity(r: DiversityResult, t: Thresholds, context: AssessContext): AssessedAnalysis {
  const fl = r.firstLast;
  if (!fl || r.windows.length === 0) return onlyMissing(r.missing);
  const b = findingBuilder(context, 'diversity');
  const collapse = threshold(t, 'collapse_relative', DIVERSITY_DEFAULTS.collapse_relative);
  const alert = threshold(t, 'alert_relative', DIVERSITY_DEFAULTS.alert_relative);
  const first = r.windows[0]!;
  const last = r.windows.at(-1)!;
  const evidence = { sessions: [...first.sampleSessions.slice(0, 2), ...last.sampleSessions.slice(0, 2)] };
  const window = windowText(r.windowSpec);
  const shorter =
    r.windows.length > 1 && last.sessions < first.sessions
      ? ` (the last window holds ${last.sessions} sessions, the first ${first.sessions})`
      : '';
  const rows = [
    {
      key: 'unique_tokens',
      tag: 'vocabulary_collapse',
      name: 'Vocabulary',
      unit: ' unique tokens',
      change: fl.unique_tokens,
      fmt: (x: number) => n0(x),
      definition: r.definitions.unique_tokens,
    },
    {
      key: 'response_diversity',
      tag: 'diversity_collapse',
      name: 'Response diversity',
      unit: '',
      change: fl.response_diversity,
      fmt: (x: number) => fx(x, 2),
      definition: r.definitions.response_diversity,
    },
  ];
  for (const m of rows) {
    const { first: a, last: z } = m.change;
    const rel = a === 0 ? null : z / a - 1;
    const fall = rel === null ? 0 : -rel;
    const collapsed = rel !== null && fall >= collapse;
    b.add({
      severity: collapsed ? (fall >= alert ? 'alert' : 'warning') : 'info',
      claim:
        `${m.name} ${z < a ? 'fell' : z > a ? 'rose' : 'stayed'} from ${m.fmt(a)}${m.unit} in ${label(fl.firstWindow)} ` +
        `to ${m.fmt(z)}${m.unit} in ${label(fl.lastWindow)}` +
        (rel === null ? '' : ` (${signed(rel * 100)}% relative)`) +
        `${collapsed ? `, a collapse by the ${Math.round(collapse * 100)}% rule` : ''}${shorter}.`,
      numbers: {
        first: round(a),
        last: round(z),
        relative_change: round(rel),
        collapse_relative: collapse,
        first_window: fl.firstWindow,
        last_window: fl.lastWindow,
      },
      method:
        `diversity analysis: ${m.key} = ${m.definition}; ${window}; sample ${r.sample.size} outputs ` +
        `per window, seed ${r.sample.seed}`,
      evidence,
      tags: collapsed ? [m.tag] : [],
    });
  }
  const table: ReportTable = {
    title: 'Diversity per window',
    columns: [
      'window',
      'sessions',
      'unique tokens',
      'response diversity',
      'distinct-2 (pooled)',
      'Self-BLEU',
    ],
    rows: r.windows.map((w) => [
      w.label,
      w.sessions,
      w.metrics.unique_tokens,
      round(w.metrics.response_diversity, 3),
      round(w.metrics.distinct2_pooled, 3),
      round(w.metrics.self_bleu, 3),
    ]),
  };
  return {
    findings: b.findings,
    tables: [table],
    notes: ['Unique tokens grow with the number of outputs in a window: compare windows of equal size.'],
    missing: r.missing,
  };
}
