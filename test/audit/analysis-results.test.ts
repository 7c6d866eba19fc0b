import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ANALYSES } from '../../src/analyses/registry.ts';
import { AnalysisResults } from '../../src/audit/analysis-results.ts';
import { parseResult, stringifyResult } from '../../src/audit/result-json.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import { sessionRow } from '../util/records.ts';

const WINDOW = { by: 'session', size: 50 } as const;
const rows = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => sessionRow(from + i, { run: 'c' }));

describe('AnalysisResults and the result cache', () => {
  let store: DuckDbStore;
  before(async () => {
    store = await DuckDbStore.open(':memory:');
    await ingestRecords(store, rows(1, 200), { name: 'first' });
  });
  after(() => store.close());

  it('computes once per audit and reads the result back in a later one while the run is unchanged', async () => {
    const convergence = ANALYSES.convergence;
    const first = await new AnalysisResults(store, 'c', WINDOW).get(convergence, {});
    let scans = 0;
    const counting = new Proxy(store, {
      get: (t, p) =>
        p === 'scans'
          ? new Proxy(t.scans, {
              get: (s, m) => {
                const f = Reflect.get(s, m);
                if (typeof f !== 'function') return f;
                return (...a: unknown[]) => {
                  scans++;
                  return f.apply(s, a);
                };
              },
            })
          : Reflect.get(t, p, t),
    }) as DuckDbStore;
    const again = await new AnalysisResults(counting, 'c', WINDOW).get(convergence, {});
    assert.equal(scans, 0, 'the second audit scanned the run');
    assert.deepEqual(again, first);
  });

  it('recomputes after an ingest into the run changes its content', async () => {
    const before = await new AnalysisResults(store, 'c', WINDOW).get(ANALYSES.convergence, {});
    const fp = await store.results.fingerprint('c');
    await ingestRecords(store, rows(201, 260), { name: 'more' });
    assert.notEqual(await store.results.fingerprint('c'), fp);
    const afterIngest = await new AnalysisResults(store, 'c', WINDOW).get(ANALYSES.convergence, {});
    assert.equal(before.windows.length, 4);
    assert.equal(afterIngest.windows.length, 6);
  });

  it('keeps the fingerprint when a re-ingest adds nothing', async () => {
    const fp = await store.results.fingerprint('c');
    await ingestRecords(store, rows(201, 260), { name: 'more' });
    assert.equal(await store.results.fingerprint('c'), fp);
  });

  it('neither reads nor writes the cache when told not to', async () => {
    await store.results.clear('c');
    await new AnalysisResults(store, 'c', WINDOW, { cache: false }).get(ANALYSES.convergence, {});
    const key = await store.results.fingerprint('c');
    const n = await store.client.query({
      sql: 'SELECT count(*)::INT AS n FROM analysis_cache WHERE run = $run AND fingerprint = $fp',
      params: { run: 'c', fp: key },
    });
    assert.deepEqual(n, [{ n: 0 }]);
  });
});

describe('result JSON', () => {
  it('round-trips NaN and infinities, which plain JSON turns into null', () => {
    const value = { a: Number.NaN, b: [Number.POSITIVE_INFINITY, -Infinity, 1.5], c: null, d: 'NaN' };
    assert.deepEqual(parseResult(stringifyResult(value)), value);
  });
});
