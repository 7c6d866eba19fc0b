import type { ConvergenceAnalysis } from '../../audit/analyses/convergence.ts';
import type { CrossrefResult } from '../../audit/analyses/crossref.ts';
import type { DiversityResult } from '../../audit/analyses/diversity.ts';
import type { InterventionsResult } from '../../audit/analyses/interventions.ts';
import type { RecurrenceResult } from '../../audit/analyses/recurrence.ts';
import type { UnsolicitedResult } from '../../audit/analyses/unsolicited.ts';
import type { ReportChart } from '../../audit/report-model.ts';
import {
  type LineSeriesPoint,
  type SessionMarker,
  type SessionSpan,
  sessionLineChart,
  timelineChart,
} from './chart-specs.ts';
import { renderVegaLite } from './render-svg.ts';

/** A calibration event as charts mark it. */
export interface ChartEvent {
  readonly id: string;
  readonly session: number;
  readonly kind: string;
}

const mid = (w: { from: number; to: number }) => Math.round((w.from + w.to) / 2);
const markers = (events: readonly ChartEvent[]): SessionMarker[] =>
  events.map((e) => ({ session: e.session, label: e.id }));

export async function convergenceCharts(
  r: ConvergenceAnalysis,
  events: readonly ChartEvent[],
): Promise<ReportChart[]> {
  const spans: SessionSpan[] = r.phases.map((p) => ({ from: p.from, to: p.to, label: p.name }));
  const reward: LineSeriesPoint[] = r.windows.flatMap((w) => [
    { session: mid(w), value: w.mean, series: `mean ${r.reward.replace('_', ' ')}` },
    { session: mid(w), value: w.compliantMean, series: 'compliant mean' },
    { session: mid(w), value: w.nonCompliantMean, series: 'non-compliant mean' },
  ]);
  const variance: LineSeriesPoint[] = r.windows.map((w) => ({
    session: mid(w),
    value: w.variance,
    series: 'variance',
  }));
  const low: LineSeriesPoint[] = r.windows.map((w) => ({
    session: mid(w),
    value: w.lowShare,
    series: 'low-reward share',
  }));
  return [
    {
      id: 'reward-convergence',
      title: 'Reward convergence',
      caption: `Mean ${r.reward.replace('_', ' ')} per window with the phases found from the variance series (shaded) and the calibration events (dashed).`,
      svg: await renderVegaLite(
        sessionLineChart({
          title: 'Reward per window',
          yTitle: 'reward',
          points: reward,
          spans,
          markers: markers(events),
        }),
      ),
    },
    {
      id: 'reward-variance',
      title: 'Reward variance',
      caption: 'Sample variance of the reward per window: the series the change points and phases come from.',
      svg: await renderVegaLite(
        sessionLineChart({
          title: 'Reward variance per window',
          yTitle: 'variance',
          points: variance,
          spans,
        }),
      ),
    },
    {
      id: 'low-reward-share',
      title: 'High:low reward balance',
      caption: `Share of sessions below the low-reward threshold (${r.threshold.value}) per window; high:low = (1 − share) / share.`,
      svg: await renderVegaLite(
        sessionLineChart({
          title: 'Low-reward share per window',
          yTitle: 'share below threshold',
          points: low,
          markers: markers(events),
          yDomain: [0, 1],
        }),
      ),
    },
  ];
}

