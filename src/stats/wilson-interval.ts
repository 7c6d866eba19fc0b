import { normalQuantile } from './normal-distribution.ts';
import { checkConfidence, checkCount } from './proportion-checks.ts';

/** A confidence interval. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/**
 * Wilson score interval for a binomial proportion x/n (Wilson 1927; Newcombe 1998 method 3, no continuity
 * correction): (x + z²/2 ± z·√(x(n−x)/n + z²/4)) / (n + z²), z = Φ⁻¹(1 − (1−conf)/2). Always inside [0, 1].
 * Throws a RangeError unless 0 ≤ x ≤ n are integers and n > 0.
 *
 * @example wilsonInterval(56, 70) // { lower: 0.6918…, upper: 0.8770… }
 */
export function wilsonInterval(x: number, n: number, conf = 0.95): Interval {
  checkCount(x, n, 'wilsonInterval');
  checkConfidence(conf);
  const z = normalQuantile(1 - (1 - conf) / 2);
  const z2 = z * z;
  const centre = (x + z2 / 2) / (n + z2);
  const half = (z * Math.sqrt((x * (n - x)) / n + z2 / 4)) / (n + z2);
  // Clamp the rounding at the ends (x = 0 or x = n give exactly 0 or 1 in exact arithmetic).
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}
