import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { phaseLabel } from '../../src/audit/compare-runs.ts';

describe('compare: phases in the windows unit', () => {
  const windows = [
    { index: 0, from: 1, to: 64 },
    { index: 10, from: 65, to: 128 },
    { index: 20, from: 129, to: 192 },
  ];

  it('names a phase by the steps of the windows holding its first and last session', () => {
    assert.equal(
      phaseLabel({ by: 'step' }, windows, { name: 'noise', from: 1, to: 128 }),
      'noise steps 0–10',
    );
    assert.equal(
      phaseLabel({ by: 'step' }, windows, { name: 'convergence', from: 129, to: 192 }),
      'convergence step 20',
    );
  });

  it('names a phase by sessions when the windows are sessions', () => {
    assert.equal(
      phaseLabel({ by: 'session', size: 64 }, windows, { name: 'noise', from: 1, to: 128 }),
      'noise sessions 1–128',
    );
  });
});
