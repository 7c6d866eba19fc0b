import { type Corpus, ngramCounts, ngramKeys, type Tokenizer, toTokenLists } from './ngrams.ts';

/** Options of {@link distinctN}. */
export interface DistinctNOptions {
  /**
   * `pooled` (default): Kirk et al. 2024, `facebookresearch/rlfh-gen-div`
   * `rlvsil/diversity/diversity_metrics.py`   * — |unique n-grams| / |all n-grams| over all outputs together; 0 when there are no n-grams.
   * `per-output`: `neural-dialogue-metrics/Distinct-N` — per output |set(n-grams)| / len(tokens) (0 for an
   * empty output), averaged over outputs; 0 when there are no outputs.
   */
  readonly variant?: 'pooled' | 'per-output';
  /** Tokenizer for text input (default `tokenize`); ignored for token-list input. */
  readonly tokenizer?: Tokenizer;
}

/**
 * distinct-n of a corpus, in the variant named by `options.variant`. N-grams never cross output boundaries.
 * The per-output variant divides by the number of tokens, not of n-grams, as Distinct-N does, so it is
 * below 1 for n > 1 even when all n-grams differ.
 *
 * @example
 * distinctN([['the', 'cat', 'sat', 'on', 'the']], 2, { variant: 'per-output' }) // 0.8
 * distinctN([['the', 'cat', 'sat', 'on', 'the']], 2) // 1 (pooled)
 */
export function distinctN(corpus: Corpus, n: number, options: DistinctNOptions = {}): number {
  const lists = toTokenLists(corpus, options.tokenizer);
  if ((options.variant ?? 'pooled') === 'pooled') {
    const { distinct, total } = ngramCounts(lists, n);
    return total === 0 ? 0 : distinct / total;
  }
  if (lists.length === 0) return 0;
  let sum = 0;
  for (const tokens of lists) {
    if (tokens.length > 0) sum += new Set(ngramKeys(tokens, n)).size / tokens.length;
  }
  return sum / lists.length;
}
