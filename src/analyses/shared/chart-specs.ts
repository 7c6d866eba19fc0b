import type { TopLevelSpec } from 'vega-lite';
import type { StepRange } from '../../store/scans/report-scans.ts';
import { reduceChartPoints } from './chart-points.ts';

/**
 * The x axis of a report's charts, in the unit the audit's windows use: session numbers, or training steps
 * (every session-valued x — a window's middle, a phase's ends, an event — drawn at its step).
 */
export type ChartAxis =
  | { readonly unit: 'session' }
  | { readonly unit: 'step'; readonly steps: readonly StepRange[] };

export const SESSION_AXIS: ChartAxis = { unit: 'session' };

/** The step a session belongs to (the last step starting at or before it when it lies between steps). */
export function stepOfSession(steps: readonly StepRange[], session: number): number {
  let found = steps[0]?.step ?? 0;
  for (const s of steps) {
    if (s.from > session) break;
    found = s.step;
    if (session <= s.to) break;
  }
  return found;
}

/** A session-valued x in the axis's unit. */
export function axisX(axis: ChartAxis, session: number): number {
  return axis.unit === 'step' ? stepOfSession(axis.steps, session) : session;
}

/**
 * A span of sessions in the axis's unit. On a step axis it reaches half-way to the neighbouring steps, so
 * consecutive phases meet and a one-step phase has a width.
 */
export function axisSpan(axis: ChartAxis, from: number, to: number): { from: number; to: number } {
  if (axis.unit === 'session') return { from, to };
  const steps = axis.steps.map((s) => s.step);
  const a = stepOfSession(axis.steps, from);
  const b = stepOfSession(axis.steps, to);
  const i = steps.indexOf(a);
  const j = steps.indexOf(b);
  const prev = i > 0 ? steps[i - 1]! : null;
  const next = j >= 0 && j < steps.length - 1 ? steps[j + 1]! : null;
  return { from: prev === null ? a : (a + prev) / 2, to: next === null ? b : (b + next) / 2 };
}

const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#9d755d',
  '#eeca3b',
  '#bab0ac',
  '#ff9da6',
];

/**
 * Fixed colours: the same phase or series name has the same colour in every chart of every report. Named
 * ones first (phases, the reward lines, the two diversity measures), any other name by a hash of it.
 */
const NAMED_COLORS: readonly [RegExp, string][] = [
  [/^noise$/, '#f2b8a2'],
  [/^narrowing$/, '#f6dc8c'],
  [/^convergence$/, '#b5dcb0'],
  [/^before\b/, '#c6d8ef'],
  [/^after\b/, '#f3c6de'],
  [/^run: .*distinct|^run: .*diversity/, '#8c8c8c'],
  [/^run: train_reward$/, '#a0a0a0'],
  [/^run: eval_reward$/, '#555555'],
  [/^mean (baseline|adjusted) reward$|^mean reward$/, '#4c78a8'],
  [/^compliant mean$/, '#54a24b'],
  [/^non-compliant mean$/, '#e45756'],
  [/^variance$/, '#b279a2'],
  [/^low-reward share$/, '#9d755d'],
  [/^response diversity/, '#f58518'],
  [/^distinct-2 per output/, '#4c78a8'],
  [/^unique tokens$/, '#72b7b2'],
  [/^mean tokens per output$/, '#72b7b2'],
  [/^all unsolicited$/, '#e45756'],
];

export function seriesColor(name: string): string {
  for (const [re, color] of NAMED_COLORS) if (re.test(name)) return color;
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

/** A Vega-Lite colour scale that gives each of `names` its fixed colour. */
export function fixedColorScale(names: readonly string[]) {
  const domain = [...new Set(names)];
  return { domain, range: domain.map(seriesColor) };
}

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
  /** A point logged at a training step (the run's own metrics): drawn there on a step axis. */
  readonly step?: number;
}

/** One value of the run's own per-step metrics (the trainer's log, `step_metrics`). */
export interface RunMetricValue {
  readonly step: number;
  readonly name: string;
  readonly value: number;
}

/**
 * The run's own metrics whose name matches `pattern`, as points on a step axis (series `run: NAME`), to
 * be drawn beside rlaudit's measure; none on a session axis (a step has no single session).
 */
