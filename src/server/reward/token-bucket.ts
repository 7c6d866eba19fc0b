/**
 * A token bucket: `ratePerSecond` tokens flow in continuously, up to `burst`; a request takes one. When the
 * bucket is empty the request is refused with the seconds until a token is back (for `Retry-After`).
 *
 * @example
 * const bucket = new TokenBucket(100, 200);
 * bucket.take() // { ok: true } — or { ok: false, retryAfterSeconds: 0.01 }
 */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) {
      throw new RangeError(`token bucket: rate must be > 0 and burst ≥ 1 (got ${ratePerSecond}, ${burst})`);
    }
    this.#tokens = burst;
    this.#at = now();
  }

  take(): { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number } {
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#at) / 1000) * this.ratePerSecond);
    this.#at = t;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: (1 - this.#tokens) / this.ratePerSecond };
  }
}
