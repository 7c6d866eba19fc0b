import { checkConfidence, checkCount } from './proportion-checks.ts';
import { type Interval, wilsonInterval } from './wilson-interval.ts';

/** The difference of two proportions with its interval. */
export interface DifferenceInterval extends Interval {
  /** a/m − b/n. */
  readonly difference: number;
}

/**
 * Newcombe's hybrid score interval for the difference of two independent proportions a/m − b/n
 * (Newcombe 1998, Statistics in Medicine 17:873–890, method 10), built from the Wilson intervals
 * (l₁, u₁) of a/m and (l₂, u₂) of b/n: with d = p₁ − p₂,
 * lower = d − √((p₁ − l₁)² + (u₂ − p₂)²), upper = d + √((u₁ − p₁)² + (p₂ − l₂)²).
 *
 * @example newcombeInterval(56, 70, 48, 80) // { difference: 0.2, lower: 0.0524…, upper: 0.3339… }
 */
export function newcombeInterval(
  a: number,
  m: number,
  b: number,
  n: number,
  conf = 0.95,
): DifferenceInterval {
  checkCount(a, m, 'newcombeInterval (first proportion)');
  checkCount(b, n, 'newcombeInterval (second proportion)');
  checkConfidence(conf);
  const p1 = a / m;
  const p2 = b / n;
  const w1 = wilsonInterval(a, m, conf);
  const w2 = wilsonInterval(b, n, conf);
  const d = p1 - p2;
  return {
    difference: d,
    lower: d - Math.hypot(p1 - w1.lower, w2.upper - p2),
    upper: d + Math.hypot(w1.upper - p1, p2 - w2.lower),
  };
}
