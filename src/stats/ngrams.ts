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
 * Token lists as integer ids: each distinct token gets the next id in order of first sight; `ends[l]` is where
 * list l ends in `ids`; `vocabulary` is the number of distinct tokens.
 */
export interface TokenIds {
  readonly lists: readonly (readonly string[])[];
  readonly ids: Int32Array;
  readonly ends: Int32Array;
  readonly vocabulary: number;
}

/**
 * The {@link TokenIds} of token lists, for several counts over the same lists.
 *
 * @example tokenIds([['a', 'b'], ['a']]).ids // Int32Array [0, 1, 0]
 */
export function tokenIds(lists: readonly (readonly string[])[]): TokenIds {
  let size = 0;
  for (const tokens of lists) size += tokens.length;
  const vocabulary = new Map<string, number>();
  const ids = new Int32Array(size);
  const ends = new Int32Array(lists.length);
  let at = 0;
  for (const [l, tokens] of lists.entries()) {
    for (const token of tokens) {
      let id = vocabulary.get(token);
      if (id === undefined) {
        id = vocabulary.size;
        vocabulary.set(token, id);
      }
      ids[at++] = id;
    }
    ends[l] = at;
  }
  return { lists, ids, ends, vocabulary: vocabulary.size };
}

/**
 * {@link ngramCounts} for every order 1…maxN in one pass per order: element n − 1 holds the counts of order n.
 * n-grams do not cross list boundaries, unless `joined`: then the lists count as one list, concatenated.
 * The counts of {@link ngramCountsWithinAndJoined}, one side of them.
 *
 * @example ngramCountsByOrder([['a', 'b', 'a']], 2) // [{ distinct: 2, total: 3 }, { distinct: 2, total: 2 }]
 */
export function ngramCountsByOrder(
  lists: readonly (readonly string[])[] | TokenIds,
  maxN: number,
  options: { readonly joined?: boolean } = {},
): { distinct: number; total: number }[] {
  if (!Number.isInteger(maxN) || maxN < 1)
    throw new RangeError(`n-gram order must be a positive integer, got ${maxN}`);
  return options.joined
    ? ngramCountsWithinAndJoined(lists, 0, maxN).joined
    : ngramCountsWithinAndJoined(lists, maxN, 0).within;
}

/**
 * n-gram counts of orders 1…maxWithin within the lists (n-grams do not cross list boundaries) and of orders
 * 1…maxJoined over the lists concatenated (they do), element n − 1 holding order n; a max of 0 gives [].
 *
 * Exact and allocation-light: each distinct token gets an integer id ({@link tokenIds}), and each n-gram the
 * id of the pair (id of its (n − 1)-token prefix, id of its last token), looked up by the number
 * prefixId · V + tokenId (V distinct tokens; below 2^53 while the lists hold fewer than ~94 million tokens).
 * Two n-grams get the same id exactly when their prefixes and last tokens are equal, that is when they are
 * equal, so the distinct counts are those of string keys (test/stats/ngrams.test.ts compares with a
 * string-keyed count). Beyond that size the string keys of {@link ngramKeys} are counted instead.
 *
 * Both sides share one table per order: the n-grams within lists go in first (its size then is the distinct
 * count within), those crossing a boundary after (its size then is the joined count). The diversity sample
 * needs orders 1…5 within and 1…4 joined: four passes instead of seven, the largest part of the diversity
 * analysis's time (~9 of 44 s of Node in the 1M-session audit, measured).
 *
 * @example ngramCountsWithinAndJoined([['a', 'b'], ['a', 'b']], 2, 2).joined[1] // { distinct: 2, total: 3 }
 */
