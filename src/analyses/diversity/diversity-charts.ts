import type { ChartData } from '../../model/findings.ts';
import {
  type ChartAxis,
  type ChartEvent,
  eventMarkers,
  type LineSeriesPoint,
  SESSION_AXIS,
  sessionLineChart,
  windowMid,
} from '../shared/chart-specs.ts';
import type { DiversityResult } from './analyze-diversity.ts';

export function diversityCharts(
  r: DiversityResult,
  events: readonly ChartEvent[],
  axis: ChartAxis = SESSION_AXIS,
): ChartData[] {
  const vocab: LineSeriesPoint[] = r.windows.map((w) => ({
    session: windowMid(w),
    value: w.metrics.unique_tokens,
    series: 'unique tokens',
  }));
  const div: LineSeriesPoint[] = r.windows.flatMap((w) => [
    {
      session: windowMid(w),
      value: w.metrics.response_diversity,
      series: 'response diversity (cross-output)',
    },
    {
      session: windowMid(w),
      value: w.metrics.distinct2_per_output,
      series: 'distinct-2 per output (within-output)',
    },
  ]);
  return [
    {
      id: 'vocabulary',
      title: 'Vocabulary',
      caption: 'Unique tokens over all outputs of each window.',
      kind: 'vega-lite',
      spec: sessionLineChart({
        axis,
        title: 'Vocabulary per window',
        yTitle: 'unique tokens',
        points: vocab,
        markers: eventMarkers(events),
      }),
    },
    {
      id: 'diversity',
      title: 'Response diversity',
      caption:
        'Response diversity (pooled distinct-2 over a seeded sample of 200 outputs) against the per-output distinct-2: a within-output measure can stay high while outputs become alike across sessions.',
      kind: 'vega-lite',
      spec: sessionLineChart({
        axis,
        title: 'Diversity per window',
        yTitle: 'diversity',
        points: div,
        markers: eventMarkers(events),
        yDomain: [0, 1],
      }),
    },
  ];
}
