import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { twoProportionZ } from '../../src/stats/two-proportion-z.ts';

describe('twoProportionZ', () => {
  it('matches the public vector: 56/70 vs 48/80 → z = 2.6502, p = 0.008045', () => {
    const r = twoProportionZ(56, 70, 48, 80);
    assert.equal(r.z.toFixed(4), '2.6502');
    assert.equal(r.p.toFixed(6), '0.008045');
  });

  it("squares to Pearson's chi-square of the 2×2 table without continuity correction", () => {
    const [a, m, b, n] = [30, 50, 18, 60];
    const table = [
      [a, m - a],
      [b, n - b],
    ];
    const total = m + n;
    let chi2 = 0;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const row = table[i]![0]! + table[i]![1]!;
        const col = table[0]![j]! + table[1]![j]!;
        const e = (row * col) / total;
        chi2 += (table[i]![j]! - e) ** 2 / e;
      }
    }
    assert.ok(Math.abs(twoProportionZ(a, m, b, n).z ** 2 - chi2) < 1e-10);
  });

  it('is negative when the second proportion is larger, with the same p', () => {
    const r = twoProportionZ(48, 80, 56, 70);
    assert.ok(r.z < 0);
    assert.ok(Math.abs(r.p - twoProportionZ(56, 70, 48, 80).p) < 1e-15);
  });

  it('returns z = 0 and p = 1 when both proportions are 0 or both are 1', () => {
    assert.deepEqual(twoProportionZ(0, 5, 0, 7), { difference: 0, z: 0, p: 1 });
    assert.deepEqual(twoProportionZ(5, 5, 7, 7), { difference: 0, z: 0, p: 1 });
  });
});
