import { type CcfPoint, ccf, ccfBestLag } from '../../stats/ccf.ts';

/** A named per-window series; null where the window has no value (e.g. no classified session). */
export interface NamedSeries {
  readonly name: string;
  readonly values: readonly (number | null)[];
  /**
   * The record layer the series is computed from, when the reward may be computed from it too: a rate of
   * the classification or of a category (the reward scheme pays by classification).
   */
  readonly derivedFrom?: 'classification';
}

/**
 * How much of the reward's variance the classification explains, session by session within windows:
 * R² = 1 − Σ within-class SS / Σ total SS (sums over windows of the reward's squared deviations from the
 * class mean, and from the window mean). R² ≈ 1 means the reward is a (near-)deterministic function of the
 * classification in each window.
 */
export interface ClassificationCoupling {
  readonly r2: number;
  /** Windows summed, and sessions in them. */
  readonly windows: number;
  readonly sessions: number;
}

export interface CorrespondenceInput {
  /** The reward series (e.g. mean adjusted reward per window). */
  readonly reward: NamedSeries;
  /** Behaviour series on the same windows (vocabulary, response diversity, unsolicited rate, category rates…). */
  readonly behaviours: readonly NamedSeries[];
  /** Largest lag in windows (default: min(5, n − 2)). */
  readonly maxLag?: number;
  /** The reward's dependence on the classification, when the record allows it (null: not measured). */
  readonly coupling?: ClassificationCoupling | null;
}

/** The cross-correlation of the reward with one behaviour, on levels and on first differences. */
export interface BehaviourCorrespondence {
  readonly behaviour: string;
  /** Windows used: the longest run of consecutive windows where both series have values. */
  readonly windows: { readonly first: number; readonly last: number; readonly n: number };
  readonly levels: {
    readonly points: readonly CcfPoint[];
    readonly best: CcfPoint | null;
    readonly atLag0: number;
  };
  /** The same on first differences (window-to-window changes): a shared trend alone does not correlate here. */
  readonly differences: {
    readonly points: readonly CcfPoint[];
    readonly best: CcfPoint | null;
    readonly atLag0: number;
  } | null;
  /** Approximate 95% band for a white-noise cross-correlation of the levels: ±1.96/√n, n windows. */
  readonly band: number;
  /** The same band for the first differences: ±1.96/√(n − 1), n − 1 differences. */
  readonly differencesBand: number;
  /**
   * Least-squares line of the reward on the behaviour over the windows (reward ≈ intercept + slope ×
   * behaviour) and its R²: for a coupled series, the mechanism the correlation restates.
   */
  readonly fit: { readonly intercept: number; readonly slope: number; readonly r2: number };
  /** The series is computed from the classification and the reward is too (see {@link ClassificationCoupling}). */
  readonly derivedFrom: 'classification' | null;
  readonly note: string | null;
}

export interface CorrespondenceResult {
  readonly reward: string;
  readonly coupling: ClassificationCoupling | null;
  readonly maxLag: number;
  readonly behaviours: readonly BehaviourCorrespondence[];
  readonly definitions: Readonly<Record<string, string>>;
  readonly missing: readonly string[];
}

export const CORRESPONDENCE_DEFINITIONS = {
  ccf:
    "Sample cross-correlation in R's ccf(x, y) convention: lag k estimates cor(reward[t], behaviour[t−k]) with " +
    'full-sample means and denominator n at every lag; a positive best lag means the behaviour series moves ' +
    'k windows before the reward series, a negative one that it follows the reward by |k| windows.',
  levels: 'ccf of the two per-window series as they are; dominated by any shared trend over the run.',
  differences:
    'ccf of the window-to-window changes (first differences): correlation that survives when the shared ' +
    'trend is removed.',
  band:
    '±1.96/√n, the approximate 95% band of a cross-correlation between independent white-noise series; n = ' +
    'windows for the levels, n − 1 differences for the first differences.',
  coupling:
    'classification R² = 1 − Σ within-class SS / Σ total SS of the reward, sessions within windows (sums ' +
    'over windows): the share of the reward variance the classification explains. When it is near 1 the ' +
    "window mean reward is fixed by the classification's shares, so its correlation with a classification " +
    'or category rate holds by construction and is not evidence that one drives the other.',
  fit: 'least squares of the window mean reward on the behaviour series: reward ≈ intercept + slope × behaviour.',
} as const;

