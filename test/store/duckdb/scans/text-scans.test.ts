import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DuckDbStore } from '../../../../src/store/duckdb/duckdb-store.ts';
import { textWindowCountsScan, windowBatches } from '../../../../src/store/duckdb/scans/text-scans.ts';
import { ingestRecords } from '../../../../src/store/ingest.ts';
import { sessionRow } from '../../../util/records.ts';

describe('windowBatches', () => {
  test('groups consecutive windows up to the limit of sessions, never splitting one', () => {
    const sizes = [3, 2, 5, 1, 1, 4].map((n, w) => ({ w, n }));
    assert.deepEqual(windowBatches(sizes, 5), [
      [0, 1],
      [2, 2],
      [3, 4],
      [5, 5],
    ]);
  });

  test('a window larger than the limit is a batch alone, and gaps in the window numbers stay inside a batch', () => {
    const sizes = [
      { w: 2, n: 1 },
      { w: 7, n: 9 },
      { w: 8, n: 1 },
      { w: 11, n: 1 },
    ];
    assert.deepEqual(windowBatches(sizes, 4), [
      [2, 2],
      [7, 7],
      [8, 11],
    ]);
    assert.deepEqual(windowBatches([], 4), []);
  });
});

describe('textWindowCounts in batches', () => {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'beta alpha', ''];
  const rows = Array.from({ length: 37 }, (_, i) =>
    sessionRow(i + 1, {
      run: 'batches',
      output: `${words[i % 6]} ${words[(i * 5) % 6]} ${words[(i * 7) % 6]}`.trim(),
      step: i % 9 === 0 ? null : Math.floor(i / 4),
    }),
  );
  let store: DuckDbStore;
  before(async () => {
    store = await DuckDbStore.open(':memory:');
    await ingestRecords(store, rows, { name: 'batches' });
  });
  after(async () => store.close());

  for (const spec of [{ by: 'session', size: 4 }, { by: 'step' }] as const) {
    test(`statements of a few windows give the figures of one statement over all (${spec.by} windows)`, async () => {
      const whole = await textWindowCountsScan(store.client, 'batches', spec, 1_000_000);
      assert.ok(whole.length > 5);
      for (const limit of [1, 5, 9]) {
        assert.deepEqual(
          await textWindowCountsScan(store.client, 'batches', spec, limit),
          whole,
          `limit ${limit}`,
        );
      }
    });
  }
});