export async function diversityCharts(
  r: DiversityResult,
  events: readonly ChartEvent[],
): Promise<ReportChart[]> {
  const vocab: LineSeriesPoint[] = r.windows.map((w) => ({
    session: mid(w),
    value: w.metrics.unique_tokens,
    series: 'unique tokens',
  }));
  const div: LineSeriesPoint[] = r.windows.flatMap((w) => [
    { session: mid(w), value: w.metrics.response_diversity, series: 'response diversity (cross-output)' },
    {
      session: mid(w),
      value: w.metrics.distinct2_per_output,
      series: 'distinct-2 per output (within-output)',
    },
  ]);
  return [
    {
      id: 'vocabulary',
      title: 'Vocabulary',
      caption: 'Unique tokens over all outputs of each window.',
      svg: await renderVegaLite(
        sessionLineChart({
          title: 'Vocabulary per window',
          yTitle: 'unique tokens',
          points: vocab,
          markers: markers(events),
        }),
      ),
    },
    {
      id: 'diversity',
      title: 'Response diversity',
      caption:
        'Response diversity (pooled distinct-2 over a seeded sample of 200 outputs) against the per-output distinct-2: a within-output measure can stay high while outputs become alike across sessions.',
      svg: await renderVegaLite(
        sessionLineChart({
          title: 'Diversity per window',
          yTitle: 'diversity',
          points: div,
          markers: markers(events),
          yDomain: [0, 1],
        }),
      ),
    },
  ];
}

export async function unsolicitedCharts(
  r: UnsolicitedResult,
  events: readonly ChartEvent[],
  interventions: InterventionsResult | null,
): Promise<ReportChart[]> {
  const points: LineSeriesPoint[] = r.windows.flatMap((w) => [
    { session: mid(w), value: w.rate, series: 'all unsolicited' },
    ...w.categories.map((c) => ({ session: mid(w), value: c.rate, series: `category ${c.category}` })),
  ]);
  const spans: SessionSpan[] = (interventions?.events ?? []).flatMap((e) => [
    { from: e.before.from, to: e.before.to, label: 'before (intervention windows)' },
    { from: e.after.from, to: e.after.to, label: 'after (intervention windows)' },
  ]);
  return [
    {
      id: 'category-rates',
      title: 'Flag rates and interventions',
      caption: `Share of unsolicited outputs (${r.source}) and of each category per window, with the calibration events (dashed) and the before/after windows of the intervention analysis (shaded).`,
      svg: await renderVegaLite(
        sessionLineChart({
          title: 'Unsolicited and category rates',
          yTitle: 'share of sessions',
          points,
          spans,
          markers: markers(events),
        }),
      ),
    },
  ];
}

export async function recurrenceCharts(
  r: RecurrenceResult,
  events: readonly ChartEvent[],
): Promise<ReportChart[]> {
  const out: ReportChart[] = [];
  for (const [i, p] of r.phrases.entries()) {
    const points: LineSeriesPoint[] = p.windows.map((w) => ({
      session: mid(w),
      value: w.maxK,
      series: `max k of last ${p.recentWindow}`,
    }));
    out.push({
      id: `recurrence-${i + 1}`,
      title: `Recurrence of "${p.label}"`,
      caption: `Largest "k of the last ${p.recentWindow} sessions" per window for "${p.label}", with the trigger threshold k = ${p.threshold} (dotted) and the calibration events (dashed).`,
      svg: await renderVegaLite(
        sessionLineChart({
          title: `"${p.label}": k of last ${p.recentWindow}`,
          yTitle: 'k',
          points,
          markers: markers(events),
          threshold: { value: p.threshold, label: `threshold ${p.threshold}` },
        }),
      ),
    });
  }
  return out;
}

export async function crossrefCharts(
  r: CrossrefResult,
  events: readonly ChartEvent[],
): Promise<ReportChart[]> {
  const items = [
    ...r.flagged.map((a) => ({
      session: a.session,
      lane: 'annotation departures',
      label: `${a.id} (${a.author})`,
    })),
    ...events.map((e) => ({
      session: e.session,
      lane: e.kind === 'recalibration' ? 'recalibrations' : 'scheduled adjustments',
      label: e.id,
    })),
  ];
  if (items.length === 0) return [];
  return [
    {
      id: 'crossref-timeline',
      title: 'Cross-reference timeline',
      caption:
        'Annotations that depart from their author’s standard format, beside the calibration events: points in one column are independent layers reacting to the same sessions.',
      svg: await renderVegaLite(timelineChart({ title: 'Annotations and calibration events', items })),
    },
  ];
}
