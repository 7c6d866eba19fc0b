import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ngramCounts, ngramKeys, toTokenLists } from '../../src/stats/ngrams.ts';

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
});
