import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invertMatrix, multiplyMatrices } from '../../src/stats/linear-algebra.ts';

describe('invertMatrix', () => {
  it('inverts a matrix that needs row pivoting, so that A·A⁻¹ = I', () => {
    const a = [
      [0, 2, 1, 0],
      [1, 0, 0, 3],
      [4, 1, 0, 0],
      [0, 0, 5, 1],
    ];
    const product = multiplyMatrices(a, invertMatrix(a));
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) assert.ok(Math.abs(product[i]![j]! - (i === j ? 1 : 0)) < 1e-12);
  });

  it('rejects a singular matrix', () => {
    assert.throws(
      () =>
        invertMatrix([
          [1, 2],
          [2, 4],
        ]),
      RangeError,
    );
  });
});
