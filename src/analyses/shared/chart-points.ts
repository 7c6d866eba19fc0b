/**
 * Line charts of any length drawn from a bounded number of points: the M4 aggregation (Jugel, Jerzak,
 * Hackenbroich, Markl, "M4: A Visualization-Oriented Time Series Data Aggregation", PVLDB 7(10), 2014). The x
 * range is cut into as many equal columns as the chart is wide; of each series, each column keeps the point
 * with the smallest x, the one with the largest x, the lowest and the highest. Those are at most four measured
 * points a column (never a mean or an invented point), and a line through them covers, column by column, the
 * same vertical extent as the line through every point and enters and leaves each column at the same points,
 * so the chart looks as it would with every point and no spike is lost.
 *
 * A run in the windows rlaudit chooses (at most 2,000, src/analyses/shared/window-rule.ts) has fewer points
 * than `4 × columns` and is drawn whole; an explicit small window or a long run by step (`--window 500` over
 * 10M sessions: 20,000 windows) would otherwise write SVG charts of 19 MB each that no one can read point by
 * point, and hold them in memory while the report is written.
 */

/** A point of a line chart: its x (session or step), its value and its series. */
export interface ChartPoint {
  readonly x: number;
  readonly value: number | null;
  readonly series: string;
}

/** What the reduction did to a chart's points, for the chart to say so. */
export interface ChartReduction<P extends ChartPoint> {
  /** The points to draw: every point when nothing was reduced, else each series' M4 points. */
  readonly points: P[];
  /** How many points there were (with a value), over all series. */
  readonly measured: number;
  /** The largest number of points one series had before the reduction. */
  readonly longestSeries: number;
  /** Whether any series was reduced. */
  readonly reduced: boolean;
}

/**
 * Reduces each series of `points` that has more than `4 × columns` points to its M4 points over `columns`
 * equal columns of the x range `[xMin, xMax]` (default: the range of all `points`, which the chart shares).
 * Points without a value are not drawn and are dropped. Kept points are returned in the order they came, so a
 * caller's x order stands.
 *
 * @example reduceChartPoints(points, 640).points.length // ≤ 4 × 640 per series
 */
export function reduceChartPoints<P extends ChartPoint>(
  points: readonly P[],
  columns: number,
  range?: { readonly xMin: number; readonly xMax: number },
): ChartReduction<P> {
  if (!Number.isInteger(columns) || columns < 1)
    throw new RangeError(`columns must be a positive integer: ${columns}`);
  const withValue = points.filter(
    (p) => p.value !== null && Number.isFinite(p.value) && Number.isFinite(p.x),
  );
  const bySeries = new Map<string, number[]>();
  withValue.forEach((p, i) => {
    const list = bySeries.get(p.series);
    if (list) list.push(i);
    else bySeries.set(p.series, [i]);
  });
  const longestSeries = Math.max(0, ...[...bySeries.values()].map((l) => l.length));
  if (longestSeries <= 4 * columns) {
    return { points: withValue, measured: withValue.length, longestSeries, reduced: false };
  }
  let xMin = range?.xMin ?? Number.POSITIVE_INFINITY;
  let xMax = range?.xMax ?? Number.NEGATIVE_INFINITY;
  if (!range) {
    for (const p of withValue) {
      if (p.x < xMin) xMin = p.x;
      if (p.x > xMax) xMax = p.x;
    }
  }
  const span = xMax - xMin;
  const column = (x: number): number =>
    span > 0 ? Math.min(columns - 1, Math.max(0, Math.floor((columns * (x - xMin)) / span))) : 0;
  const keep = new Uint8Array(withValue.length);
  for (const indices of bySeries.values()) {
    if (indices.length <= 4 * columns) {
      for (const i of indices) keep[i] = 1;
      continue;
    }
    // per column: the index of the first, last, lowest and highest point (-1: none yet). On equal x the first is
    // the earliest point and the last the latest (a step logged twice: the line leaves the column where the full
    // line does); equal values keep the earliest
    const first = new Int32Array(columns).fill(-1);
    const last = new Int32Array(columns).fill(-1);
    const low = new Int32Array(columns).fill(-1);
    const high = new Int32Array(columns).fill(-1);
    for (const i of indices) {
      const p = withValue[i]!;
      const c = column(p.x);
      const v = p.value as number;
      const f = first[c]!;
      if (f < 0 || p.x < withValue[f]!.x) first[c] = i;
      const l = last[c]!;
      if (l < 0 || p.x >= withValue[l]!.x) last[c] = i;
      const lo = low[c]!;
      if (lo < 0 || v < (withValue[lo]!.value as number)) low[c] = i;
      const hi = high[c]!;
      if (hi < 0 || v > (withValue[hi]!.value as number)) high[c] = i;
    }
    for (const chosen of [first, last, low, high]) for (const i of chosen) if (i >= 0) keep[i] = 1;
  }
  return {
    points: withValue.filter((_, i) => keep[i] === 1),
    measured: withValue.length,
    longestSeries,
    reduced: true,
  };
}
