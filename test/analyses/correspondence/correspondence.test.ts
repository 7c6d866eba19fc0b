import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { correspondence } from '../../../src/analyses/correspondence/correspondence.ts';

describe('correspondence', () => {
  it("reproduces R's ccf public vector on levels", () => {
    const r = correspondence({
      reward: { name: 'x', values: [1, 3, 2, 5, 4, 6, 8, 7, 9, 10] },
      behaviours: [{ name: 'y', values: [2, 1, 4, 3, 6, 5, 7, 9, 8, 11] }],
      maxLag: 2,
    });
    const got = r.behaviours[0]!.levels.points.map((p) => Number(p.r.toFixed(6)));
    assert.deepEqual(got, [0.301226, 0.75822, 0.85901, 0.61047, 0.415761]);
    assert.deepEqual(r.behaviours[0]!.levels.best, r.behaviours[0]!.levels.points[2]);
  });

  it('finds a behaviour that follows the reward by two windows at lag −2', () => {
    const reward = [0, 0, 1, 0, 0, 2, 0, 1, 0, 0, 3, 0, 0, 1, 0, 2, 0, 0];
    const behaviour = [0, 0, ...reward.slice(0, -2)]; // behaviour[t] = reward[t − 2]
    const r = correspondence({
      reward: { name: 'r', values: reward },
      behaviours: [{ name: 'b', values: behaviour }],
    });
    assert.equal(r.behaviours[0]!.levels.best!.lag, -2);
    assert.ok(r.behaviours[0]!.levels.best!.r > 0.9);
  });

  it('separates a shared trend (high on levels) from co-movement (first differences)', () => {
    const n = 30;
    const reward = Array.from({ length: n }, (_, i) => i / n + (i % 2 ? 0.05 : -0.05));
    const behaviour = Array.from({ length: n }, (_, i) => 1 - i / n + (i % 3 === 0 ? 0.05 : 0));
    const [b] = correspondence({
      reward: { name: 'r', values: reward },
      behaviours: [{ name: 'b', values: behaviour }],
    }).behaviours;
    assert.ok(b!.levels.atLag0 < -0.9, `levels ${b!.levels.atLag0}`);
    assert.ok(Math.abs(b!.differences!.atLag0) < 0.5, `differences ${b!.differences!.atLag0}`);
  });

  it('uses the longest common stretch of windows and says when a series is missing or constant', () => {
    const r = correspondence({
      reward: { name: 'reward', values: [null, 0.1, 0.2, 0.4, 0.3, 0.5, null] },
      behaviours: [
        { name: 'vocabulary', values: [900, 800, 700, 500, 600, 400, 300] },
        { name: 'unsolicited rate', values: [null, null, null, null, null, null, null] },
        { name: 'flat', values: [1, 1, 1, 1, 1, 1, 1] },
      ],
    });
    assert.deepEqual(r.behaviours[0]!.windows, { first: 1, last: 5, n: 5 });
    assert.equal(r.missing.length, 2);
    assert.match(r.missing[0]!, /unsolicited rate: fewer than 4 windows/);
    assert.match(r.missing[1]!, /flat: flat is constant/);
  });
});
