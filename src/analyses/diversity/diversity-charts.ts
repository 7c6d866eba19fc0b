import type { ChartData } from '../../model/findings.ts';
import {
  type ChartAxis,
  type ChartEvent,
  eventMarkers,
  type LineSeriesPoint,
  type RunMetricValue,
  runMetricPoints,
  SESSION_AXIS,
  sessionLineChart,
  windowMid,
} from '../shared/chart-specs.ts';
import { DIVERSITY_METRIC_PATTERN } from '../shared/step-metrics.ts';
import type { DiversityResult } from './analyze-diversity.ts';

export function diversityCharts(
  r: DiversityResult,
  events: readonly ChartEvent[],
  axis: ChartAxis = SESSION_AXIS,
  runMetrics: readonly RunMetricValue[] = [],
): ChartData[] {
  const own = runMetricPoints(axis, runMetrics, DIVERSITY_METRIC_PATTERN);
  const vocab: LineSeriesPoint[] = r.windows.map((w) => ({
    session: windowMid(w),
    value: w.metrics.unique_tokens,
    series: 'unique tokens',
  }));
  const div: LineSeriesPoint[] = r.windows
    .flatMap((w): LineSeriesPoint[] => [
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
    ])
    .concat(own);
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
      caption: `Response diversity (pooled distinct-2 over a seeded sample of 200 outputs) against the per-output distinct-2${own.length > 0 ? ` and the run's own ${[...new Set(own.map((p) => p.series.slice(5)))].join(', ')} as logged` : ''}: a within-output measure can stay high while outputs become alike across sessions.`,
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
