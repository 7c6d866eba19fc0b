import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distinctN } from '../../src/stats/distinct-n.ts';
import { whitespaceTokenize } from '../../src/stats/tokenize.ts';

const ws = { tokenizer: whitespaceTokenize } as const;
const CORPUS = [
  'the cat sat on the mat',
  'mat the on sat cat the',
  'i do not know',
  'Sorry but i do not know',
];

describe('distinctN, per-output variant (neural-dialogue-metrics/Distinct-N)', () => {
  it('gives 0.2 for "the the the the the" at n=1 (public vector)', () => {
    assert.equal(distinctN(['the the the the the'], 1, { variant: 'per-output', ...ws }), 0.2);
  });

  it('gives 0.4 for "the the the the cat" at n=1 (public vector)', () => {
    assert.equal(distinctN(['the the the the cat'], 1, { variant: 'per-output', ...ws }), 0.4);
  });

  it('gives 0.8 for "the cat sat on the" at n=2, dividing by tokens not bigrams (public vector)', () => {
    assert.equal(distinctN(['the cat sat on the'], 2, { variant: 'per-output', ...ws }), 0.8);
  });

  it('averages over the four-sentence public corpus: 0.916666 at n=1 and 0.8125 at n=2', () => {
    assert.ok(Math.abs(distinctN(CORPUS, 1, { variant: 'per-output', ...ws }) - 0.916666) < 1e-5);
    assert.ok(Math.abs(distinctN(CORPUS, 2, { variant: 'per-output', ...ws }) - 0.8125) < 1e-5);
  });

  it('accepts already-tokenized input with the same result', () => {
    const lists = CORPUS.map(whitespaceTokenize);
    assert.equal(
      distinctN(lists, 2, { variant: 'per-output' }),
      distinctN(CORPUS, 2, { variant: 'per-output', ...ws }),
    );
  });

  it('counts an empty output as 0 and an empty corpus as 0', () => {
    assert.equal(distinctN(['a b', ''], 1, { variant: 'per-output' }), 0.5);
    assert.equal(distinctN([], 1, { variant: 'per-output' }), 0);
  });
});

describe('distinctN, pooled variant (Kirk et al. 2024, rlfh-gen-div)', () => {
  it('gives 1.0 for "the cat sat on the" at n=2 where the per-output variant gives 0.8', () => {
    assert.equal(distinctN(['the cat sat on the'], 2, ws), 1);
  });

  it('pools n-grams over outputs: the public corpus gives 11/22 unigrams and 15/18 bigrams', () => {
    // Tokens: 6 + 6 + 4 + 6 = 22; distinct: the cat sat on mat i do not know Sorry but = 11.
    assert.equal(distinctN(CORPUS, 1, ws), 11 / 22);
    // Bigrams: 5 + 5 + 3 + 5 = 18; "i do", "do not", "not know" repeat across the last two outputs.
    assert.equal(distinctN(CORPUS, 2, ws), 15 / 18);
  });

  it('does not form n-grams across output boundaries', () => {
    assert.equal(distinctN(['a b', 'c d'], 2, ws), 1);
    assert.equal(distinctN(['a', 'b'], 2, ws), 0);
  });

  it('uses the default tokenizer (lower-case) for texts, so case variants merge', () => {
    assert.equal(distinctN(['Sorry sorry SORRY'], 1), 1 / 3);
    assert.equal(distinctN(['Sorry sorry SORRY'], 1, ws), 1);
  });

  it('is 0 when there are no n-grams', () => {
    assert.equal(distinctN([], 1), 0);
    assert.equal(distinctN(['', '  '], 1), 0);
  });

  it('rejects a non-positive n-gram order', () => {
    assert.throws(() => distinctN(['a'], 0), RangeError);
  });
});
