import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sampleStatistics } from '../../../src/analyses/diversity/diversity.ts';
import { inlineScorer, threadScorer } from '../../../src/analyses/diversity/sample-scoring.ts';

/** Window samples of different sizes and repetitiveness, some empty or of one output. */
const samples: string[][] = Array.from({ length: 9 }, (_, w) =>
  Array.from({ length: w === 0 ? 0 : w === 1 ? 1 : 20 * w }, (_, i) =>
    `Output ${i % (w + 2)} of window ${w}: the answer is ${(i * 7919) % (50 + w)}, étude 日本語 don't`.repeat(
      1 + (i % 3),
    ),
  ),
);

describe('threadScorer', () => {
  test('each sample gets the statistics sampleStatistics gives it on this thread, whatever thread scored it', async () => {
    const scorer = threadScorer(2);
    try {
      const got = await Promise.all(samples.map((s, w) => scorer.score(s, 3, 50, w % 2 === 0)));
      assert.deepEqual(
        got,
        samples.map((s, w) => sampleStatistics(s, 3, 50, w % 2 === 0)),
      );
    } finally {
      await scorer.close();
    }
  });

  test('a closed scorer refuses further samples', async () => {
    const scorer = threadScorer(1);
    await scorer.score(samples[2]!, 1, 100, true);
    await scorer.close();
    await assert.rejects(scorer.score(samples[2]!, 1, 100, true), /closed/);
  });

  test('refuses a thread count that is not a positive integer', () => {
    assert.throws(() => threadScorer(0), RangeError);
    assert.throws(() => threadScorer(1.5), RangeError);
  });
});

describe('inlineScorer', () => {
  test('gives the statistics of sampleStatistics', async () => {
    const scorer = inlineScorer();
    assert.deepEqual(
      await scorer.score(samples[3]!, 1, 100, true),
      sampleStatistics(samples[3]!, 1, 100, true),
    );
    await scorer.close();
  });
});
