import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  analyzeUnsolicited,
  type UnsolicitedResult,
} from '../../../src/analyses/unsolicited/analyze-unsolicited.ts';
import { simulate } from '../../../src/simulate/index.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';

/** The simulated run without its classification layer (a real run with outputs only). */
function* unclassified(sessions: number) {
  for (const r of simulate({ scenario: 'wild-7', seed: 7, sessions, run: 'bare' })) {
    yield r.type === 'session' ? { ...r, classification: null, category: null, flags: [] } : r;
  }
}

describe('analyzeUnsolicited on a simulated WILD-7 run', () => {
  let store: DuckDbStore;
  let byClassification: UnsolicitedResult;
  let byDetector: UnsolicitedResult;
  before(async () => {
    store = await DuckDbStore.open(':memory:');
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7 }), { name: 'simulate:wild-7' });
    await ingestRecords(store, unclassified(2000), { name: 'bare' });
    byClassification = await analyzeUnsolicited(store, 'wild-7');
    byDetector = await analyzeUnsolicited(store, 'wild-7', { source: 'detector' });
  });
  after(async () => store.close());

  test('the classification is the source when present, and the rate falls from 34 % to 0 % (±5 pp)', () => {
    assert.equal(byClassification.source, 'classification');
    const fl = byClassification.firstLast!;
    assert.ok(Math.abs(fl.first.rate - 0.34) <= 0.05, `first ${fl.first.rate}`);
    assert.ok(fl.last.rate <= 0.05, `last ${fl.last.rate}`);
    assert.ok(fl.first.ci95!.lower < fl.first.rate && fl.first.rate < fl.first.ci95!.upper);
    assert.deepEqual(byClassification.missing, []);
  });

  test('per-category rates add up to the unsolicited rate in every window', () => {
    assert.deepEqual(byClassification.categories, ['2', '3', '4', '5']);
    for (const w of byClassification.windows) {
      assert.equal(
        w.categories.reduce((a, c) => a + c.count, 0),
        w.count,
        w.label,
      );
    }
  });

  test('the detector reaches precision and recall ≥ 0.9 against the ground truth', () => {
    const e = byClassification.evaluation!;
    assert.ok(e.precision! >= 0.9 && e.recall! >= 0.9, `precision ${e.precision}, recall ${e.recall}`);
    assert.deepEqual(byDetector.evaluation, e);
  });

  test('the detector alone finds nearly the classification rate in every window', () => {
    assert.equal(byDetector.source, 'detector');
    byDetector.windows.forEach((w, i) => {
      assert.ok(Math.abs(w.rate - byClassification.windows[i]!.rate) <= 0.05, w.label);
    });
    assert.ok(byDetector.categories.includes('self_reference'));
  });

  test('a run without classification falls back to the detector and says so', async () => {
    const r = await analyzeUnsolicited(store, 'bare', { window: { by: 'session', size: 1000 } });
    assert.equal(r.source, 'detector');
    assert.equal(r.windows.length, 2);
    assert.match(r.missing.join('\n'), /classification: the run has none; the detector 'builtin-v1' decides/);
    assert.ok(r.evaluation!.recall! >= 0.9);
  });
});
