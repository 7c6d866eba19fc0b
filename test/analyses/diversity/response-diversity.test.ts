import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { responseDiversity } from '../../../src/analyses/diversity/response-diversity.ts';

describe('responseDiversity', () => {
  test('it is pooled distinct-2: unique bigrams over all bigrams, never across outputs', () => {
    // the·cat, cat·sat | the·cat, cat·ran → 3 unique of 4
    assert.equal(responseDiversity(['The cat sat.', 'the cat ran']), 0.75);
    // a·b | b·c: "b c" does not join the first output's last token to the second's first
    assert.equal(responseDiversity(['a b', 'b c']), 1);
  });

  test('identical outputs give a low value', () => {
    assert.equal(responseDiversity(Array.from({ length: 10 }, () => 'a b c')), 2 / 20);
  });

  test('no bigram gives 0', () => {
    assert.equal(responseDiversity([]), 0);
    assert.equal(responseDiversity(['one', '', 'two']), 0);
  });

  test('the sample is seeded and deterministic, and takes min(sampleSize, n) outputs', () => {
    const texts = Array.from({ length: 500 }, (_, i) => `w${i % 37} x${i % 11} y${i % 5}`);
    const a = responseDiversity(texts, { sampleSize: 50, seed: 3 });
    assert.equal(a, responseDiversity(texts, { sampleSize: 50, seed: 3 }));
    assert.notEqual(a, responseDiversity(texts, { sampleSize: 50, seed: 4 }));
    const small = ['a b', 'c d'];
    assert.equal(responseDiversity(small, { sampleSize: 200 }), 1);
  });

  test('a non-positive sample size is rejected', () => {
    assert.throws(() => responseDiversity(['a b'], { sampleSize: 0 }), RangeError);
  });
});
