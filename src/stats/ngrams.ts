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
  for (let i = 0; i + n <= tokens.length; i++) {
    let key = tokens[i]!;
    for (let k = 1; k < n; k++) key += `\u0000${tokens[i + k]!}`;
    out.push(key);
  }
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
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`n-gram order must be a positive integer, got ${n}`);
  return ngramCountsByOrder(lists, n)[n - 1]!;
}

/**
 * {@link ngramCounts} for every order 1…maxN in one pass over the tokens (each n-gram key extends the one of
 * order n − 1 at the same position): element n − 1 holds the counts of order n.
 *
 * @example ngramCountsByOrder([['a', 'b', 'a']], 2) // [{ distinct: 2, total: 3 }, { distinct: 2, total: 2 }]
 */
export function ngramCountsByOrder(
  lists: readonly (readonly string[])[],
  maxN: number,
): { distinct: number; total: number }[] {
  if (!Number.isInteger(maxN) || maxN < 1)
    throw new RangeError(`n-gram order must be a positive integer, got ${maxN}`);
  const seen = Array.from({ length: maxN }, () => new Set<string>());
  const totals = new Array<number>(maxN).fill(0);
  for (const tokens of lists) {
    for (let i = 0; i < tokens.length; i++) {
      let key = tokens[i]!;
      seen[0]!.add(key);
      totals[0]!++;
      for (let n = 2; n <= maxN && i + n <= tokens.length; n++) {
        key += `\u0000${tokens[i + n - 1]!}`;
        seen[n - 1]!.add(key);
        totals[n - 1]!++;
      }
    }
  }
  return seen.map((set, i) => ({ distinct: set.size, total: totals[i]! }));
}