export function runMetricPoints(
  axis: ChartAxis,
  metrics: readonly RunMetricValue[],
  pattern: RegExp,
): LineSeriesPoint[] {
  if (axis.unit !== 'step') return [];
  return metrics
    .filter((m) => pattern.test(m.name))
    .map((m) => ({ session: 0, step: m.step, value: m.value, series: `run: ${m.name}` }));
}

const WIDTH = 640;
/** The width of one panel of the run's own metrics. */
const PANEL_WIDTH = 190;
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
  /** The x unit (default sessions). */
  readonly axis?: ChartAxis;
}): TopLevelSpec {
  const axis = options.axis ?? SESSION_AXIS;
  const x = {
    field: 'x',
    type: 'quantitative',
    title: axis.unit === 'step' ? 'training step' : 'session',
    axis: { format: ',d' },
  } as const;
  const layers: unknown[] = [];
  if (options.spans && options.spans.length > 0) {
    const spans = options.spans.map((s) => ({ ...axisSpan(axis, s.from, s.to), label: s.label }));
    layers.push({
      data: { values: spans },
      mark: { type: 'rect', opacity: 0.45 },
      encoding: {
        x: { field: 'from', type: 'quantitative' },
        x2: { field: 'to' },
        color: {
          field: 'label',
          type: 'nominal',
          title: null,
          scale: fixedColorScale(spans.map((s) => s.label)),
        },
      },
    });
  }
  // measured points joined by straight lines (no smoothing: the curve between windows is not measured);
  // the run's own logged metrics first, thin and dashed, so that rlaudit's measures are drawn over them
  const y = {
    field: 'value',
    type: 'quantitative',
    title: options.yTitle,
    scale: {
      ...(options.yDomain ? { domain: [...options.yDomain] } : { zero: false }),
      ...(options.yScale === 'symlog' ? { type: 'symlog' } : {}),
    },
  };
  const place = (p: LineSeriesPoint) => ({
    x: p.step !== undefined && axis.unit === 'step' ? p.step : axisX(axis, p.session),
    value: p.value,
    series: p.series,
  });
  const measured = options.points.filter((p) => p.value !== null);
  const allLogged = measured
    .filter((p) => p.step !== undefined && axis.unit === 'step')
    .map(place)
    .sort((a, b) => a.x - b.x);
  const allPoints = measured
    .filter((p) => !(p.step !== undefined && axis.unit === 'step'))
    .map(place)
    .sort((a, b) => a.x - b.x);
  // more points a series than the chart has columns to show: each series' M4 points over the shared x range
  const range = { xMin: Number.POSITIVE_INFINITY, xMax: Number.NEGATIVE_INFINITY };
  for (const p of [...allPoints, ...allLogged]) {
    range.xMin = Math.min(range.xMin, p.x);
    range.xMax = Math.max(range.xMax, p.x);
  }
  const ours = reduceChartPoints(allPoints, WIDTH, range);
  const theirs = reduceChartPoints(allLogged, WIDTH, range);
  const points = ours.points;
  const logged = theirs.points;
  const reduced = ours.reduced || theirs.reduced;
  if (logged.length > 0) {
    layers.push({
      data: { values: logged },
      mark: {
        type: 'line',
        strokeWidth: 1.1,
        strokeDash: [4, 2],
        interpolate: 'linear',
        ...(theirs.reduced ? {} : { point: { filled: true, size: 8 } }),
      },
      encoding: {
        x,
        y,
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: fixedColorScale(logged.map((p) => p.series)),
        },
      },
    });
  }
  layers.push({
    data: { values: points },
    // a reduced series is drawn as a line only: a marker on each kept point would read as "measured here, not
    // between", which a column's dropped points contradict
    mark: {
      type: 'line',
      strokeWidth: 1.6,
      interpolate: 'linear',
      ...(ours.reduced ? {} : { point: { filled: true, size: 18 } }),
    },
    encoding: {
      x,
      y,
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: fixedColorScale(points.map((p) => p.series)),
      },
    },
  });
  if (options.markers && options.markers.length > 0) {
    const markers = options.markers.map((m) => ({ x: axisX(axis, m.session), label: m.label }));
    layers.push({
      data: { values: markers },
      mark: { type: 'rule', strokeDash: [4, 3], color: '#b22222' },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    });
    // A label reads to the right of its rule, except in the last quarter of the axis, where it would run past
    // the plot's edge and be clipped: there it reads to the left.
    const xs = [...points, ...logged, ...markers].map((p) => p.x);
    const xMin = xs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const xMax = xs.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    const nearEnd = (m: { x: number }) => xMax > xMin && (m.x - xMin) / (xMax - xMin) > 0.75;
    for (const [side, values] of [
      ['left', markers.filter((m) => !nearEnd(m))],
      ['right', markers.filter(nearEnd)],
    ] as const) {
      if (values.length === 0) continue;
      layers.push({
        data: { values },
        mark: {
          type: 'text',
          align: side,
          dx: side === 'left' ? 3 : -3,
          dy: -4,
          fontSize: 10,
          color: '#b22222',
          baseline: 'top',
        },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
      });
    }
  }
  if (options.threshold) {
    layers.push({
      data: { values: [options.threshold] },
      mark: { type: 'rule', color: '#555', strokeDash: [2, 2] },
      encoding: { y: { field: 'value', type: 'quantitative' } },
    });
  }
  const longest = Math.max(ours.longestSeries, theirs.longestSeries);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: reduced
      ? {
          text: options.title,
          subtitle: `up to ${longest.toLocaleString('en-US')} points a series, drawn as the first, last, lowest and highest of each of ${WIDTH} columns (M4): the line looks as it would with every point`,
          subtitleFontSize: 10,
          subtitleColor: '#555',
        }
      : options.title,
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
  readonly axis?: ChartAxis;
}): TopLevelSpec {
  const axis = options.axis ?? SESSION_AXIS;
  const items = options.items.map((i) => ({ x: axisX(axis, i.session), lane: i.lane, label: i.label }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: WIDTH,
    height: 40 + 26 * new Set(options.items.map((i) => i.lane)).size,
    config,
    data: { values: items },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            title: axis.unit === 'step' ? 'training step' : 'session',
            axis: { format: ',d' },
          },
          y: { field: 'lane', type: 'nominal', title: null },
          color: {
            field: 'lane',
            type: 'nominal',
            legend: null,
            scale: fixedColorScale(items.map((i) => i.lane)),
          },
          tooltip: [{ field: 'label' }],
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Every one of the run's own per-step metrics as it was logged: one small panel per metric, each with its
 * own y scale, on the step axis; the steps rlaudit has samples of (its windows) can be marked.
 */
export function runMetricsChart(options: {
  readonly title: string;
  readonly metrics: readonly RunMetricValue[];
  readonly sampledSteps?: readonly number[];
}): TopLevelSpec {
  const sorted = [...options.metrics].sort((a, b) => a.name.localeCompare(b.name) || a.step - b.step);
  const names = [...new Set(sorted.map((v) => v.name))];
  // a trainer that logs every step of a long run: each panel drawn from its M4 points over the shared steps
  const reduction = reduceChartPoints(
    sorted.map((m) => ({ x: m.step, value: m.value, series: m.name, metric: m })),
    PANEL_WIDTH,
  );
  const values = reduction.points.map((p) => p.metric);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: reduction.reduced
      ? {
          text: options.title,
          subtitle: `up to ${reduction.longestSeries.toLocaleString('en-US')} steps a metric, drawn as the first, last, lowest and highest of each of ${PANEL_WIDTH} columns (M4): the lines look as they would with every step`,
          subtitleFontSize: 10,
          subtitleColor: '#555',
        }
      : options.title,
    config,
    data: { values },
    facet: { field: 'name', type: 'nominal', title: null, sort: names },
    columns: 3,
    spec: {
      width: PANEL_WIDTH,
      height: 90,
      mark: {
        type: 'line',
        strokeWidth: 1.3,
        interpolate: 'linear',
        ...(reduction.reduced ? {} : { point: { filled: true, size: 8 } }),
      },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'training step', axis: { format: ',d' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        // the colour a metric has where it is drawn beside rlaudit's measure (series `run: NAME`)
        color: {
          field: 'name',
          type: 'nominal',
          legend: null,
          scale: { domain: names, range: names.map((n) => seriesColor(`run: ${n}`)) },
        },
      },
    },
    resolve: { scale: { y: 'independent' } },
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
