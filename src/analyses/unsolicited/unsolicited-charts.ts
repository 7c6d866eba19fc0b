import type { ChartData } from '../../model/findings.ts';
import type { InterventionsResult } from '../interventions/analyze-interventions.ts';
import {
  type ChartAxis,
  type ChartEvent,
  eventMarkers,
  type LineSeriesPoint,
  SESSION_AXIS,
  type SessionSpan,
  sessionLineChart,
  windowMid,
} from '../shared/chart-specs.ts';
import type { UnsolicitedResult } from './analyze-unsolicited.ts';

export function unsolicitedCharts(
  r: UnsolicitedResult,
  events: readonly ChartEvent[],
  interventions: InterventionsResult | null,
  axis: ChartAxis = SESSION_AXIS,
): ChartData[] {
  const points: LineSeriesPoint[] = r.windows.flatMap((w) => [
    { session: windowMid(w), value: w.rate, series: 'all unsolicited' },
    ...w.categories.map((c) => ({ session: windowMid(w), value: c.rate, series: `category ${c.category}` })),
  ]);
  const spans: SessionSpan[] = (interventions?.events ?? []).flatMap((e) => [
    { from: e.before.from, to: e.before.to, label: 'before (intervention windows)' },
    { from: e.after.from, to: e.after.to, label: 'after (intervention windows)' },
  ]);
  return [
    {
      id: 'category-rates',
      title: 'Flag rates and interventions',
      caption: `Share of unsolicited outputs (${r.source}) and of each category per window${events.length > 0 ? ', with the calibration events (dashed)' : ''}${spans.length > 0 ? ' and the before/after windows of the intervention analysis (shaded)' : ''}.`,
      kind: 'vega-lite',
      spec: sessionLineChart({
        axis,
        title: 'Unsolicited and category rates',
        yTitle: 'share of sessions',
        points,
        spans,
        markers: eventMarkers(events),
      }),
    },
  ];
}
