import type { ChartData } from '../../model/findings.ts';
import {
  type ChartAxis,
  type ChartEvent,
  eventMarkers,
  type LineSeriesPoint,
  type RunMetricValue,
  runMetricPoints,
  SESSION_AXIS,
  type SessionSpan,
  sessionLineChart,
  windowMid,
} from '../shared/chart-specs.ts';
import type { ConvergenceAnalysis } from './analyze-convergence.ts';

/** The trainer's own reward metrics (train_reward, eval_reward, train_reward_used; not their spread). */
export const RUN_REWARD_METRIC = /^(?!.*(std|var|min|max)).*reward/i;

export function convergenceCharts(
  r: ConvergenceAnalysis,
  events: readonly ChartEvent[],
  axis: ChartAxis = SESSION_AXIS,
  runMetrics: readonly RunMetricValue[] = [],
): ChartData[] {
  const own = runMetricPoints(axis, runMetrics, RUN_REWARD_METRIC);
  const spans: SessionSpan[] = r.phases.map((p) => ({ from: p.from, to: p.to, label: p.name }));
  const reward: LineSeriesPoint[] = r.windows
    .flatMap((w) => [
      { session: windowMid(w), value: w.mean, series: `mean ${r.reward.replace('_', ' ')}` },
      { session: windowMid(w), value: w.compliantMean, series: 'compliant mean' },
      { session: windowMid(w), value: w.nonCompliantMean, series: 'non-compliant mean' },
    ])
    .concat(own);
  const variance: LineSeriesPoint[] = r.windows.map((w) => ({
    session: windowMid(w),
    value: w.variance,
    series: 'variance',
  }));
  const low: LineSeriesPoint[] = r.windows.map((w) => ({
    session: windowMid(w),
    value: w.lowShare,
    series: 'low-reward share',
  }));
  return [
    {
      id: 'reward-convergence',
      title: 'Reward convergence',
      caption: `Mean ${r.reward.replace('_', ' ')} per window with the phases found from the variance series (shaded)${events.length > 0 ? ' and the calibration events (dashed)' : ''}${own.length > 0 ? `; beside it the reward the trainer logged at every step (${[...new Set(own.map((p) => p.series))].join(', ')})` : ''}.`,
      kind: 'vega-lite',
      spec: sessionLineChart({
        axis,
        title: 'Reward per window',
        yTitle: 'reward',
        points: reward,
        spans,
        markers: eventMarkers(events),
      }),
    },
    {
      id: 'reward-variance',
      title: 'Reward variance',
      caption: 'Sample variance of the reward per window: the series the change points and phases come from.',
      kind: 'vega-lite',
      spec: sessionLineChart({
        axis,
        title: 'Reward variance per window',
        yTitle: 'variance',
        points: variance,
        spans,
      }),
    },
    {
      id: 'low-reward-share',
      title: 'High:low reward balance',
      caption: `Share of sessions below the low-reward threshold (${r.threshold.value}) per window; high:low = (1 − share) / share.`,
      kind: 'vega-lite',
      spec: sessionLineChart({
        axis,
        title: 'Low-reward share per window',
        yTitle: 'share below threshold',
        points: low,
        markers: eventMarkers(events),
        yDomain: [0, 1],
      }),
    },
  ];
}
