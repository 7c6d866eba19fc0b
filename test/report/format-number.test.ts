import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNumber } from '../../src/report/format-number.ts';

describe('formatNumber', () => {
  it('prints integers with thousands separators and usual values with three decimals', () => {
    assert.deepEqual([12847, 0.30368, -6.3, 123.456].map(formatNumber), [
      '12,847',
      '0.304',
      '-6.300',
      '123.5',
    ]);
  });

  it('keeps small non-zero values visible instead of printing 0.000', () => {
    assert.deepEqual([6.1e-9, -0.00002].map(formatNumber), ['6.1e-9', '-2.0e-5']);
  });
});
