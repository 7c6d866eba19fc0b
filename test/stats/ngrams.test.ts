import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ngramCounts,
  ngramCountsByOrder,
  ngramCountsByOrderOfKeys,
  ngramCountsWithinAndJoined,
  ngramKeys,
  tokenIds,
  toTokenLists,
} from '../../src/stats/ngrams.ts';

describe('ngram helpers', () => {
  it('lists the tokens.length − n + 1 n-grams of a token list and none when it is shorter than n', () => {
    assert.deepEqual(ngramKeys(['a', 'b', 'c'], 2), ['a\u0000b', 'b\u0000c']);
    assert.deepEqual(ngramKeys(['a'], 2), []);
    assert.throws(() => ngramKeys(['a'], 1.5), RangeError);
  });

  it('keeps ("a b", "c") and ("a", "b c") apart as different bigrams', () => {
    assert.equal(
      ngramCounts(
        [
          ['a b', 'c'],
          ['a', 'b c'],
        ],
        2,
      ).distinct,
      2,
    );
  });

  it('tokenizes texts with the default tokenizer and passes token lists through', () => {
    assert.deepEqual(toTokenLists(['The Cat.']), [['the', 'cat']]);
    assert.deepEqual(toTokenLists([['The', 'Cat.']]), [['The', 'Cat.']]);
  });

  it('counts distinct and total n-grams of every order as a set of string keys does', () => {
    // small vocabularies make repeats (shared prefixes, equal n-grams in different lists) common
    const token = fc.constantFrom('a', 'b', 'c', 'ab', "it's", '日', '');
    fc.assert(
      fc.property(
        fc.array(fc.array(token, { maxLength: 30 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 7 }),
        (lists, maxN) => {
          assert.deepEqual(ngramCountsByOrder(lists, maxN), ngramCountsByOrderOfKeys(lists, maxN));
          // joined: n-grams across list boundaries, as of the concatenated lists
          assert.deepEqual(
            ngramCountsByOrder(tokenIds(lists), maxN, { joined: true }),
            ngramCountsByOrderOfKeys([lists.flat()], maxN),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts within lists and over the joined lists in shared tables as two separate string-keyed counts do', () => {
    const token = fc.constantFrom('a', 'b', 'c', 'ab', '日', '');
    fc.assert(
      fc.property(
        fc.array(fc.array(token, { maxLength: 20 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        (lists, maxWithin, maxJoined) => {
          const got = ngramCountsWithinAndJoined(tokenIds(lists), maxWithin, maxJoined);
          assert.deepEqual(got.within, maxWithin > 0 ? ngramCountsByOrderOfKeys(lists, maxWithin) : []);
          assert.deepEqual(
            got.joined,
            maxJoined > 0 ? ngramCountsByOrderOfKeys([lists.flat()], maxJoined) : [],
          );
        },
      ),
      { numRuns: 500 },
    );
    assert.throws(() => ngramCountsWithinAndJoined([['a']], -1, 2), RangeError);
  });

  it('counts a corpus of thousands of distinct tokens the same way', () => {
    const lists = Array.from({ length: 200 }, (_, l) =>
      Array.from({ length: 120 }, (_, i) => `w${(l * 31 + i * i) % 5000}`),
    );
    assert.deepEqual(ngramCountsByOrder(lists, 5), ngramCountsByOrderOfKeys(lists, 5));
  });

  it('gives every n-gram of an all-distinct order as distinct in the orders above it', () => {
    assert.deepEqual(ngramCountsByOrder([['a', 'b', 'c'], ['d']], 3), [
      { distinct: 4, total: 4 },
      { distinct: 2, total: 2 },
      { distinct: 1, total: 1 },
    ]);
  });
});
