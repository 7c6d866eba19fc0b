import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  behaviourPredicate,
  countBehaviourBins,
  parseMetric,
  targetBehaviour,
} from '../../../src/analyses/interventions/intervention-behaviour.ts';
import {
  logitTrendProjection,
  trendProjection,
} from '../../../src/analyses/interventions/intervention-projection.ts';
import { horizonFor, parseHorizons } from '../../../src/analyses/shared/event-window.ts';
import { defaultNeweyWestLag } from '../../../src/stats/segmented-regression.ts';

/** Newey–West covariance of OLS (1, t) written out independently: sums over all (s, t) pairs with |s−t| ≤ L. */
function bruteForceLineVariance(y: readonly number[], tBar: number): { a: number; b: number; v: number } {
  const n = y.length;
  const ts = y.map((_, t) => t);
  const mt = ts.reduce((s, t) => s + t, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  const sxx = ts.reduce((s, t) => s + (t - mt) ** 2, 0);
  const b = ts.reduce((s, t) => s + (t - mt) * (y[t]! - my), 0) / sxx;
  const a = my - b * mt;
  const e = y.map((v, t) => v - a - b * t);
  // influence of each point on a + b·tBar: c_t = 1/n + (tBar − mt)(t − mt)/sxx
  const c = ts.map((t) => 1 / n + ((tBar - mt) * (t - mt)) / sxx);
  const L = defaultNeweyWestLag(n);
  let v = 0;
  for (let s = 0; s < n; s++)
    for (let t = 0; t < n; t++) {
      const l = Math.abs(s - t);
      if (l <= L) v += (1 - l / (L + 1)) * c[s]! * c[t]! * e[s]! * e[t]!;
    }
  return { a, b, v };
}

describe('trendProjection', () => {
  test('an exact line projects exactly, with zero SE', () => {
    const p = trendProjection([0.1, 0.2, 0.3, 0.4], [1, 1], 0.5);
    assert.ok(Math.abs(p.projected - 0.55) < 1e-12);
    assert.ok(Math.abs(p.effect - -0.05) < 1e-12);
    assert.ok(p.se < 1e-9);
  });

  test('the line part of the SE equals an independent Newey–West computation', () => {
    const y = Array.from({ length: 20 }, (_, t) => 0.3 - 0.003 * t + 0.02 * Math.sin(t * 1.7));
    const p = trendProjection(y, [50, 50, 50], 0.2);
    const bf = bruteForceLineVariance(y, 21);
    assert.ok(Math.abs(p.intercept - bf.a) < 1e-12 && Math.abs(p.slope - bf.b) < 1e-12);
    // residual part: long-run variance / K, computed here from the same residuals
    const e = y.map((v, t) => v - bf.a - bf.b * t);
    const L = defaultNeweyWestLag(20);
    let lr = 0;
    for (let l = -L; l <= L; l++) {
      let g = 0;
      for (let t = Math.abs(l); t < 20; t++) g += e[t]! * e[t - Math.abs(l)]!;
      lr += (1 - Math.abs(l) / (L + 1)) * (g / 20);
    }
    assert.ok(Math.abs(p.se ** 2 - (bf.v + lr / 3)) < 1e-12);
  });

  test('the logit projection follows geometric growth that the linear one misses', () => {
    const pre = [1, 2, 4, 8].map((h) => ({ hits: h, sessions: 100 }));
    const logit = logitTrendProjection(pre, [100], 0);
    assert.ok(Math.abs(logit.projected - 16 / (100 + 16 - (16 / 100) * 16)) < 0.02, `${logit.projected}`);
    assert.ok(logit.projected > trendProjection([0.01, 0.02, 0.04, 0.08], [100], 0).projected);
  });

  test('fewer than 3 pre bins is an error', () => {
    assert.throws(() => trendProjection([0.1, 0.2], [1], 0), RangeError);
  });
});

describe('behaviours of event targets', () => {
  test('category, phrase, regex and global targets map to behaviours; global uses the named metric', () => {
    assert.deepEqual(targetBehaviour({ category: 2 }), { kind: 'category', category: '2' });
    assert.deepEqual(targetBehaviour({ phrase: 'x y' }), { kind: 'phrase', phrase: 'x y' });
    assert.deepEqual(targetBehaviour({ global: true }), { kind: 'non_compliant' });
    assert.deepEqual(targetBehaviour({ global: true }, parseMetric('category:3')!), {
      kind: 'category',
      category: '3',
    });
    assert.equal(targetBehaviour({ other: 1 }), null);
    assert.equal(parseMetric('mean_reward'), null);
  });

  test('the TypeScript predicate matches phrases as whole words after normalisation and categories loosely', () => {
    const phrase = behaviourPredicate({ kind: 'phrase', phrase: "I don't want" });
    assert.equal(phrase({ session: 1, output: 'Well, I  don\u2019t WANT.' }), true);
    assert.equal(phrase({ session: 1, output: "I don't wanted" }), false);
    const cat = behaviourPredicate({ kind: 'category', category: '3' });
    assert.equal(cat({ session: 1, output: '', category: 'category_3' }), true);
    assert.equal(cat({ session: 1, output: '', category: 33 }), false);
  });

  test('bins are aligned at the anchor: bin 0 starts right after it', () => {
    const sessions = Array.from({ length: 30 }, (_, i) => ({
      session: i + 1,
      output: '',
      category: i % 2 ? 2 : null,
    }));
    const b = countBehaviourBins(sessions, {
      target: { kind: 'category', category: '2' },
      anchor: 12,
      binSize: 5,
      from: 3,
      to: 22,
    });
    assert.deepEqual(
      b.map((x) => [x.bin, x.from, x.to, x.sessions, x.hits]),
      [
        [-2, 3, 7, 5, 2],
        [-1, 8, 12, 5, 3],
        [0, 13, 17, 5, 2],
        [1, 18, 22, 5, 3],
      ],
    );
  });
});

describe('horizons', () => {
  test('per-event horizons are keyed by session or id, with a default', () => {
    const spec = parseHorizons('2500:500,4200:400,e-3:300', 500);
    assert.equal(horizonFor(spec, { id: 'e-1', session: 2500 }), 500);
    assert.equal(horizonFor(spec, { id: 'e-2', session: 4200 }), 400);
    assert.equal(horizonFor(spec, { id: 'e-3', session: 4833 }), 300);
    assert.equal(horizonFor(parseHorizons('250', 500), { id: 'e-9', session: 1 }), 250);
    assert.throws(() => parseHorizons('2500:0', 500), RangeError);
    assert.throws(() => parseHorizons('x', 500), RangeError);
  });
});
