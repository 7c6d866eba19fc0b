/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit seeded generator, returning floats in [0, 1).
 * Deterministic across platforms (integer arithmetic via `Math.imul` and `>>>`), period 2³².
 *
 * @example const rand = mulberry32(42); rand(); // same value on every run
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `k` distinct indices of 0..n−1 drawn without replacement by a partial Fisher–Yates shuffle driven by
 * {@link mulberry32}(`seed`), returned in increasing order. All of 0..n−1 when k ≥ n.
 *
 * @example seededSampleIndices(10, 3, 7) // e.g. [1, 4, 8], the same for every call with seed 7
 */
export function seededSampleIndices(n: number, k: number, seed: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(seed);
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}
