import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { erf, erfc, normalCdf, normalQuantile } from '../../src/stats/normal-distribution.ts';

const rel = (a: number, b: number, tol: number) =>
  assert.ok(
    Math.abs(a - b) <= tol * Math.abs(b),
    `${a} vs ${b} (relative error ${Math.abs(a - b) / Math.abs(b)})`,
  );

describe('erf and erfc', () => {
  it('match reference values to ~1e-14 relative', () => {
    rel(erf(1), 0.8427007929497149, 1e-14);
    rel(erf(0.5), 0.5204998778130465, 1e-14);
    rel(erfc(3), 2.209049699858544e-5, 1e-14);
    rel(erfc(0.5), 0.4795001221869535, 1e-14);
    rel(erfc(5), 1.5374597944280349e-12, 1e-13);
    rel(erfc(-1), 1.8427007929497148, 1e-14);
    assert.equal(erf(0), 0);
    assert.equal(erf(-1), -erf(1));
  });
});

describe('normalCdf', () => {
  it("matches R's pnorm at reference points, including the tails", () => {
    rel(normalCdf(-1.959963984540054), 0.025, 1e-14);
    rel(normalCdf(-1), 0.15865525393145705, 1e-14);
    rel(normalCdf(1), 0.8413447460685429, 1e-14);
    rel(normalCdf(-5), 2.866515718791939e-7, 1e-13);
    rel(normalCdf(-10), 7.619853024160527e-24, 1e-12);
    assert.equal(normalCdf(0), 0.5);
  });
});

describe('normalQuantile', () => {
  it("matches R's qnorm: qnorm(0.975) = 1.959963984540054", () => {
    rel(normalQuantile(0.975), 1.959963984540054, 1e-14);
    rel(normalQuantile(0.025), -1.959963984540054, 1e-14);
  });

  it("matches R's qnorm in the tails", () => {
    rel(normalQuantile(1e-10), -6.361340902404056, 1e-14);
    rel(normalQuantile(1e-300), -37.0470962993612, 1e-13);
    rel(normalQuantile(0.999999), 4.753424308817087, 1e-13);
    rel(normalQuantile(0.1), -1.2815515655446004, 1e-14);
  });

  it('inverts normalCdf and handles the ends of [0, 1]', () => {
    for (const p of [1e-6, 0.01, 0.2, 0.49, 0.51, 0.8, 0.99]) rel(normalCdf(normalQuantile(p)), p, 1e-13);
    assert.equal(normalQuantile(0.5), 0);
    assert.equal(normalQuantile(0), Number.NEGATIVE_INFINITY);
    assert.equal(normalQuantile(1), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(normalQuantile(1.5)));
  });
});
