import type { TopLevelSpec } from 'vega-lite';

/** A vertical marker on the session axis (a calibration event, an annotation). */
export interface SessionMarker {
  readonly session: number;
  readonly label: string;
}

/** A shaded span on the session axis (a phase, a before/after window). */
export interface SessionSpan {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

export interface LineSeriesPoint {
  readonly session: number;
  readonly value: number | null;
  readonly series: string;
}

const WIDTH = 640;
const HEIGHT = 220;
const FONT = 'Helvetica, Arial, sans-serif';

const config = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', labelLimit: 400, columns: 3 },
  title: { fontSize: 13, anchor: 'start' },
} as const;

/**
 * A session-axis line chart: one line per series, optional shaded spans (phases, windows), vertical markers
 * (events) and a horizontal threshold.
 */
export function sessionLineChart(options: {
  readonly title: string;
  readonly yTitle: string;
  readonly points: readonly LineSeriesPoint[];
  readonly spans?: readonly SessionSpan[];
  readonly markers?: readonly SessionMarker[];
  readonly threshold?: { readonly value: number; readonly label: string };
  readonly yDomain?: readonly [number, number];
  readonly yScale?: 'linear' | 'symlog';
}): TopLevelSpec {
  const x = { field: 'session', type: 'quantitative', title: 'session', axis: { format: ',d' } } as const;
  const layers: unknown[] = [];
  if (options.spans && options.spans.length > 0) {
    layers.push({
      data: { values: options.spans },
      mark: { type: 'rect', opacity: 0.25 },
      encoding: {
        x: { field: 'from', type: 'quantitative' },
        x2: { field: 'to' },
        color: { field: 'label', type: 'nominal', title: null, scale: { scheme: 'pastel1' } },
      },
    });
  }
  layers.push({
    data: { values: options.points.filter((p) => p.value !== null) },
    mark: { type: 'line', strokeWidth: 1.6, interpolate: 'monotone' },
    encoding: {
      x,
      y: {
        field: 'value',
        type: 'quantitative',
        title: options.yTitle,
        scale: {
          ...(options.yDomain ? { domain: [...options.yDomain] } : { zero: false }),
          ...(options.yScale === 'symlog' ? { type: 'symlog' } : {}),
        },
      },
      stroke: { field: 'series', type: 'nominal', title: null, scale: { scheme: 'tableau10' } },
    },
  });
  if (options.markers && options.markers.length > 0) {
    layers.push({
      data: { values: options.markers },
      mark: { type: 'rule', strokeDash: [4, 3], color: '#b22222' },
      encoding: { x: { field: 'session', type: 'quantitative' } },
    });
    layers.push({
      data: { values: options.markers },
      mark: { type: 'text', align: 'left', dx: 3, dy: -4, fontSize: 10, color: '#b22222', baseline: 'top' },
      encoding: { x: { field: 'session', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
    });
  }
  if (options.threshold) {
    layers.push({
      data: { values: [options.threshold] },
      mark: { type: 'rule', color: '#555', strokeDash: [2, 2] },
      encoding: { y: { field: 'value', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: WIDTH,
    height: HEIGHT,
    config,
    layer: layers,
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

/** Points on a session axis by lane (e.g. annotations vs recalibrations): the cross-reference timeline. */
export function timelineChart(options: {
  readonly title: string;
  readonly items: readonly { readonly session: number; readonly lane: string; readonly label: string }[];
}): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: WIDTH,
    height: 40 + 26 * new Set(options.items.map((i) => i.lane)).size,
    config,
    data: { values: options.items },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'session', type: 'quantitative', title: 'session', axis: { format: ',d' } },
          y: { field: 'lane', type: 'nominal', title: null },
          color: { field: 'lane', type: 'nominal', legend: null, scale: { scheme: 'set1' } },
          tooltip: [{ field: 'label' }],
        },
      },
    ],
  } as TopLevelSpec;
}

/** A calibration event as charts mark it. */
export interface ChartEvent {
  readonly id: string;
  readonly session: number;
  readonly kind: string;
}

/** The middle session of a window: where a window's value is plotted. */
export const windowMid = (w: { readonly from: number; readonly to: number }): number =>
  Math.round((w.from + w.to) / 2);

/** Calibration events as vertical markers. */
export const eventMarkers = (events: readonly ChartEvent[]): SessionMarker[] =>
  events.map((e) => ({ session: e.session, label: e.id }));
