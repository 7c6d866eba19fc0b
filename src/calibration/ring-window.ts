/**
 * The last `size` boolean flags in arrival order, with a running count of `true` flags. Backs the
 * compliance trajectory index and each recurrence rule's "k of last N" count in O(1) per session.
 *
 * @example
 * const w = new RingWindow(3);
 * for (const f of [true, false, true, true]) w.push(f);
 * w.count // 2 (the window holds false, true, true)
 */
export class RingWindow {
  readonly size: number;
  readonly #flags: boolean[];
  #head = 0;
  #length = 0;
  #count = 0;

  /** `initial` is oldest first; only its last `size` flags are kept. */
  constructor(size: number, initial: Iterable<boolean> = []) {
    if (!Number.isSafeInteger(size) || size < 1)
      throw new RangeError(`window size must be a positive integer, got ${size}`);
    this.size = size;
    this.#flags = new Array<boolean>(size).fill(false);
    for (const flag of initial) this.push(flag);
  }

  push(flag: boolean): void {
    if (this.#length === this.size) {
      if (this.#flags[this.#head]) this.#count -= 1;
    } else {
      this.#length += 1;
    }
    this.#flags[this.#head] = flag;
    if (flag) this.#count += 1;
    this.#head = (this.#head + 1) % this.size;
  }

  /** Number of `true` flags in the window. */
  get count(): number {
    return this.#count;
  }

  /** Number of flags held: `size` once the window has filled. */
  get length(): number {
    return this.#length;
  }

  /** The flags, oldest first. */
  toArray(): boolean[] {
    const start = (this.#head - this.#length + this.size) % this.size;
    return Array.from({ length: this.#length }, (_, i) => this.#flags[(start + i) % this.size] === true);
  }

  /** The flags as a string of `0` and `1`, oldest first: a compact, plain-JSON form for saved state. */
  toBits(): string {
    return this.toArray()
      .map((f) => (f ? '1' : '0'))
      .join('');
  }

  /** The inverse of `toBits`. */
  static fromBits(size: number, bits: string): RingWindow {
    return new RingWindow(
      size,
      Array.from(bits, (c) => c === '1'),
    );
  }
}
