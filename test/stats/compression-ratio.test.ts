import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressionRatio, compressionRatioAsync } from '../../src/stats/compression-ratio.ts';

const word = (i: number) => 'abcdefghij'[i % 10]!.repeat((i % 5) + 1);
const VARIED = Array.from(
  { length: 40 },
  (_, i) => `Sentence number ${i} says something about topic ${(i * 7) % 13} with words ${word(i)}`,
);

describe('compressionRatio', () => {
  it("is within 2% of Python's gzip.compress(level 9) ratio on a 2.5 kB corpus (7.5843)", () => {
    // Python 3.11: len(s) = 2518, len(gzip.compress(s, compresslevel=9)) = 332 for ' '.join(VARIED).
    const r = compressionRatio(VARIED);
    assert.ok(Math.abs(r / (2518 / 332) - 1) < 0.02, `ratio ${r}`);
  });

  it('joins outputs with one space and counts UTF-8 bytes', () => {
    const texts = ['café', 'naïve'];
    const raw = Buffer.from('café naïve', 'utf8');
    assert.equal(compressionRatio(texts), raw.length / gzipSync(raw, { level: 9 }).length);
    assert.equal(gunzipSync(gzipSync(raw, { level: 9 })).toString('utf8'), texts.join(' '));
  });

  it('is larger for a repetitive corpus than for a varied one', () => {
    assert.ok(compressionRatio(Array(40).fill(VARIED[0]!)) > 3 * compressionRatio(VARIED));
  });

  it('is 0 for an empty corpus', async () => {
    assert.equal(compressionRatio([]), 0);
    assert.equal(compressionRatio(['']), 0);
    assert.equal(await compressionRatioAsync([]), 0);
  });

  it('gives the same ratio when compressed on the thread pool', async () => {
    for (const corpus of [VARIED, Array(40).fill(VARIED[0]!), ['café', 'naïve', '日本語']]) {
      assert.equal(await compressionRatioAsync(corpus), compressionRatio(corpus));
    }
  });
});
