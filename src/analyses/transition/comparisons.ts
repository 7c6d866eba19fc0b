import { newcombeInterval } from '../../stats/newcombe-interval.ts';
import { normalQuantile } from '../../stats/normal-distribution.ts';
import { type Behaviour, type Count, DEFINITIONS, type MetricComparison } from './transition-types.ts';

// One metric, later phase − final training window: proportions (Newcombe), means (Welch), sample measures.

export function proportionComparison(b: Behaviour, f: Count, l: Count): MetricComparison {
  const base = { metric: b.metric, label: b.label, kind: 'proportion' as const, finalN: f.n, laterN: l.n };
  if (f.n === 0 || l.n === 0)
    return {
      ...base,
      final: null,
      later: null,
      difference: null,
      lower: null,
      upper: null,
      definition: DEFINITIONS.proportion,
    };
  const d = newcombeInterval(l.hits, l.n, f.hits, f.n);
  return {
    ...base,
    final: f.hits / f.n,
    later: l.hits / l.n,
    difference: d.difference,
    lower: d.lower,
    upper: d.upper,
    definition: DEFINITIONS.proportion,
  };
}

export interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

/** n, mean and sample variance from Σx and Σx² of the rows. */
export function moments<T>(rows: readonly T[], get: (r: T) => readonly [number, number, number]): Moments {
  let n = 0;
  let s = 0;
  let q = 0;
  for (const r of rows) {
    const [a, b, c] = get(r);
    n += a;
    s += b;
    q += c;
  }
  const mean = n === 0 ? 0 : s / n;
  const variance = n < 2 ? 0 : Math.max(0, (q - n * mean * mean) / (n - 1));
  return { n, mean, variance };
}

/** later − final of two means: Welch standard error √(s₁²/n₁ + s₂²/n₂), interval d ± z₀.₉₇₅·se. */
export function meanComparison(metric: string, label: string, f: Moments, l: Moments): MetricComparison {
  const base = {
    metric,
    label,
    kind: 'mean' as const,
    finalN: f.n,
    laterN: l.n,
    definition: DEFINITIONS.mean,
  };
  if (f.n < 2 || l.n < 2)
    return {
      ...base,
      final: f.n ? f.mean : null,
      later: l.n ? l.mean : null,
      difference: null,
      lower: null,
      upper: null,
    };
  const d = l.mean - f.mean;
  const se = Math.sqrt(f.variance / f.n + l.variance / l.n);
  const z = normalQuantile(0.975);
  return { ...base, final: f.mean, later: l.mean, difference: d, lower: d - z * se, upper: d + z * se };
}

export type Tokens = readonly string[];

/** Unique tokens of a sample of tokenized outputs. */
export function uniqueTokens(outputs: readonly Tokens[]): number {
  const set = new Set<string>();
  for (const t of outputs) for (const x of t) set.add(x);
  return set.size;
}

/** Pooled distinct-2 (response diversity, src/analyses/diversity/response-diversity.ts) of tokenized outputs. */
export function distinct2(outputs: readonly Tokens[]): number {
  const set = new Set<string>();
  let total = 0;
  for (const t of outputs)
    for (let k = 0; k + 1 < t.length; k++) {
      set.add(`${t[k]}\u0000${t[k + 1]}`);
      total += 1;
    }
  return total === 0 ? 0 : set.size / total;
}

/**
 * A sample measure, later − final, on samples of equal size. No interval: a count of distinct tokens or
 * bigrams is biased under resampling (a bootstrap resample repeats outputs and so loses distinct items),
 * so the difference is reported as measured, and the findings do not rest on it.
 */
export function sampleComparison(
  metric: string,
  label: string,
  final: readonly Tokens[],
  later: readonly Tokens[],
  measure: (outputs: readonly Tokens[]) => number,
): MetricComparison {
  const f = measure(final);
  const l = measure(later);
  return {
    metric,
    label,
    kind: 'sample',
    final: f,
    later: l,
    finalN: final.length,
    laterN: later.length,
    difference: l - f,
    lower: null,
    upper: null,
    definition: DEFINITIONS.sample,
  };
}
