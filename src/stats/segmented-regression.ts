import { invertMatrix, multiplyMatrices, multiplyMatrixVector } from './linear-algebra.ts';
import { erfc, normalQuantile } from './normal-distribution.ts';

/** One coefficient with its Newey–West inference. */
export interface Coefficient {
  readonly estimate: number;
  /** Newey–West (HAC) standard error. */
  readonly se: number;
  /** estimate / se. */
  readonly t: number;
  /** Two-sided p-value from the standard normal (asymptotic HAC inference). */
  readonly p: number;
  /** 95% interval estimate ± 1.959964·se. */
  readonly ci95: readonly [number, number];
}

/** Result of {@link segmentedRegression}. */
export interface SegmentedRegressionResult {
  /** β0: level at t = 0 (pre-intervention line). */
  readonly intercept: Coefficient;
  /** β1: slope before the intervention, per step of t. */
  readonly preSlope: Coefficient;
  /** β2: level change at t0 (post line minus extrapolated pre line, both at t = t0). */
  readonly levelChange: Coefficient;
  /** β3: slope change (post slope = β1 + β3). */
  readonly slopeChange: Coefficient;
  /** Newey–West truncation lag L used. */
  readonly lag: number;
  readonly n: number;
  readonly t0: number;
  readonly residuals: readonly number[];
}

/** Default Newey–West truncation lag floor(4·(n/100)^(2/9)) (Newey & West 1994 rule of thumb). */
export function defaultNeweyWestLag(n: number): number {
  return Math.floor(4 * (n / 100) ** (2 / 9));
}

/**
 * Interrupted time series by segmented regression (Wagner et al. 2002; Lopez Bernal et al. 2017):
 * Y_t = β0 + β1·t + β2·X_t + β3·(t − t0)·X_t, fitted by OLS (normal equations, 4×4 inverse by Gauss–Jordan
 * with partial pivoting). Index convention: t is the 0-based position in `series` (`series[t]` = Y_t, equal
 * spacing assumed); X_t = 1 for t ≥ t0, so `series[t0]` is the first post-intervention point. The
 * slope-change term is centred at the intervention ((t − t0), not t), so β2 is the jump at t0 itself.
 *
 * Standard errors are Newey–West HAC: V = (XᵀX)⁻¹ S (XᵀX)⁻¹ with
 * S = Σ_t e_t² x_t x_tᵀ + Σ_{l=1..L} (1 − l/(L+1)) Σ_{t≥l} e_t e_{t−l} (x_t x_{t−l}ᵀ + x_{t−l} x_tᵀ)
 * (Bartlett kernel, no small-sample n/(n−k) factor, no prewhitening — `sandwich::NeweyWest(fit, lag = L,
 * prewhite = FALSE)`); L defaults to floor(4·(n/100)^(2/9)). L = 0 gives White's HC0. p-values and 95%
 * intervals use the normal distribution (asymptotic), not Student's t.
 *
 * Needs at least 2 points on each side (2 ≤ t0 ≤ n − 2) and finite values; throws a RangeError otherwise.
 *
 * @example segmentedRegression([1, 2, 3, 4, 10, 12, 14, 16], 4).levelChange.estimate // 5 (= 10 − 5)
 */
export function segmentedRegression(
  series: readonly number[],
  t0: number,
  options: { readonly maxLag?: number } = {},
): SegmentedRegressionResult {
  const n = series.length;
  if (!Number.isInteger(t0) || t0 < 2 || t0 > n - 2) {
    throw new RangeError(`segmentedRegression: need 2 ≤ t0 ≤ n − 2 (n = ${n}), got t0 = ${t0}`);
  }
  if (!series.every(Number.isFinite))
    throw new RangeError('segmentedRegression: series has non-finite values');
  const lag = options.maxLag ?? defaultNeweyWestLag(n);
  if (!Number.isInteger(lag) || lag < 0) throw new RangeError(`segmentedRegression: bad maxLag ${lag}`);

  const rows = series.map((_, t) => {
    const post = t >= t0 ? 1 : 0;
    return [1, t, post, (t - t0) * post];
  });
  const xtx = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0)));
  const xty = [0, 1, 2, 3].map((i) => rows.reduce((s, r, t) => s + r[i]! * series[t]!, 0));
  const bread = invertMatrix(xtx);
  const beta = multiplyMatrixVector(bread, xty);
  const residuals = rows.map((r, t) => series[t]! - r.reduce((s, x, j) => s + x * beta[j]!, 0));

  const meat = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  for (let l = 0; l <= Math.min(lag, n - 1); l++) {
    const w = l === 0 ? 1 : 1 - l / (lag + 1);
    for (let t = l; t < n; t++) {
      const e = w * residuals[t]! * residuals[t - l]!;
      const a = rows[t]!;
      const b = rows[t - l]!;
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          meat[i]![j]! += l === 0 ? e * a[i]! * a[j]! : e * (a[i]! * b[j]! + b[i]! * a[j]!);
        }
      }
    }
  }
  const cov = multiplyMatrices(multiplyMatrices(bread, meat), bread);
  const z = normalQuantile(0.975);
  const coef = (i: number): Coefficient => {
    const estimate = beta[i]!;
    const se = Math.sqrt(Math.max(0, cov[i]![i]!));
    const t = estimate / se;
    return {
      estimate,
      se,
      t,
      p: erfc(Math.abs(t) / Math.SQRT2),
      ci95: [estimate - z * se, estimate + z * se],
    };
  };
  return {
    intercept: coef(0),
    preSlope: coef(1),
    levelChange: coef(2),
    slopeChange: coef(3),
    lag,
    n,
    t0,
    residuals,
  };
}
