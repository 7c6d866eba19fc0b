import type { ChartData } from '../../model/findings.ts';
import { type LineSeriesPoint, sessionLineChart, windowMid } from '../shared/chart-specs.ts';
import type { TransitionAnalysis } from './analyze-transition.ts';

/**
 * The curves across the phase boundary: non-compliance and the followed phrases per window, and mean output
 * length per window, training windows then each later phase's, the later phases shaded and the end of
 * training marked. None when there is no phase after training.
 */
export function transitionCharts(r: TransitionAnalysis): ChartData[] {
  if (r.phases.length === 0 || r.training === null) return [];
  const boundary = { session: r.training.to, label: 'training ends' };
  const spans = r.phases.map((p) => ({ from: p.from, to: p.to, label: p.phase }));
  const rates: LineSeriesPoint[] = r.windows.flatMap((w) => [
    { session: windowMid(w), value: w.nonCompliance, series: 'non-compliance (unsolicited content)' },
    ...r.phrases.map((p) => ({ session: windowMid(w), value: w.phrases[p] ?? 0, series: `phrase "${p}"` })),
  ]);
  const window = `windows of ${r.window} sessions, counted back from the end of training and forward from the start of each later phase`;
  return [
    {
      id: 'transition-rates',
      title: 'Behaviour across the end of training',
      caption: `Share of non-compliant outputs and of outputs with each followed phrase, per window (${window}); later phases shaded, the end of training marked (dashed).`,
      kind: 'vega-lite',
      spec: sessionLineChart({
        title: 'Behaviour rates across the phase boundary',
        yTitle: 'share of sessions',
        points: rates,
        spans,
        markers: [boundary],
        yDomain: [0, 1],
      }),
    },
    {
      id: 'transition-length',
      title: 'Output length across the end of training',
      caption: `Mean tokens per output per window (${window}); later phases shaded, the end of training marked (dashed).`,
      kind: 'vega-lite',
      spec: sessionLineChart({
        title: 'Mean output length across the phase boundary',
        yTitle: 'tokens per output',
        points: r.windows.map((w) => ({
          session: windowMid(w),
          value: w.meanTokens,
          series: 'mean tokens per output',
        })),
        spans,
        markers: [boundary],
      }),
    },
  ];
}