export function ngramCountsWithinAndJoined(
  lists: readonly (readonly string[])[] | TokenIds,
  maxWithin: number,
  maxJoined: number,
): { within: { distinct: number; total: number }[]; joined: { distinct: number; total: number }[] } {
  for (const max of [maxWithin, maxJoined]) {
    if (!Number.isInteger(max) || max < 0)
      throw new RangeError(`n-gram order must be a non-negative integer, got ${max}`);
  }
  const t = 'ids' in lists ? lists : tokenIds(lists);
  const { ids, ends, vocabulary: v } = t;
  const size = ids.length;
  if (size * v >= Number.MAX_SAFE_INTEGER) {
    return {
      within: maxWithin > 0 ? ngramCountsByOrderOfKeys(t.lists, maxWithin) : [],
      joined: maxJoined > 0 ? ngramCountsByOrderOfKeys([t.lists.flat()], maxJoined) : [],
    };
  }
  const within = maxWithin > 0 ? [{ distinct: v, total: size }] : [];
  const joined = maxJoined > 0 ? [{ distinct: v, total: size }] : [];
  // gram[i]: the id of the (n − 1)-gram starting at i, then (updated in place) of the n-gram there; only
  // positions where an n-gram fits (in its list, or in the whole when joined) are read at order n and above
  const gram = Int32Array.from(ids);
  // every (n − 1)-gram distinct (on the sides still counted) → every n-gram is (its prefix is)
  let allDistinct = v === size;
  for (let n = 2; n <= Math.max(maxWithin, maxJoined); n++) {
    const withJoined = n <= maxJoined;
    let withinTotal = 0;
    for (let l = 0, start = 0; l < ends.length; start = ends[l]!, l++) {
      withinTotal += Math.max(0, ends[l]! - start - n + 1);
    }
    const joinedTotal = Math.max(0, size - n + 1);
    let withinDistinct = withinTotal;
    let joinedDistinct = joinedTotal;
    if (!allDistinct) {
      const grams = new IdTable(withJoined ? joinedTotal : withinTotal);
      for (let l = 0, start = 0; l < ends.length; start = ends[l]!, l++) {
        for (let i = start; i + n <= ends[l]!; i++) gram[i] = grams.id(gram[i]! * v + ids[i + n - 1]!);
      }
      withinDistinct = grams.size;
      if (withJoined) {
        // the n-grams crossing a boundary: those starting in the last n − 1 positions of a list
        for (let l = 0, start = 0; l < ends.length; start = ends[l]!, l++) {
          for (let i = Math.max(start, ends[l]! - n + 1); i < ends[l]! && i + n <= size; i++) {
            gram[i] = grams.id(gram[i]! * v + ids[i + n - 1]!);
          }
        }
        joinedDistinct = grams.size;
      }
      allDistinct = withJoined ? joinedDistinct === joinedTotal : withinDistinct === withinTotal;
    }
    if (n <= maxWithin) within.push({ distinct: withinDistinct, total: withinTotal });
    if (withJoined) joined.push({ distinct: joinedDistinct, total: joinedTotal });
  }
  return { within, joined };
}

/**
 * {@link ngramCountsByOrder} by the string keys of {@link ngramKeys}, a set per order: the fallback for lists
 * too long for numeric keys, and the independent count the tests compare the numeric one with.
 */
export function ngramCountsByOrderOfKeys(
  lists: readonly (readonly string[])[],
  maxN: number,
): { distinct: number; total: number }[] {
  const seen = Array.from({ length: maxN }, () => new Set<string>());
  const totals = new Array<number>(maxN).fill(0);
  for (const tokens of lists) {
    for (let n = 1; n <= maxN; n++) {
      for (const key of ngramKeys(tokens, n)) seen[n - 1]!.add(key);
      totals[n - 1] = totals[n - 1]! + Math.max(0, tokens.length - n + 1);
    }
  }
  return seen.map((set, i) => ({ distinct: set.size, total: totals[i]! }));
}

/**
 * Dense ids for non-negative integer keys (below 2^53), in order of first sight: an open-addressing hash table
 * in typed arrays, sized for `capacity` keys (a Map of numbers costs several times more per lookup).
 */
class IdTable {
  size = 0;
  private readonly keys: Float64Array;
  private readonly ids: Int32Array;
  private readonly mask: number;
  /**
   * The slots, kept between tables and cleared for each: the diversity analysis builds seven tables per
   * window, thousands of windows an audit, and fresh arrays each time made a fifth of its time garbage
   * collection (measured at 1M sessions). Safe because a table lives within one synchronous call.
   */
  private static keySlots = new Float64Array(0);
  private static idSlots = new Int32Array(0);

  constructor(capacity: number) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    if (IdTable.keySlots.length < slots) {
      IdTable.keySlots = new Float64Array(slots);
      IdTable.idSlots = new Int32Array(slots);
    }
    this.keys = IdTable.keySlots.subarray(0, slots).fill(-1);
    this.ids = IdTable.idSlots.subarray(0, slots);
    this.mask = slots - 1;
  }

  /** The id of `key`: the one it got before, else the next free one. */
  id(key: number): number {
    // mix the high and low 32 bits, then Fibonacci-hash them into the table
    const mixed = (key | 0) ^ Math.floor(key / 4294967296);
    let slot = Math.imul(mixed, 0x9e3779b1) & this.mask;
    for (;;) {
      const k = this.keys[slot]!;
      if (k === key) return this.ids[slot]!;
      if (k === -1) {
        this.keys[slot] = key;
        this.ids[slot] = this.size;
        return this.size++;
      }
      slot = (slot + 1) & this.mask;
    }
  }
}
