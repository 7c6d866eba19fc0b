import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newcombeInterval } from '../../src/stats/newcombe-interval.ts';
import { wilsonInterval } from '../../src/stats/wilson-interval.ts';

describe('newcombeInterval', () => {
  it("matches Newcombe's published 56/70 vs 48/80 vector: 0.2 (0.0524, 0.3339)", () => {
    const r = newcombeInterval(56, 70, 48, 80);
    assert.ok(Math.abs(r.difference - 0.2) < 1e-12);
    assert.equal(r.lower.toFixed(4), '0.0524');
    assert.equal(r.upper.toFixed(4), '0.3339');
  });

  it("reproduces the method-10 column of Newcombe 1998's Table II, including zero and full counts", () => {
    const rows: readonly (readonly [number, number, number, number, string, string])[] = [
      [9, 10, 3, 10, '0.1705', '0.8090'],
      [6, 7, 2, 7, '0.0582', '0.8062'],
      [5, 56, 0, 29, '-0.0381', '0.1926'],
      [0, 10, 0, 20, '-0.1611', '0.2775'],
      [0, 10, 0, 10, '-0.2775', '0.2775'],
      [10, 10, 0, 20, '0.6791', '1.0000'],
      [10, 10, 0, 10, '0.6075', '1.0000'],
    ];
    for (const [a, m, b, n, lo, hi] of rows) {
      const r = newcombeInterval(a, m, b, n);
      assert.deepEqual([r.lower.toFixed(4), r.upper.toFixed(4)], [lo, hi], `${a}/${m} vs ${b}/${n}`);
    }
  });

  it('combines the two Wilson intervals by the square-and-add rule', () => {
    const [a, m, b, n] = [9, 10, 3, 10];
    const w1 = wilsonInterval(a, m);
    const w2 = wilsonInterval(b, n);
    const d = a / m - b / n;
    const r = newcombeInterval(a, m, b, n);
    assert.ok(Math.abs(r.lower - (d - Math.sqrt((a / m - w1.lower) ** 2 + (w2.upper - b / n) ** 2))) < 1e-14);
    assert.ok(Math.abs(r.upper - (d + Math.sqrt((w1.upper - a / m) ** 2 + (b / n - w2.lower) ** 2))) < 1e-14);
  });

  it('is antisymmetric: swapping the groups negates and swaps the bounds', () => {
    const r = newcombeInterval(56, 70, 48, 80);
    const s = newcombeInterval(48, 80, 56, 70);
    assert.ok(Math.abs(r.lower + s.upper) < 1e-14 && Math.abs(r.upper + s.lower) < 1e-14);
  });

  it('stays within [−1, 1] at the extremes', () => {
    const r = newcombeInterval(10, 10, 0, 10);
    assert.ok(r.lower > 0 && r.upper <= 1);
  });
});
