import { tokenize } from './tokenize.ts';

/**
 * A corpus for the diversity kernels: either texts (tokenized with `tokenizer`, default {@link tokenize}) or
 * texts already split into tokens.
 */
export type Corpus = readonly string[] | readonly (readonly string[])[];

/** How to split a text into tokens. */
export type Tokenizer = (text: string) => readonly string[];

/**
 * The token lists of a corpus: texts are tokenized with `tokenizer` (default {@link tokenize}), token lists
 * are returned as they are.
 *
 * @example toTokenLists(['The cat.', 'A dog']) // [['the', 'cat'], ['a', 'dog']]
 */
export function toTokenLists(
  corpus: Corpus,
  tokenizer: Tokenizer = tokenize,
): readonly (readonly string[])[] {
  return corpus.map((item: string | readonly string[]) =>
    typeof item === 'string' ? tokenizer(item) : item,
  );
}

/**
 * The n-grams of one token list, each as a string key (tokens joined with U+0000, which no tokenizer of
 * rlaudit produces inside a token). There are `max(0, tokens.length − n + 1)` of them.
 *
 * @example ngramKeys(['a', 'b', 'c'], 2) // ['a\u0000b', 'b\u0000c']
 */
export function ngramKeys(tokens: readonly string[], n: number): string[] {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`n-gram order must be a positive integer, got ${n}`);
  const out: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join('\u0000'));
  return out;
}

/**
 * Counts of distinct and total n-grams pooled over token lists; n-grams do not cross list boundaries.
 *
 * @example ngramCounts([['a', 'a'], ['a']], 1) // { distinct: 1, total: 3 }
 */
export function ngramCounts(
  lists: readonly (readonly string[])[],
  n: number,
): { distinct: number; total: number } {
  const seen = new Set<string>();
  let total = 0;
  for (const tokens of lists) {
    for (const key of ngramKeys(tokens, n)) {
      seen.add(key);
      total++;
    }
  }
  return { distinct: seen.size, total };
}
