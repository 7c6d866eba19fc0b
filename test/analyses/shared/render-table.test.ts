import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTable } from '../../../src/analyses/shared/render-table.ts';

describe('renderTable', () => {
  it('prints integers as they are and other numbers with three decimals, right-aligned', () => {
    const lines = renderTable(
      ['step', 'reward'],
      [
        [1, 0.30368],
        [10, 12.5],
      ],
    ).split('\n');
    assert.deepEqual(lines, ['step  reward', '----  ------', '   1   0.304', '  10  12.500']);
  });

  it('keeps a small non-zero value visible instead of printing 0.000 (a learning rate of 1e-6)', () => {
    const lines = renderTable(
      ['step', 'lr'],
      [
        [1, 1e-6],
        [2, -0.00002],
        [3, 0],
        [4, 0.0005],
      ],
    ).split('\n');
    assert.deepEqual(lines.slice(2), ['   1   1.0e-6', '   2  -2.0e-5', '   3        0', '   4    0.001']);
  });

  it('shows control characters of text cells as visible marks, one line per row', () => {
    const lines = renderTable(['output'], [['a\nb\u001b[2J']]).split('\n');
    assert.equal(lines[2], 'a⏎b�[2J');
  });
});
