import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeNgrams } from '../../../src/analyses/recurrence/phrase-discovery.ts';
import type { NgramCandidate } from '../../../src/model/recurrence-types.ts';

const c = (ngram: string, score: number, count = 100): NgramCandidate => ({
  ngram,
  n: ngram.split(' ').length,
  firstCount: 0,
  lastCount: count,
  firstRate: 0,
  lastRate: count / 1000,
  score,
  direction: 'rising',
});

describe('mergeNgrams', () => {
  test('a sub-gram of a stronger n-gram is merged into it', () => {
    const r = mergeNgrams([c('do not want to be', 0.9), c('not want', 0.8), c('other words', 0.5)], 5);
    assert.deepEqual(
      r.map((x) => [x.ngram, x.merged]),
      [
        ['do not want to be', ['not want']],
        ['other words', []],
      ],
    );
  });
  test('a longer n-gram with nearly the same support replaces the shorter one it contains', () => {
    const r = mergeNgrams([c('not want', 0.9, 100), c('do not want', 0.85, 95)], 5);
    assert.deepEqual(
      r.map((x) => [x.ngram, x.merged]),
      [['do not want', ['not want']]],
    );
    assert.equal(r[0]?.score, 0.9);
  });
  test('a longer n-gram with much less support stays separate, and the limit holds', () => {
    const r = mergeNgrams([c('not want', 0.9, 100), c('do not want', 0.3, 20), c('a b', 0.2)], 2);
    assert.deepEqual(
      r.map((x) => x.ngram),
      ['not want', 'do not want'],
    );
  });
});
