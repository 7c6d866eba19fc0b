import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firstLastFull } from '../../../src/analyses/shared/first-last.ts';

const w = (index: number, sessions: number, size = 500) => ({
  index,
  from: index * size + 1,
  to: index * size + sessions,
  sessions,
});

describe('firstLastFull', () => {
  test('compares the first with the last full window and sets the partial trailing window aside', () => {
    const windows = [w(0, 500), w(1, 500), w(2, 500), w(3, 347)];
    const p = firstLastFull({ by: 'session', size: 500 }, windows)!;
    assert.equal(p.first, windows[0]);
    assert.equal(p.last, windows[2]);
    assert.equal(p.equalSize, true);
    assert.equal(p.setAside, windows[3]);
  });

  test('sets nothing aside when the last window is full', () => {
    const windows = [w(0, 500), w(1, 500)];
    const p = firstLastFull({ by: 'session', size: 500 }, windows)!;
    assert.equal(p.last, windows[1]);
    assert.equal(p.setAside, null);
  });

  test('skips a partial first window too: both compared windows hold the window size', () => {
    const windows = [{ index: 0, from: 400, to: 500, sessions: 101 }, w(1, 500), w(2, 500)];
    const p = firstLastFull({ by: 'session', size: 500 }, windows)!;
    assert.equal(p.first, windows[1]);
    assert.equal(p.last, windows[2]);
  });

  test('says the windows are unequal when the run has fewer than two full windows', () => {
    const windows = [w(0, 500), w(1, 120)];
    const p = firstLastFull({ by: 'session', size: 500 }, windows)!;
    assert.equal(p.first, windows[0]);
    assert.equal(p.last, windows[1]);
    assert.equal(p.equalSize, false);
  });

  test('compares step windows as they are, and gives nothing without windows', () => {
    const steps = [w(0, 64), w(1, 60), w(2, 64)];
    const p = firstLastFull({ by: 'step' }, steps)!;
    assert.equal(p.first, steps[0]);
    assert.equal(p.last, steps[2]);
    assert.equal(p.equalSize, true);
    assert.equal(firstLastFull({ by: 'step' }, []), null);
  });
});
