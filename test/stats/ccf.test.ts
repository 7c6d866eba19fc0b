import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ccf, ccfBestLag } from '../../src/stats/ccf.ts';

describe('ccf', () => {
  it("matches R's ccf on the public vector at lags −2..2", () => {
    const x = [1, 3, 2, 5, 4, 6, 8, 7, 9, 10];
    const y = [2, 1, 4, 3, 6, 5, 7, 9, 8, 11];
    const r = ccf(x, y, 2);
    assert.deepEqual(
      r.map((p) => p.lag),
      [-2, -1, 0, 1, 2],
    );
    const expected = [0.301226, 0.75822, 0.85901, 0.61047, 0.415761];
    for (const [i, p] of r.entries()) assert.ok(Math.abs(p.r - expected[i]!) < 5e-7, `lag ${p.lag}: ${p.r}`);
  });

  it('puts the peak at a positive lag when y leads x (x[t] = y[t − 3])', () => {
    const y = [0, 4, 1, 7, 2, 9, 3, 3, 8, 1, 6, 0, 5, 2, 7, 4, 1, 9, 2, 6];
    const x = y.map((_, t) => (t >= 3 ? y[t - 3]! : 0));
    assert.equal(ccfBestLag(ccf(x, y, 5))?.lag, 3);
    assert.equal(ccfBestLag(ccf(y, x, 5))?.lag, -3);
  });

  it('equals the Pearson correlation at lag 0', () => {
    const x = [2, 7, 1, 8, 2, 8, 1, 8];
    const y = [3, 1, 4, 1, 5, 9, 2, 6];
    const mx = x.reduce((s, v) => s + v) / 8;
    const my = y.reduce((s, v) => s + v) / 8;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < 8; i++) {
      sxy += (x[i]! - mx) * (y[i]! - my);
      sxx += (x[i]! - mx) ** 2;
      syy += (y[i]! - my) ** 2;
    }
    assert.ok(Math.abs(ccf(x, y, 0)[0]!.r - sxy / Math.sqrt(sxx * syy)) < 1e-14);
  });

  it('rejects series of different lengths and lags beyond the series', () => {
    assert.throws(() => ccf([1, 2, 3], [1, 2], 1), RangeError);
    assert.throws(() => ccf([1, 2, 3], [1, 2, 3], 3), RangeError);
  });
});

describe('ccfBestLag', () => {
  it('picks the largest |r|, or the largest r with by: positive, ties to the smaller |lag|', () => {
    const pts = [
      { lag: -2, r: 0.5 },
      { lag: -1, r: -0.9 },
      { lag: 0, r: 0.2 },
      { lag: 1, r: 0.5 },
      { lag: 2, r: Number.NaN },
    ];
    assert.deepEqual(ccfBestLag(pts), { lag: -1, r: -0.9 });
    assert.deepEqual(ccfBestLag(pts, { by: 'positive' }), { lag: 1, r: 0.5 });
    assert.equal(ccfBestLag([]), undefined);
  });
});