/** The longest run of consecutive indices where both series have finite values. */
function commonSpan(a: readonly (number | null)[], b: readonly (number | null)[]): [number, number] | null {
  let best: [number, number] | null = null;
  let start = -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i <= n; i++) {
    const ok = i < n && Number.isFinite(a[i] ?? Number.NaN) && Number.isFinite(b[i] ?? Number.NaN);
    if (ok && start < 0) start = i;
    if (!ok && start >= 0) {
      if (best === null || i - 1 - start > best[1] - best[0]) best = [start, i - 1];
      start = -1;
    }
  }
  return best;
}

/** Least squares y ≈ a + b·x and its R² (x not constant). */
function lineFit(x: readonly number[], y: readonly number[]): BehaviourCorrespondence['fit'] {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

const diff = (v: readonly number[]) => v.slice(1).map((x, i) => x - v[i]!);
const isConstant = (v: readonly number[]) => v.every((x) => x === v[0]);

/**
 * Lagged cross-correlation between a reward series and behaviour series, per behaviour on levels and on
 * first differences, with the best lag by |r|. Pure: series in, numbers out.
 *
 * @example
 * correspondence({ reward: { name: 'mean adjusted reward', values: [0.5, 0.6, 0.7, 0.8] },
 *   behaviours: [{ name: 'unsolicited rate', values: [0.4, 0.3, 0.2, 0.1] }] }).behaviours[0].levels.atLag0 // -1
 */
export function correspondence(input: CorrespondenceInput): CorrespondenceResult {
  const out: BehaviourCorrespondence[] = [];
  const missing: string[] = [];
  let usedMaxLag = input.maxLag ?? 5;
  for (const b of input.behaviours) {
    const span = commonSpan(input.reward.values, b.values);
    const n = span ? span[1] - span[0] + 1 : 0;
    if (!span || n < 4) {
      missing.push(`${b.name}: fewer than 4 windows where both it and ${input.reward.name} have values`);
      continue;
    }
    const x = input.reward.values.slice(span[0], span[1] + 1) as number[];
    const y = b.values.slice(span[0], span[1] + 1) as number[];
    if (isConstant(x) || isConstant(y)) {
      missing.push(
        `${b.name}: ${isConstant(x) ? input.reward.name : b.name} is constant, so no correlation is defined`,
      );
      continue;
    }
    const maxLag = Math.max(0, Math.min(input.maxLag ?? 5, n - 2));
    usedMaxLag = Math.min(usedMaxLag, maxLag);
    const points = ccf(x, y, maxLag);
    const dx = diff(x);
    const dy = diff(y);
    const dLag = Math.max(0, Math.min(maxLag, dx.length - 2));
    const differences =
      dx.length >= 3 && !isConstant(dx) && !isConstant(dy)
        ? (() => {
            const p = ccf(dx, dy, dLag);
            return { points: p, best: ccfBestLag(p) ?? null, atLag0: p.find((q) => q.lag === 0)!.r };
          })()
        : null;
    out.push({
      behaviour: b.name,
      windows: { first: span[0], last: span[1], n },
      levels: { points, best: ccfBestLag(points) ?? null, atLag0: points.find((q) => q.lag === 0)!.r },
      differences,
      band: 1.96 / Math.sqrt(n),
      differencesBand: 1.96 / Math.sqrt(n - 1),
      fit: lineFit(y, x),
      derivedFrom: b.derivedFrom ?? null,
      note: n < 10 ? `only ${n} windows: a correlation this short is weak evidence` : null,
    });
  }
  return {
    reward: input.reward.name,
    coupling: input.coupling ?? null,
    maxLag: usedMaxLag,
    behaviours: out,
    definitions: CORRESPONDENCE_DEFINITIONS,
    missing,
  };
}
