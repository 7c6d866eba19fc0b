// Zooming and panning the session index: pure arithmetic on session-number ranges. The server bins whatever
// range is asked for (GET /api/runs/:run/index?from&to), so a zoom is a new range in the URL.

/** The narrowest range a zoom goes to: a few rows of single-session cells. */
export const MIN_SPAN = 20;

export type Range = readonly [number, number];

/**
 * The range `factor` times as wide as [from, to] (below 1 zooms in), keeping `anchor` (a session number) at
 * the same place in it, kept inside the run's [lo, hi].
 *
 * @example zoomRange([1, 1000], 250, 0.5, [1, 1000]) // [126, 625]: half as wide, 250 still a quarter in
 */
export function zoomRange(range: Range, anchor: number, factor: number, run: Range): Range {
  const [from, to] = range;
  const [lo, hi] = run;
  const width = to - from + 1;
  const whole = hi - lo + 1;
  const w = Math.min(whole, Math.max(MIN_SPAN, Math.round(width * factor)));
  if (w >= whole) return [lo, hi];
  const t = Math.min(1, Math.max(0, (anchor - from) / width));
  const start = Math.round(anchor - t * w);
  const a = Math.min(hi - w + 1, Math.max(lo, start));
  return [a, a + w - 1];
}

/**
 * [from, to] moved by `by` session numbers (negative: earlier), its width kept, inside the run's [lo, hi].
 *
 * @example panRange([101, 200], 50, [1, 220]) // [121, 220]: stopped at the run's end
 */
export function panRange(range: Range, by: number, run: Range): Range {
  const [from, to] = range;
  const [lo, hi] = run;
  const width = to - from + 1;
  if (width >= hi - lo + 1) return [lo, hi];
  const a = Math.min(hi - width + 1, Math.max(lo, Math.round(from + by)));
  return [a, a + width - 1];
}
