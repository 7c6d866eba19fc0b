import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNSHARED_SCANS, withMemoizedScans } from '../../src/store/memo-scans.ts';
import type { Store } from '../../src/store/store.ts';

/** A store whose scans count their calls and answer with a fresh object each time. */
function countingStore() {
  const calls = { runLayers: 0, sampleOutputs: 0 };
  const scans = {
    runLayers: async (run: string) => {
      calls.runLayers++;
      return { run, sessions: 3 };
    },
    sampleOutputs: async (run: string) => {
      calls.sampleOutputs++;
      return [{ window: 0, rank: 0, session: 1, output: `${run} text` }];
    },
  };
  return { store: { scans } as unknown as Store, calls };
}

describe('withMemoizedScans', () => {
  it('runs a scan once for the same arguments and shares its result', async () => {
    const { store, calls } = countingStore();
    const shared = withMemoizedScans(store);
    const a = await shared.scans.runLayers('r');
    const b = await shared.scans.runLayers('r');
    assert.equal(calls.runLayers, 1);
    assert.equal(a, b);
    await shared.scans.runLayers('other');
    assert.equal(calls.runLayers, 2);
  });

  it('reads the diversity sample anew on every call, so no batch of outputs stays in memory', async () => {
    assert.ok(UNSHARED_SCANS.has('sampleOutputs'));
    const { store, calls } = countingStore();
    const shared = withMemoizedScans(store);
    const picks = [{ window: 0, ranks: [0] }];
    const a = await shared.scans.sampleOutputs('r', { by: 'session', size: 5 }, picks);
    const b = await shared.scans.sampleOutputs('r', { by: 'session', size: 5 }, picks);
    assert.equal(calls.sampleOutputs, 2);
    assert.notEqual(a, b);
    assert.deepEqual(a, b);
  });
});
