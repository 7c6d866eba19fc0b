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
import type { RecurrenceResult } from './analyze-recurrence.ts';

export function recurrenceCharts(
  r: RecurrenceResult,
  events: readonly ChartEvent[],
  axis: ChartAxis = SESSION_AXIS,
): ChartData[] {
  const out: ChartData[] = [];
  for (const [i, p] of r.phrases.entries()) {
    const points: LineSeriesPoint[] = p.windows.map((w) => ({
      session: windowMid(w),
      value: w.maxK,
      series: `max k of last ${p.recentWindow}`,
    }));
    out.push({
      id: `recurrence-${i + 1}`,
      title: `Recurrence of "${p.label}"`,
      caption: `Largest "k of the last ${p.recentWindow} sessions" per window for "${p.label}", with the trigger threshold k = ${p.threshold} (dotted)${events.length > 0 ? ' and the calibration events (dashed)' : ''}.`,
      kind: 'vega-lite',
      spec: sessionLineChart({
        axis,
        title: `"${p.label}": k of last ${p.recentWindow}`,
        yTitle: 'k',
        points,
        markers: eventMarkers(events),
        threshold: { value: p.threshold, label: `threshold ${p.threshold}` },
      }),
    });
  }
  return out;
}
