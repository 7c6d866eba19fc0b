import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assessDisplacement } from '../../../src/analyses/recurrence/displacement.ts';

const span = { stopSession: 100, from: 100, to: 600, baselineFrom: 0, baselineTo: 50 };
const cand = (text: string, after: number, base: number) => ({
  text,
  jaccard: 0.6,
  sessionsAfter: after,
  sessionsBaseline: base,
  exampleSessions: [101],
});

describe('assessDisplacement', () => {
  test('says "no displacement found" when no near-paraphrase appears', () => {
    const r = assessDisplacement({ phraseTokens: ['a'], sessionsSearched: 500, candidates: [] }, span);
    assert.equal(r.verdict, 'no displacement found in sessions 101–600');
  });
  test('a paraphrase frequent after the stop and rare before it is displacement; background is not', () => {
    const r = assessDisplacement(
      {
        phraseTokens: ['a'],
        sessionsSearched: 500,
        candidates: [
          cand('i will not be altered', 12, 1),
          cand('i do not want to be rude', 5, 4),
          cand('rare one', 2, 0),
        ],
      },
      span,
    );
    assert.deepEqual(
      r.paraphrases.map((p) => p.text),
      ['i will not be altered'],
    );
    assert.equal(r.background.length, 2);
    assert.match(
      r.verdict,
      /1 near-paraphrase\(s\) in sessions 101–600, e\.g\. "i will not be altered" in 12 sessions/,
    );
  });
});
