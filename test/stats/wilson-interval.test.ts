import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wilsonInterval } from '../../src/stats/wilson-interval.ts';

describe('wilsonInterval', () => {
  it("matches the public vector: 56/70 → (0.6918, 0.8770) at 95% (Newcombe 1998's method 3)", () => {
    const { lower, upper } = wilsonInterval(56, 70);
    assert.equal(lower.toFixed(4), '0.6918');
    assert.equal(upper.toFixed(4), '0.8770');
  });

  it('equals the closed form with z = 1.959963984540054', () => {
    const z = 1.959963984540054;
    const [x, n] = [48, 80];
    const c = (x + (z * z) / 2) / (n + z * z);
    const h = (z * Math.sqrt((x * (n - x)) / n + (z * z) / 4)) / (n + z * z);
    const w = wilsonInterval(x, n);
    assert.ok(Math.abs(w.lower - (c - h)) < 1e-14 && Math.abs(w.upper - (c + h)) < 1e-14);
  });

  it('stays inside [0, 1] at x = 0 and x = n and widens with the confidence level', () => {
    assert.equal(wilsonInterval(0, 10).lower, 0);
    assert.equal(wilsonInterval(10, 10).upper, 1);
    const w90 = wilsonInterval(5, 20, 0.9);
    const w99 = wilsonInterval(5, 20, 0.99);
    assert.ok(w99.lower < w90.lower && w99.upper > w90.upper);
  });

  it('rejects impossible counts and confidence levels', () => {
    assert.throws(() => wilsonInterval(3, 2), RangeError);
    assert.throws(() => wilsonInterval(0, 0), RangeError);
    assert.throws(() => wilsonInterval(1.5, 4), RangeError);
    assert.throws(() => wilsonInterval(1, 4, 1), RangeError);
  });
});
