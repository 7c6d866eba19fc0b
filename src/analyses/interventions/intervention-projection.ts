import { invertMatrix, multiplyMatrices } from '../../stats/linear-algebra.ts';
import { normalQuantile } from '../../stats/normal-distribution.ts';
import { defaultNeweyWestLag } from '../../stats/segmented-regression.ts';

/** Result of {@link trendProjection}. */
export interface TrendProjection {
  /** Pre-period line y = intercept + slope·t (t = bin index, 0 = first pre bin). */
  readonly intercept: number;
  readonly slope: number;
  /** The line's mean over the after bins: the projected counterfactual rate. */
  readonly projected: number;
  /** Observed after rate minus `projected`. */
  readonly effect: number;
  /** √(gᵀ V g + ḡ₀²·σ²_LR / K): the prediction SE of the after-window mean (g = gradient in (a, b)). */
  readonly se: number;
  readonly lower: number;
  readonly upper: number;
  /** Newey–West lag used for V and σ²_LR. */
  readonly lag: number;
}

/**
 * Counterfactual projection of a pre-intervention trend (the ITS counterfactual of Lopez Bernal et al.
 * 2017, evaluated over a window): fit y_t = a + b·t by OLS on the `pre` bin rates (t = 0…P−1), project the
 * line over the after bins t = P…P+K−1 (weighted by their sessions), and take
 *
 *   effect = observedAfter − mean_k(a + b·t_k),
 *   SE² = x̄ᵀ V x̄ + σ²_LR / K,
 *
 * where V is the Newey–West (Bartlett, lag L = floor(4·(P/100)^(2/9)), no small-sample factor) covariance of
 * (a, b), x̄ = (1, t̄) the weighted mean regressor of the after bins, and σ²_LR the Newey–West long-run
 * variance of the pre residuals: the second term is the noise of the counterfactual after-window mean
 * around its line (a prediction interval, not a confidence interval for the line). Interval: normal,
 * effect ± z·SE. Assumes the pre-period trend would have continued linearly through the after window.
 *
 * @example trendProjection([0.1, 0.2, 0.3, 0.4], [1, 1], 0.5).projected // 0.55 (mean of 0.5 and 0.6)
 */
export function trendProjection(
  pre: readonly number[],
  afterWeights: readonly number[],
  observedAfter: number,
  conf = 0.95,
): TrendProjection {
  return fitAndProject(
    pre,
    afterWeights,
    observedAfter,
    conf,
    (x) => x,
    () => 1,
  );
}

const expit = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * {@link trendProjection} on the logit scale, for rates that grow or decay geometrically (a behaviour
 * spreading or dying out): bin rates (hits/sessions; (hits + ½)/(sessions + 1) for 0 or all) are fitted as logit(rate) = a + b·t, the
 * projected rate is the session-weighted mean of expit(a + b·t_k) over the after bins, and the SE is carried
 * to the rate scale by the delta method (d expit = p(1 − p), at each after bin).
 *
 * @example logitTrendProjection([{ hits: 1, sessions: 50 }, { hits: 2, sessions: 50 }, { hits: 4, sessions: 50 }], [50], 0.1).projected
 */
export function logitTrendProjection(
  pre: readonly { readonly hits: number; readonly sessions: number }[],
  afterWeights: readonly number[],
  observedAfter: number,
  conf = 0.95,
): TrendProjection {
  const logits = pre.map((b) => {
    // ½-corrected only where the logit is infinite: applied to every bin it biases rates near 8/50 by ~0.7 pp.
    const r = b.hits === 0 || b.hits === b.sessions ? (b.hits + 0.5) / (b.sessions + 1) : b.hits / b.sessions;
    return Math.log(r / (1 - r));
  });
  return fitAndProject(logits, afterWeights, observedAfter, conf, expit, (y) => expit(y) * (1 - expit(y)));
}

/** The fit of y_t = a + b·t on `pre`, projected through `link` over the after bins (see trendProjection). */
function fitAndProject(
  pre: readonly number[],
  afterWeights: readonly number[],
  observedAfter: number,
  conf: number,
  link: (y: number) => number,
  slope: (y: number) => number,
): TrendProjection {
  const p = pre.length;
  if (p < 3) throw new RangeError(`trendProjection: need at least 3 pre bins, got ${p}`);
  const k = afterWeights.length;
  const totalWeight = afterWeights.reduce((a, b) => a + b, 0);
  if (k < 1 || !(totalWeight > 0)) throw new RangeError('trendProjection: need after bins with sessions');
  const xs = pre.map((_, t) => [1, t] as const);
  const xtx = [0, 1].map((i) => [0, 1].map((j) => xs.reduce((s, x) => s + x[i]! * x[j]!, 0)));
  const bread = invertMatrix(xtx);
  const xty = [0, 1].map((i) => xs.reduce((s, x, t) => s + x[i]! * pre[t]!, 0));
  const [a, b] = [0, 1].map((i) => bread[i]![0]! * xty[0]! + bread[i]![1]! * xty[1]!) as [number, number];
  const e = pre.map((y, t) => y - a - b * t);
  const lag = Math.min(defaultNeweyWestLag(p), p - 1);
  const meat = [
    [0, 0],
    [0, 0],
  ];
  let longRun = 0;
  for (let l = 0; l <= lag; l++) {
    const w = l === 0 ? 1 : 1 - l / (lag + 1);
    let gamma = 0;
    for (let t = l; t < p; t++) {
      const c = w * e[t]! * e[t - l]!;
      gamma += e[t]! * e[t - l]!;
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) {
          const term = xs[t]![i]! * xs[t - l]![j]! + (l === 0 ? 0 : xs[t - l]![i]! * xs[t]![j]!);
          meat[i]![j]! += c * term;
        }
    }
    longRun += (l === 0 ? 1 : 2 * w) * (gamma / p);
  }
  const v = multiplyMatrices(multiplyMatrices(bread, meat), bread);
  // Gradient of the projected mean with respect to (a, b), and the mean link slope, over the after bins.
  let projected = 0;
  let g0 = 0;
  let g1 = 0;
  afterWeights.forEach((w, i) => {
    const y = a + b * (p + i);
    const d = slope(y);
    projected += (w * link(y)) / totalWeight;
    g0 += (w * d) / totalWeight;
    g1 += (w * d * (p + i)) / totalWeight;
  });
  const lineVar = g0 * g0 * v[0]![0]! + 2 * g0 * g1 * v[0]![1]! + g1 * g1 * v[1]![1]!;
  const se = Math.sqrt(Math.max(0, lineVar) + (g0 * g0 * Math.max(0, longRun)) / k);
  const z = normalQuantile(1 - (1 - conf) / 2);
  const effect = observedAfter - projected;
  return {
    intercept: a,
    slope: b,
    projected,
    effect,
    se,
    lower: effect - z * se,
    upper: effect + z * se,
    lag,
  };
}
