import { seededSampleIndices } from '../../stats/prng.ts';
import { tokenize } from '../../stats/tokenize.ts';

/** Options of {@link responseDiversity}. */
export interface ResponseDiversityOptions {
  /** Outputs drawn per call (default 200); all of them when there are fewer. */
  readonly sampleSize?: number;
  /** Seed of the draw (default 1). */
  readonly seed?: number;
}

/**
 * Response diversity: the headline cross-output diversity measure of rlaudit (DESIGN.md). It is pooled
 * distinct-2 over a seeded sample of outputs:
 *
 *   responseDiversity = |unique bigrams| / |all bigrams|
 *
 * where the bigrams are those of every sampled output (tokens from `tokenize`; bigrams never cross from
 * one output into the next), pooled over the sample. The sample is min(sampleSize, n) outputs drawn
 * without replacement by `seededSampleIndices` (a partial Fisher–Yates shuffle driven by mulberry32
 * seeded with `seed`), so the value is deterministic and windows of different sizes are compared on the
 * same number of outputs. It is in [0, 1]; 0 when the sample has no bigram. It falls when outputs become
 * alike *across* sessions, which per-output measures miss (every output may be internally varied and
 * still be the same output).
 *
 * @example
 * responseDiversity(['the cat sat', 'the cat ran']) // bigrams: the·cat, cat·sat, the·cat, cat·ran → 3/4 = 0.75
 * responseDiversity(Array(10).fill('a b c')) // 2 unique of 20 → 0.1
 */
export function responseDiversity(texts: readonly string[], options: ResponseDiversityOptions = {}): number {
  return responseDiversityOf(texts.length, (i) => tokenize(texts[i]!), options);
}

/**
 * {@link responseDiversity} of `n` outputs given by their tokens (`tokensOf(i)` = `tokenize` of output i), for a
 * caller that has them already (the live monitors tokenize each output once); only the sampled ones are asked.
 */
export function responseDiversityOf(
  n: number,
  tokensOf: (i: number) => readonly string[],
  options: ResponseDiversityOptions = {},
): number {
  const sampleSize = options.sampleSize ?? 200;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(sampleSize) || sampleSize < 1) {
    throw new RangeError(`sampleSize must be a positive integer, got ${sampleSize}`);
  }
  const indices = seededSampleIndices(n, sampleSize, seed);
  // a bigram is counted by the pair of its tokens' numbers (exact below 2^26 distinct tokens, far beyond a
  // sample's), not by a string built per position
  const ids = new Map<string, number>();
  const unique = new Set<number>();
  let total = 0;
  for (const i of indices) {
    const tokens = tokensOf(i);
    let prev = -1;
    for (let k = 0; k < tokens.length; k++) {
      let id = ids.get(tokens[k]!);
      if (id === undefined) {
        id = ids.size;
        ids.set(tokens[k]!, id);
      }
      if (k > 0) {
        unique.add(prev * BIGRAM_BASE + id);
        total += 1;
      }
      prev = id;
    }
  }
  if (ids.size > BIGRAM_BASE) return pooledDistinct2ByStrings(indices, tokensOf); // beyond exact numbering
  return total === 0 ? 0 : unique.size / total;
}

/** Distinct tokens a bigram's number can hold (2^26); a sample with more is counted by strings. */
const BIGRAM_BASE = 67_108_864;

function pooledDistinct2ByStrings(
  indices: readonly number[],
  tokensOf: (i: number) => readonly string[],
): number {
  const unique = new Set<string>();
  let total = 0;
  for (const i of indices) {
    const tokens = tokensOf(i);
    for (let k = 0; k + 1 < tokens.length; k++) {
      unique.add(`${tokens[k]!}\u0000${tokens[k + 1]!}`);
      total += 1;
    }
  }
  return total === 0 ? 0 : unique.size / total;
}
