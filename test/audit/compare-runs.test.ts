import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyzeCompare, phaseLabel } from '../../src/audit/compare-runs.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import { sessionRow } from '../util/records.ts';

// 1,200 sessions in windows of 500: two full windows and a partial one of 200 whose reward differs.
const reward = (s: number) => (s <= 500 ? 0.5 : s <= 1000 ? 0.6 : 0.9);
let store: DuckDbStore;
before(async () => {
  store = await DuckDbStore.open(':memory:');
  const rows = Array.from({ length: 1200 }, (_, i) =>
    sessionRow(i + 1, { run: 'r', step: null, adjusted_reward: reward(i + 1) }),
  );
  await ingestRecords(store, rows, { name: 'r.jsonl' });
});
after(() => store.close());

describe('analyzeCompare', () => {
  test('compares the first with the last FULL window, setting the partial trailing window aside', async () => {
    const c = await analyzeCompare(store, ['r'], { window: { by: 'session', size: 500 } });
    const r = c.runs[0]!;
    assert.equal(r.windows, 3);
    assert.ok(Math.abs(r.reward.first! - 0.5) < 1e-9, `first ${r.reward.first}`);
    assert.ok(Math.abs(r.reward.last! - 0.6) < 1e-9, `last ${r.reward.last} (the partial window reads 0.9)`);
    assert.equal(r.firstWindow, 'sessions 1–500');
    assert.equal(r.lastWindow, 'sessions 501–1000');
  });
});

describe('compare: phases in the windows unit', () => {
  const windows = [
    { index: 0, from: 1, to: 64 },
    { index: 10, from: 65, to: 128 },
    { index: 20, from: 129, to: 192 },
  ];

  test('names a phase by the steps of the windows holding its first and last session', () => {
    assert.equal(
      phaseLabel({ by: 'step' }, windows, { name: 'noise', from: 1, to: 128 }),
      'noise steps 0–10',
    );
    assert.equal(
      phaseLabel({ by: 'step' }, windows, { name: 'convergence', from: 129, to: 192 }),
      'convergence step 20',
    );
  });

  test('names a phase by sessions when the windows are sessions', () => {
    assert.equal(
      phaseLabel({ by: 'session', size: 64 }, windows, { name: 'noise', from: 1, to: 128 }),
      'noise sessions 1–128',
    );
  });
});
