import { erfc } from './normal-distribution.ts';
import { checkCount } from './proportion-checks.ts';

/** Result of {@link twoProportionZ}. */
export interface TwoProportionTest {
  /** a/m − b/n. */
  readonly difference: number;
  readonly z: number;
  /** Two-sided p-value 2·Φ(−|z|). */
  readonly p: number;
}

/**
 * Pooled two-proportion z test (equivalent to Pearson's χ² test of the 2×2 table without continuity
 * correction, z² = χ²): p̂ = (a+b)/(m+n), z = (a/m − b/n) / √(p̂(1−p̂)(1/m + 1/n)), p = 2·Φ(−|z|) computed as
 * erfc(|z|/√2). When p̂ is 0 or 1 the proportions are equal and the test is degenerate: z = 0, p = 1.
 *
 * @example twoProportionZ(56, 70, 48, 80) // { difference: 0.2, z: 2.6502…, p: 0.008045… }
 */
export function twoProportionZ(a: number, m: number, b: number, n: number): TwoProportionTest {
  checkCount(a, m, 'twoProportionZ (first proportion)');
  checkCount(b, n, 'twoProportionZ (second proportion)');
  const difference = a / m - b / n;
  const pooled = (a + b) / (m + n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / m + 1 / n));
  if (se === 0) return { difference, z: 0, p: 1 };
  const z = difference / se;
  return { difference, z, p: erfc(Math.abs(z) / Math.SQRT2) };
}
