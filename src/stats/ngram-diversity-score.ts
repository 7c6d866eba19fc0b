import { type Corpus, ngramCountsByOrder, type TokenIds, type Tokenizer, toTokenLists } from './ngrams.ts';

/**
 * n-gram diversity score (Shaib et al. 2024, `cshaib/diversity` `ngram_diversity_score`):
 * Σ_{n=1..maxN} |unique n-grams| / |n-grams| over the *joined* corpus — the outputs' tokens are concatenated
 * first, so n-grams do cross output boundaries, as in the reference (which joins with a space and splits).
 * A term with no n-grams contributes 0. Ranges over [0, maxN].
 *
 * @example ngramDiversityScore([['a', 'b'], ['a', 'b']], 2) // 2/4 + 2/3 ≈ 1.1667
 */
export function ngramDiversityScore(
  corpus: Corpus | TokenIds,
  maxN = 4,
  options: { readonly tokenizer?: Tokenizer } = {},
): number {
  const lists = 'ids' in corpus ? corpus : toTokenLists(corpus, options.tokenizer);
  return ngramDiversityScoreOfCounts(ngramCountsByOrder(lists, maxN, { joined: true }));
}

/**
 * {@link ngramDiversityScore} from the joined corpus's counts of orders 1…maxN (element n − 1 of order n), for
 * a caller that counted them already.
 *
 * @example ngramDiversityScoreOfCounts([{ distinct: 2, total: 4 }, { distinct: 2, total: 3 }]) // ≈ 1.1667
 */
export function ngramDiversityScoreOfCounts(
  counts: readonly { readonly distinct: number; readonly total: number }[],
): number {
  let score = 0;
  for (const { distinct, total } of counts) {
    if (total > 0) score += distinct / total;
  }
  return score;
}
