/** One lag of a cross-correlation function. */
export interface CcfPoint {
  readonly lag: number;
  readonly r: number;
}

/**
 * Sample cross-correlation in R's `ccf(x, y)` convention (`stats::acf` of `cbind(x, y)`): the value at lag k
 * estimates cor(x[t], y[t−k]) — equivalently cor(x[t+k], y[t]) as R's help puts it — so a positive lag
 * means y leads x (x follows y by k steps). Means are full-sample; the denominator is n at every lag:
 * r(k) = Σ_t (x[t]−x̄)(y[t−k]−ȳ) / (n · s_x · s_y), s² = Σ(·−mean)²/n. Lags −maxLag..maxLag in order.
 * x and y must have the same length n ≥ 2 and maxLag < n. A constant series gives NaN.
 *
 * @example
 * ccf([1, 3, 2, 5, 4, 6, 8, 7, 9, 10], [2, 1, 4, 3, 6, 5, 7, 9, 8, 11], 2).map((p) => p.r)
 * // [0.301226, 0.758220, 0.859010, 0.610470, 0.415761] (lags −2..2, rounded)
 */
export function ccf(x: readonly number[], y: readonly number[], maxLag: number): CcfPoint[] {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`ccf: series lengths differ (${n} vs ${y.length})`);
  if (n < 2) throw new RangeError(`ccf: need at least 2 points, got ${n}`);
  if (!Number.isInteger(maxLag) || maxLag < 0 || maxLag >= n) {
    throw new RangeError(`ccf: maxLag must be an integer in [0, ${n - 1}], got ${maxLag}`);
  }
  const mean = (v: readonly number[]) => v.reduce((s, a) => s + a, 0) / n;
  const mx = mean(x);
  const my = mean(y);
  const dx = x.map((v) => v - mx);
  const dy = y.map((v) => v - my);
  const sx = Math.sqrt(dx.reduce((s, a) => s + a * a, 0) / n);
  const sy = Math.sqrt(dy.reduce((s, a) => s + a * a, 0) / n);
  const out: CcfPoint[] = [];
  for (let k = -maxLag; k <= maxLag; k++) {
    let sum = 0;
    for (let t = Math.max(0, k); t < Math.min(n, n + k); t++) sum += dx[t]! * dy[t - k]!;
    out.push({ lag: k, r: sum / n / (sx * sy) });
  }
  return out;
}

/**
 * The lag of largest |r| (or largest r with `by: 'positive'`); ties go to the smaller |lag|, then to the
 * negative lag. NaN values are skipped; undefined when every value is NaN or the list is empty.
 *
 * @example ccfBestLag([{ lag: -1, r: 0.2 }, { lag: 0, r: -0.9 }, { lag: 1, r: 0.5 }]) // { lag: 0, r: -0.9 }
 */
export function ccfBestLag(
  points: readonly CcfPoint[],
  options: { readonly by?: 'abs' | 'positive' } = {},
): CcfPoint | undefined {
  const score = options.by === 'positive' ? (r: number) => r : Math.abs;
  let best: CcfPoint | undefined;
  for (const p of points) {
    if (Number.isNaN(p.r)) continue;
    if (best === undefined) {
      best = p;
      continue;
    }
    const a = score(p.r);
    const b = score(best.r);
    const closer =
      Math.abs(p.lag) < Math.abs(best.lag) || (Math.abs(p.lag) === Math.abs(best.lag) && p.lag < best.lag);
    if (a > b || (a === b && closer)) best = p;
  }
  return best;
}
