/** Throws a RangeError unless 0 ≤ x ≤ n, both integers, and n > 0. */
export function checkCount(x: number, n: number, what: string): void {
  if (!Number.isInteger(x) || !Number.isInteger(n) || n <= 0 || x < 0 || x > n) {
    throw new RangeError(`${what}: need integers 0 ≤ x ≤ n and n > 0, got x=${x}, n=${n}`);
  }
}

/** Throws a RangeError unless 0 < conf < 1. */
export function checkConfidence(conf: number): void {
  if (!(conf > 0 && conf < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${conf}`);
}
