import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EAD_DEFAULT_VOCAB_SIZE, ead, eadMean } from '../../src/stats/ead.ts';

describe('ead', () => {
  it('divides distinct n-grams by the expected distinct count V·(1 − ((V−1)/V)^C)', () => {
    // 3 distinct of 4 unigrams, V = 4: 3 / (4·(1 − 0.75⁴)) = 3 / 2.734375.
    assert.ok(
      Math.abs(
        ead(
          [
            ['a', 'b'],
            ['a', 'c'],
          ],
          1,
          { vocabSize: 4 },
        ) -
          3 / 2.734375,
      ) < 1e-12,
    );
  });

  it('uses V = 50257 by default and is close to distinct/total when C ≪ V', () => {
    assert.equal(EAD_DEFAULT_VOCAB_SIZE, 50257);
    const v = 50257;
    const expected = 5 / (v * (1 - ((v - 1) / v) ** 6));
    assert.ok(Math.abs(ead(['the cat sat on the mat'], 1) / expected - 1) < 1e-9);
    assert.ok(Math.abs(ead(['the cat sat on the mat'], 1) - 5 / 6) < 1e-3);
  });

  it('is not clamped: it exceeds 1 when C is large relative to V and all n-grams differ', () => {
    assert.ok(ead([['a', 'b', 'c', 'd']], 1, { vocabSize: 4 }) > 1);
  });

  it('is 0 without n-grams and rejects a vocabulary size ≤ 1', () => {
    assert.equal(ead(['a'], 2), 0);
    assert.throws(() => ead(['a'], 1, { vocabSize: 1 }), RangeError);
  });
});

describe('eadMean', () => {
  it('averages ead over n = 1..5 by default', () => {
    const texts = ['the cat sat on the mat today', 'the dog sat on the mat'];
    let sum = 0;
    for (let n = 1; n <= 5; n++) sum += ead(texts, n);
    assert.ok(Math.abs(eadMean(texts) - sum / 5) < 1e-15);
    assert.ok(Math.abs(eadMean(texts, { maxN: 2 }) - (ead(texts, 1) + ead(texts, 2)) / 2) < 1e-15);
  });
});
