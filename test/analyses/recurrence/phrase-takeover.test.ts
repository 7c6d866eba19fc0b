import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { phraseTakeover } from '../../../src/analyses/recurrence/phrase-takeover.ts';

const w = (step: number, hits: number, sessions = 64) => ({
  index: step,
  from: (step / 10) * 64 + 1,
  to: (step / 10 + 1) * 64,
  sessions,
  hits,
});

describe('phraseTakeover', () => {
  test('first majority, the window from which it held, and the peak', () => {
    const t = phraseTakeover('absolutely', [w(30, 29), w(0, 0), w(10, 11), w(20, 40), w(40, 50), w(50, 64)]);
    assert.deepEqual(
      t.windows.map((x) => x.index),
      [0, 10, 20, 30, 40, 50],
    );
    assert.equal(t.firstMajority, 20);
    assert.equal(t.heldFrom, 40);
    assert.deepEqual(t.peak, { index: 50, share: 1 });
    assert.equal(t.windows[2]!.share, 40 / 64);
  });
  test('exactly half is not a majority; a phrase that falls back at the end never held', () => {
    const t = phraseTakeover('x', [w(0, 32), w(10, 40), w(20, 10)]);
    assert.equal(t.firstMajority, 10);
    assert.equal(t.heldFrom, null);
  });
  test('no majority at all, empty windows, and another majority', () => {
    const t = phraseTakeover('x', [w(0, 0, 0), w(10, 20), w(20, 30)]);
    assert.equal(t.firstMajority, null);
    assert.equal(t.heldFrom, null);
    assert.equal(t.windows[0]!.share, 0);
    assert.equal(phraseTakeover('x', [w(0, 20), w(10, 30)], 0.4).heldFrom, 10);
    assert.equal(phraseTakeover('x', []).peak, null);
  });
});
