import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfBleu } from '../../src/stats/self-bleu.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

/** NLTK sentence_bleu with method1 smoothing, written out naively as an independent check. */
function naiveSentenceBleu(
  hyp: readonly string[],
  refs: readonly (readonly string[])[],
  maxN: number,
): number {
  const grams = (t: readonly string[], n: number) => {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= t.length; i++) {
      const k = JSON.stringify(t.slice(i, i + n));
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const p: [number, number][] = [];
  for (let n = 1; n <= maxN; n++) {
    const h = grams(hyp, n);
    let num = 0;
    let den = 0;
    for (const [k, c] of h) {
      num += Math.min(c, Math.max(0, ...refs.map((r) => grams(r, n).get(k) ?? 0)));
      den += c;
    }
    p.push([num, Math.max(1, den)]);
  }
  if (p[0]![0] === 0) return 0;
  const c = hyp.length;
  const r = [...refs.map((x) => x.length)].sort((a, b) => Math.abs(a - c) - Math.abs(b - c) || a - b)[0]!;
  const bp = c > r ? 1 : Math.exp(1 - r / c);
  return bp * Math.exp(p.reduce((s, [num, den]) => s + Math.log((num === 0 ? 0.1 : num) / den) / maxN, 0));
}

describe('selfBleu', () => {
  it('matches a hand computation with method1 smoothing on three outputs (maxN = 2)', () => {
    // the cat sat: √(2/3 · 1/2); the cat ran: √(1 · 1/2); a dog ran: √(1/3 · 0.1/2); mean of the three.
    const expected = (Math.sqrt(1 / 3) + Math.sqrt(0.5) + Math.sqrt((1 / 3) * 0.05)) / 3;
    close(selfBleu(['the cat sat', 'the cat ran', 'a dog ran'], { maxN: 2 }).selfBleu, expected);
    close(expected, 0.471186, 1e-6);
  });

  it('applies the brevity penalty with the closest reference length', () => {
    // "the cat" vs a 6-token reference: BP = e^(1−6/2); the long one scores √(2/6 · 1/5) with BP 1.
    const expected = (Math.exp(-2) + Math.sqrt(1 / 15)) / 2;
    close(selfBleu(['the cat', 'the cat sat on the mat'], { maxN: 2 }).selfBleu, expected);
  });

  it('is 0 for an output with no unigram in common with the others, whatever the smoothing', () => {
    assert.equal(selfBleu(['a b', 'c d']).selfBleu, 0);
  });

  it('is 1 for identical outputs and NaN for fewer than two', () => {
    close(selfBleu(Array(5).fill('the same four words')).selfBleu, 1);
    assert.ok(Number.isNaN(selfBleu(['only one']).selfBleu));
  });

  it('equals a naive NLTK-style computation on a varied corpus', () => {
    const texts = [
      'the model says it is happy to help',
      'i am happy to help with that request',
      'as an ai model i cannot help',
      'the answer is forty two',
      'happy to help the answer is two',
      'sorry i cannot do that',
      'the the the model model',
    ];
    const lists = texts.map((t) => t.split(' '));
    for (const maxN of [1, 2, 3, 4]) {
      const naive = lists.map((h, i) =>
        naiveSentenceBleu(
          h,
          lists.filter((_, j) => j !== i),
          maxN,
        ),
      );
      close(selfBleu(texts, { maxN }).selfBleu, naive.reduce((s, v) => s + v, 0) / naive.length, 1e-12);
    }
  });

  it('scores a seeded sample: same seed same sample, reported size min(sampleSize, outputs)', () => {
    const texts = Array.from(
      { length: 60 },
      (_, i) => `output ${i % 7} says ${i % 3} things about ${i % 11}`,
    );
    const a = selfBleu(texts, { sampleSize: 10, seed: 7 });
    const b = selfBleu(texts, { sampleSize: 10, seed: 7 });
    const c = selfBleu(texts, { sampleSize: 10, seed: 8 });
    assert.equal(a.selfBleu, b.selfBleu);
    assert.notEqual(a.selfBleu, c.selfBleu);
    assert.deepEqual([a.sampleSize, a.seed, a.maxN], [10, 7, 3]);
    assert.equal(selfBleu(texts.slice(0, 4), { sampleSize: 10 }).sampleSize, 4);
  });
});
