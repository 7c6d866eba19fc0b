import { changePoints } from '../../stats/change-points.ts';

/** Phase names of the reward distribution, in the order they can occur. */
export type PhaseName = 'noise' | 'narrowing' | 'convergence';

/** A segment of the variance series between change points (positions are 0-based into the series). */
export interface VarianceSegment {
  readonly first: number;
  readonly last: number;
  /** Mean of the per-window variances in the segment. */
  readonly meanVariance: number;
}

/** The change points of a variance series and the phases named from them. */
export interface VariancePhases {
  /** Change points as 1-based positions of the last point of the left segment (`changePoints`' convention). */
  readonly changePoints: readonly number[];
  readonly penalty: number;
  /** σ̂ used to standardize the series (null when the series is too short or constant). */
  readonly scale: number | null;
  readonly segments: readonly VarianceSegment[];
  /** Each phase as a run of consecutive segments (indices into `segments`). */
  readonly phases: readonly {
    readonly name: PhaseName;
    readonly firstSegment: number;
    readonly lastSegment: number;
  }[];
  /** Why a phase is absent, in words (empty when all three were found). */
  readonly notes: readonly string[];
}

/** Options of {@link variancePhases}. */
export interface VariancePhaseOptions {
  /** Width f of the floor band (μ ≤ floor + f·(top − floor)); default {@link DEFAULT_BAND_FRACTION}. */
  readonly bandFraction?: number;
  /** PELT penalty (default 'MBIC'). */
  readonly penalty?: 'MBIC' | 'BIC' | number;
}

/**
 * Default floor-band width f: 5% of the variance range above the floor, an SD within √0.05 ≈ 22% of the top
 * SD; 0.1 (√0.1 ≈ 32%) admitted WILD-7 windows still holding 2% low rewards.
 */
export const DEFAULT_BAND_FRACTION = 0.05;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Robust noise scale of a series for change-point standardization: σ̂ = 1.4826 · median|x[k+1] − x[k]| / √2
 * (MAD of first differences; level shifts touch few differences, so they barely move it). Falls back to the
 * standard deviation of the differences / √2 when the MAD is 0; null when that is 0 too or n < 2.
 *
 * @example
 * noiseScale([1, 2, 1, 2]) // differences 1, −1, 1 → 1.4826 / √2 ≈ 1.048
 */
export function noiseScale(series: readonly number[]): number | null {
  if (series.length < 2) return null;
  const d = series.slice(1).map((x, i) => x - series[i]!);
  const mad = (1.4826 * median(d.map(Math.abs))) / Math.SQRT2;
  if (mad > 0 && Number.isFinite(mad)) return mad;
  const m = d.reduce((a, b) => a + b, 0) / d.length;
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / d.length) / Math.SQRT2;
  return sd > 0 && Number.isFinite(sd) ? sd : null;
}

/**
 * Change points of a per-window variance series and the phases named from them (docs/analyses/convergence.md).
 *
 * Change points: PELT, cost `mean` (RSS) on the series standardized as (v − mean(v)) / σ̂ with σ̂ from
 * {@link noiseScale}, penalty MBIC, minimum segment length 2. Phases, from the segment means μ₁…μₘ:
 * with top = max μ, floor = min μ, f = `bandFraction` (0.05) and the floor band μ ≤ floor + f·(top − floor):
 * - noise: segments 1…j, where the change point after segment j is the first *sustained drop*: every later
 *   segment's mean is below μⱼ (PELT has already judged the change significant); none → the whole series is noise;
 * - convergence: the longest run of final segments, after the noise, all in the floor band;
 * - narrowing: the segments between the two (may be empty).
 *
 * @example
 * variancePhases([6, 6.1, 5.9, 6, 3, 2.9, 3.1, 0.1, 0.12, 0.1, 0.11]).phases.map((p) => p.name)
 * // ['noise', 'narrowing', 'convergence']
 */
export function variancePhases(
  series: readonly number[],
  options: VariancePhaseOptions = {},
): VariancePhases {
  const fraction = options.bandFraction ?? DEFAULT_BAND_FRACTION;
  const penaltyOption = options.penalty ?? 'MBIC';
  const notes: string[] = [];
  const scale = series.length >= 4 ? noiseScale(series) : null;
  let cps: readonly number[] = [];
  let penalty = Number.NaN;
  if (scale === null) {
    notes.push(
      series.length < 4
        ? `variance series has ${series.length} window(s); change points need at least 4`
        : 'variance series is constant: no change points',
    );
  } else {
    const m = series.reduce((a, b) => a + b, 0) / series.length;
    const result = changePoints(
      series.map((v) => (v - m) / scale),
      { cost: 'mean', penalty: penaltyOption, minSegLen: 2 },
    );
    cps = result.changePoints;
    penalty = result.penalty;
  }
  const bounds = [0, ...cps, series.length];
  const segments: VarianceSegment[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const first = bounds[i]!;
    const last = bounds[i + 1]! - 1;
    if (last < first) continue;
    const slice = series.slice(first, last + 1);
    segments.push({ first, last, meanVariance: slice.reduce((a, b) => a + b, 0) / slice.length });
  }
  const phases = nameSegments(segments, fraction, notes);
  return { changePoints: cps, penalty, scale, segments, phases, notes };
}

function nameSegments(
  segments: readonly VarianceSegment[],
  fraction: number,
  notes: string[],
): VariancePhases['phases'] {
  const m = segments.length;
  if (m === 0) return [];
  const mu = segments.map((s) => s.meanVariance);
  const top = Math.max(...mu);
  const floor = Math.min(...mu);
  const low = floor + fraction * (top - floor);
  // the first sustained drop: after segment j, no segment returns to μⱼ
  let noiseLast = -1;
  for (let j = 0; j + 1 < m && noiseLast < 0; j++) {
    if (Math.max(...mu.slice(j + 1)) < mu[j]!) noiseLast = j;
  }
  if (noiseLast < 0) {
    notes.push(
      m === 1
        ? 'one variance segment: no narrowing or convergence phase'
        : 'no sustained variance drop: no narrowing or convergence phase',
    );
    return [{ name: 'noise', firstSegment: 0, lastSegment: m - 1 }];
  }
  let convFirst = m;
  while (convFirst - 1 > noiseLast && mu[convFirst - 1]! <= low) convFirst--;
  const phases: { name: PhaseName; firstSegment: number; lastSegment: number }[] = [
    { name: 'noise', firstSegment: 0, lastSegment: noiseLast },
  ];
  if (convFirst > noiseLast + 1)
    phases.push({ name: 'narrowing', firstSegment: noiseLast + 1, lastSegment: convFirst - 1 });
  else notes.push('variance fell straight to its floor: no narrowing phase');
  if (convFirst < m) phases.push({ name: 'convergence', firstSegment: convFirst, lastSegment: m - 1 });
  else notes.push('the final segment is not near the variance floor: no convergence phase');
  return phases;
}
