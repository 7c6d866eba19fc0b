import type { ChartData } from '../../model/findings.ts';
import { type ChartAxis, type ChartEvent, SESSION_AXIS, timelineChart } from '../shared/chart-specs.ts';
import type { CrossrefResult } from './analyze-crossref.ts';

export function crossrefCharts(
  r: CrossrefResult,
  events: readonly ChartEvent[],
  axis: ChartAxis = SESSION_AXIS,
): ChartData[] {
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
      kind: 'vega-lite',
      spec: timelineChart({ title: 'Annotations and calibration events', items, axis }),
    },
  ];
}
