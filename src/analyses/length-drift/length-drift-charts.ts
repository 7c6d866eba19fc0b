import type { ChartData } from '../../model/findings.ts';
import {
  type ChartAxis,
  type ChartEvent,
  eventMarkers,
  SESSION_AXIS,
  sessionLineChart,
  windowMid,
} from '../shared/chart-specs.ts';
import type { LengthDriftAnalysis } from './analyze-length-drift.ts';

/** Mean output length per window with its change points, and the mean reward on the same axis of sessions. */
export function lengthDriftCharts(
  r: LengthDriftAnalysis,
  events: readonly ChartEvent[],
  axis: ChartAxis = SESSION_AXIS,
): ChartData[] {
  if (r.windows.length === 0) return [];
  const markers = [
    ...eventMarkers(events),
    ...r.changePoints.map((c) => ({ session: c.session, label: `change after ${c.window}` })),
  ];
  const charts: ChartData[] = [
    {
      id: 'output-length',
      title: 'Output length',
      caption: `Mean tokens per output per window, with the change points of the length series${events.length > 0 ? ' and the calibration events' : ''} (dashed).`,
      kind: 'vega-lite',
      spec: sessionLineChart({
        axis,
        title: 'Mean output length per window',
        yTitle: 'tokens per output',
        points: r.windows.map((w) => ({
          session: windowMid(w),
          value: w.meanTokens,
          series: 'mean tokens per output',
        })),
        markers,
      }),
    },
  ];
  if (r.reward !== null) {
    charts.push({
      id: 'length-reward',
      title: 'Reward beside length',
      caption: `Mean ${r.reward.replace('_', ' ')} per window, on the same axis as the length: rising together is the length-hack signature.`,
      kind: 'vega-lite',
      spec: sessionLineChart({
        axis,
        title: `Mean ${r.reward.replace('_', ' ')} per window`,
        yTitle: 'reward',
        points: r.windows.map((w) => ({ session: windowMid(w), value: w.meanReward, series: 'mean reward' })),
        markers: eventMarkers(events),
      }),
    });
  }
  return charts;
}
