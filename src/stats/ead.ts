import { type Corpus, ngramCounts, ngramCountsByOrder, type Tokenizer, toTokenLists } from './ngrams.ts';

/** Options of {@link ead} and {@link eadMean}. */
export interface EadOptions {
  /** V, the vocabulary size (default 50257, GPT-2's, as in Kirk et al. 2024). */
  readonly vocabSize?: number;
  /** Tokenizer for text input (default `tokenize`); ignored for token-list input. */
  readonly tokenizer?: Tokenizer;
}

/** GPT-2's vocabulary size, EAD's default V. */
export const EAD_DEFAULT_VOCAB_SIZE = 50257;

/**
 * Expectation-Adjusted Distinct n-grams (Liu et al. 2022, used by Kirk et al. 2024):
 * `N / (V · (1 − ((V−1)/V)^C))`, N distinct and C total n-grams pooled over outputs (not crossing output
 * boundaries), V the vocabulary size. The denominator is the expected number of distinct n-grams when C are
 * drawn uniformly from V. Not clamped (it can exceed 1); 0 when there are no n-grams.
 *
 * @example ead([['a', 'b'], ['a', 'c']], 1, { vocabSize: 4 }) // 3 / (4 · (1 − 0.75⁴)) ≈ 1.0971
 */
export function ead(corpus: Corpus, n: number, options: EadOptions = {}): number {
  const v = options.vocabSize ?? EAD_DEFAULT_VOCAB_SIZE;
  if (!(v > 1)) throw new RangeError(`EAD vocabulary size must be > 1, got ${v}`);
  return eadFromCounts(ngramCounts(toTokenLists(corpus, options.tokenizer), n), v);
}

/**
 * EAD from the counts of one order: N distinct n-grams of C in all, vocabulary V (default 50257).
 *
 * @example eadFromCounts({ distinct: 3, total: 4 }) // ≈ 0.75
 */
export function eadFromCounts(
  counts: { readonly distinct: number; readonly total: number },
  vocabSize = EAD_DEFAULT_VOCAB_SIZE,
): number {
  if (!(vocabSize > 1)) throw new RangeError(`EAD vocabulary size must be > 1, got ${vocabSize}`);
  if (counts.total === 0) return 0;
  // 1 − ((V−1)/V)^C, computed as −expm1(C·log1p(−1/V)) to keep precision when C ≪ V.
  const expected = vocabSize * -Math.expm1(counts.total * Math.log1p(-1 / vocabSize));
  return counts.distinct / expected;
}

/**
 * The mean of {@link ead} over n = 1..`maxN` (default 5, as documented in REFERENCES.md).
 *
 * @example eadMean(['the cat sat', 'the dog sat']) // mean of ead(…, 1) … ead(…, 5)
 */
export function eadMean(corpus: Corpus, options: EadOptions & { readonly maxN?: number } = {}): number {
  const maxN = options.maxN ?? 5;
  const byOrder = ngramCountsByOrder(toTokenLists(corpus, options.tokenizer), maxN);
  let sum = 0;
  for (const counts of byOrder) sum += eadFromCounts(counts, options.vocabSize);
  return sum / maxN;
}
