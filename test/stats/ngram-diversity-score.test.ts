import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ngramDiversityScore } from '../../src/stats/ngram-diversity-score.ts';
import { tokenIds, toTokenLists } from '../../src/stats/ngrams.ts';

describe('ngramDiversityScore', () => {
  it('sums unique/total n-gram ratios for n = 1..4 over the joined corpus', () => {
    // Joined: a b a b (4 tokens). n=1: 2/4, n=2: {ab, ba} 2/3, n=3: {aba, bab} 2/2, n=4: 1/1.
    assert.ok(Math.abs(ngramDiversityScore(['a b', 'a b']) - (0.5 + 2 / 3 + 1 + 1)) < 1e-12);
  });

  it('forms n-grams across output boundaries, unlike distinct-n', () => {
    // Joined: x y z: the bigram "y z" crosses the boundary between outputs.
    assert.ok(Math.abs(ngramDiversityScore(['x y', 'z'], 2) - 2) < 1e-12);
  });

  it('reaches maxN for an all-distinct corpus and drops as the corpus repeats itself', () => {
    assert.equal(ngramDiversityScore(['one two three four five']), 4);
    assert.ok(ngramDiversityScore(Array(20).fill('one two three four five')) < 1);
  });

  it('skips orders with no n-grams', () => {
    assert.equal(ngramDiversityScore(['solo']), 1);
    assert.equal(ngramDiversityScore([]), 0);
  });

  it('gives the same score from token ids as from the texts', () => {
    const texts = ['x y z x', 'y z', 'x y z x y', ''];
    assert.equal(ngramDiversityScore(tokenIds(toTokenLists(texts))), ngramDiversityScore(texts));
  });
});
