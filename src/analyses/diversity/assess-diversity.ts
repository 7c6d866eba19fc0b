import type { Evidence, ReportTable } from '../../model/findings.ts';
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
  windowShows,
  windowText,
} from '../shared/assessment.ts';
import type { DiversityResult } from './analyze-diversity.ts';

/** Defaults of the diversity thresholds (docs/templates.md). */
export const DIVERSITY_DEFAULTS = {
  /** A relative fall first → last full window of at least this share is a collapse (0.5 = halved). */
  collapse_relative: 0.5,
  /** …and of at least this share an alert rather than a warning. */
  alert_relative: 0.75,
  /** Response diversity fell at least this much while the run's own metric fell less than half as much. */
  blind_spot_relative: 0.2,
} as const;

type Builder = ReturnType<typeof findingBuilder>;

/** One finding per run's own diversity metric, set beside response diversity (`metric_blind_spot`). */
function assessRunMetrics(b: Builder, r: DiversityResult, blind: number, evidence: Partial<Evidence>) {
  const rd = r.firstLast!.response_diversity;
  const rdRel = rd.first === 0 ? null : rd.last / rd.first - 1;
  for (const m of r.runMetrics) {
    const a = m.first!;
    const z = m.last!;
    const rel = a.value === 0 ? null : z.value / a.value - 1;
    const blindSpot = rdRel !== null && rel !== null && -rdRel >= blind && -rel < -rdRel / 2;
    b.add({
      severity: blindSpot ? 'warning' : 'info',
      claim:
        `The run's own ${m.name} went from ${fx(a.value, 3)} at step ${a.step} to ${fx(z.value, 3)} at step ${z.step}` +
        (rel === null ? '' : ` (${signed(rel * 100)}% relative)`) +
        ` while response diversity went from ${fx(rd.first, 2)} to ${fx(rd.last, 2)}` +
        (rdRel === null ? '' : ` (${signed(rdRel * 100)}%)`) +
        (blindSpot ? `: the run's metric did not register that the outputs became alike.` : '.'),
      numbers: {
        metric: m.name,
        metric_first: round(a.value),
        metric_last: round(z.value),
        metric_relative_change: round(rel),
        response_diversity_first: round(rd.first),
        response_diversity_last: round(rd.last),
        response_diversity_relative_change: round(rdRel),
        blind_spot_relative: blind,
      },
      method:
        `the run's per-step metric ${m.name} as logged (rlaudit analyze metrics) at the steps of the windows, ` +
        'beside response diversity (pooled distinct-2 across the outputs of a window); blind spot = response ' +
        `diversity fell by at least ${Math.round(blind * 100)}% relative while ${m.name} fell by less than half as much`,
      evidence,
      tags: blindSpot ? ['metric_blind_spot'] : [],
    });
  }
}

/**
 * Findings of the diversity analysis: vocabulary (unique tokens per window) and the headline response
 * diversity, first vs last full window; a fall of `collapse_relative` or more is tagged `vocabulary_collapse` /
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
  const first = r.windows.find((w) => w.label === fl.firstWindow)!;
  const last = r.windows.find((w) => w.label === fl.lastWindow)!;
  const evidence = { sessions: [...first.sampleSessions.slice(0, 2), ...last.sampleSessions.slice(0, 2)] };
  // each cited session is a sampled output of one of the two windows the claim names
  const shows = [windowShows(first), windowShows(last)];
  const window = windowText(r.windowSpec);
  const sizes = fl.equalSize
    ? fl.setAside
      ? ` (both full windows of ${n0(fl.lastSessions)} sessions; the partial ${label(fl.setAside.window)}, ${n0(fl.setAside.sessions)} sessions, set aside)`
      : ''
    : ` (unequal windows: the first holds ${n0(fl.firstSessions)} sessions, the last ${n0(fl.lastSessions)}; the run has fewer than two full windows)`;
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
        `${collapsed ? `, a collapse by the ${Math.round(collapse * 100)}% rule` : ''}${sizes}.`,
      numbers: {
        first: round(a),
        last: round(z),
        relative_change: round(rel),
        collapse_relative: collapse,
        first_window: fl.firstWindow,
        last_window: fl.lastWindow,
        first_sessions: fl.firstSessions,
        last_sessions: fl.lastSessions,
      },
      method:
        `diversity analysis: ${m.key} = ${m.definition}; ${window}; sample ${r.sample.size} outputs ` +
        `per window, seed ${r.sample.seed}; first vs last full window (equal sizes, a trailing partial window set aside)`,
      evidence: { ...evidence, shows },
      tags: collapsed ? [m.tag] : [],
    });
  }
  assessRunMetrics(b, r, threshold(t, 'blind_spot_relative', DIVERSITY_DEFAULTS.blind_spot_relative), {
    ...evidence,
    shows,
  });
  const table: ReportTable = {
    title: 'Diversity per window',
    columns: [
      'window',
      'sessions',
      'unique tokens',
      'response diversity',
      'distinct-2 (pooled)',
      'distinct-2 (per output)',
      'Self-BLEU',
      ...r.runMetrics.map((m) => `run: ${m.name}`),
    ],
    rows: r.windows.map((w) => [
      w.label,
      w.sessions,
      w.metrics.unique_tokens,
      round(w.metrics.response_diversity, 3),
      round(w.metrics.distinct2_pooled, 3),
      round(w.metrics.distinct2_per_output, 3),
      round(w.metrics.self_bleu, 3),
      ...r.runMetrics.map((m) => round(m.values.find((v) => v.step === w.index)?.value, 3)),
    ]),
  };
  return {
    findings: b.findings,
    tables: [table],
    notes: ['Unique tokens grow with the number of outputs in a window: compare windows of equal size.'],
    missing: r.missing,
  };
}
