import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../src/stats/prng.ts';
import { defaultNeweyWestLag, segmentedRegression } from '../../src/stats/segmented-regression.ts';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** A noisy series with autocorrelated (AR(1)) errors around a known segmented line. */
function noisySeries(n: number, t0: number, seed: number): number[] {
  const rand = mulberry32(seed);
  let e = 0;
  return Array.from({ length: n }, (_, t) => {
    e = 0.5 * e + (rand() - 0.5);
    const post = t >= t0 ? 1 : 0;
    return 2 + 0.3 * t + 4 * post - 0.5 * (t - t0) * post + e;
  });
}

/**
 * Independent route: the segmented model is two free lines, so OLS = a simple regression on each side. Each
 * coefficient is then a linear combination Σ c_t y_t, whose HAC variance is Σ_t Σ_s c_t c_s e_t e_s k(|t−s|).
 */
function twoLineFit(series: readonly number[], t0: number, lag: number) {
  const line = (ts: number[]) => {
    const ys = ts.map((t) => series[t]!);
    const tm = ts.reduce((s, t) => s + t, 0) / ts.length;
    const ym = ys.reduce((s, y) => s + y, 0) / ys.length;
    const sxx = ts.reduce((s, t) => s + (t - tm) ** 2, 0);
    const b = ts.reduce((s, t, i) => s + (t - tm) * (ys[i]! - ym), 0) / sxx;
    const a = ym - b * tm;
    // Weights of the fitted value at c and of the slope, as functions of t.
    const valueAt = (c: number) => (t: number) => 1 / ts.length + ((c - tm) * (t - tm)) / sxx;
    const slope = (t: number) => (t - tm) / sxx;
    return { a, b, valueAt, slope };
  };
  const pre = Array.from({ length: t0 }, (_, t) => t);
  const post = Array.from({ length: series.length - t0 }, (_, i) => t0 + i);
  const L = line(pre);
  const R = line(post);
  const resid = series.map((y, t) => y - (t < t0 ? L.a + L.b * t : R.a + R.b * t));
  const levelW = series.map((_, t) => (t < t0 ? -L.valueAt(t0)(t) : R.valueAt(t0)(t)));
  const slopeW = series.map((_, t) => (t < t0 ? -L.slope(t) : R.slope(t)));
  const hacSe = (w: readonly number[]) => {
    let v = 0;
    for (let t = 0; t < series.length; t++) {
      for (let s = 0; s < series.length; s++) {
        const l = Math.abs(t - s);
        if (l <= lag) v += w[t]! * w[s]! * resid[t]! * resid[s]! * (1 - l / (lag + 1));
      }
    }
    return Math.sqrt(v);
  };
  return {
    beta0: L.a,
    beta1: L.b,
    beta2: R.a + R.b * t0 - (L.a + L.b * t0),
    beta3: R.b - L.b,
    seLevel: hacSe(levelW),
    seSlope: hacSe(slopeW),
  };
}

describe('segmentedRegression', () => {
  it('recovers the coefficients exactly from a noiseless segmented line, slope term centred at t0', () => {
    const t0 = 6;
    const y = Array.from({ length: 14 }, (_, t) => 2 + 0.5 * t + (t >= t0 ? 3 - 0.2 * (t - t0) : 0));
    const r = segmentedRegression(y, t0);
    close(r.intercept.estimate, 2, 1e-10);
    close(r.preSlope.estimate, 0.5, 1e-11);
    close(r.levelChange.estimate, 3, 1e-10);
    close(r.slopeChange.estimate, -0.2, 1e-11);
    assert.ok(r.levelChange.se < 1e-9);
  });

  it('equals two separate line fits, the level change measured at t0', () => {
    const y = noisySeries(60, 25, 11);
    const r = segmentedRegression(y, 25);
    const ref = twoLineFit(y, 25, 0);
    close(r.intercept.estimate, ref.beta0, 1e-10);
    close(r.preSlope.estimate, ref.beta1, 1e-12);
    close(r.levelChange.estimate, ref.beta2, 1e-10);
    close(r.slopeChange.estimate, ref.beta3, 1e-12);
  });

  it("gives White's HC0 standard errors with Newey–West lag 0", () => {
    const y = noisySeries(40, 18, 5);
    const r = segmentedRegression(y, 18, { maxLag: 0 });
    const ref = twoLineFit(y, 18, 0);
    close(r.levelChange.se, ref.seLevel, 1e-12);
    close(r.slopeChange.se, ref.seSlope, 1e-12);
  });

  it('gives Bartlett-weighted Newey–West standard errors at lag 3, which differ from HC0', () => {
    const y = noisySeries(80, 40, 9);
    const r = segmentedRegression(y, 40, { maxLag: 3 });
    const ref = twoLineFit(y, 40, 3);
    close(r.levelChange.se, ref.seLevel, 1e-12);
    close(r.slopeChange.se, ref.seSlope, 1e-12);
    assert.equal(r.lag, 3);
    const hc0 = segmentedRegression(y, 40, { maxLag: 0 });
    assert.ok(Math.abs(r.levelChange.se - hc0.levelChange.se) > 1e-4);
  });

  it('uses lag floor(4·(n/100)^(2/9)) by default', () => {
    assert.equal(defaultNeweyWestLag(100), 4);
    assert.equal(defaultNeweyWestLag(50), 3);
    assert.equal(defaultNeweyWestLag(1000), 6);
    const y = noisySeries(50, 20, 3);
    const r = segmentedRegression(y, 20);
    assert.equal(r.lag, 3);
    close(r.slopeChange.se, twoLineFit(y, 20, 3).seSlope, 1e-12);
  });

  it('reports t = estimate/se, a two-sided normal p-value and a 95% interval', () => {
    const r = segmentedRegression(noisySeries(50, 20, 4), 20).levelChange;
    close(r.t, r.estimate / r.se, 1e-12);
    close(r.ci95[0], r.estimate - 1.959963984540054 * r.se, 1e-12);
    close(r.ci95[1], r.estimate + 1.959963984540054 * r.se, 1e-12);
    assert.ok(r.p > 0 && r.p < 1);
    const flat = segmentedRegression(
      Array.from({ length: 30 }, (_, t) => Math.sin(t * 1.7)),
      15,
    ).levelChange;
    assert.ok(flat.p > r.p);
  });

  it('needs two points on each side of the intervention', () => {
    assert.throws(() => segmentedRegression([1, 2, 3, 4, 5], 1), RangeError);
    assert.throws(() => segmentedRegression([1, 2, 3, 4, 5], 4), RangeError);
    assert.doesNotThrow(() => segmentedRegression([1, 2, 4, 3], 2));
    assert.throws(() => segmentedRegression([1, 2, Number.NaN, 4, 5], 2), RangeError);
  });
});
