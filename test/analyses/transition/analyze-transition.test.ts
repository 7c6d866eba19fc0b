import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyzeTransition } from '../../../src/analyses/transition/analyze-transition.ts';
import { computeTransition } from '../../../src/analyses/transition/transition.ts';
import type { SessionRecord } from '../../../src/model/schema.ts';
import { simulate } from '../../../src/simulate/simulate.ts';
import { TARGET_PHRASE } from '../../../src/simulate/text-generator.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import { phaseRows } from './phase-rows.ts';

const options = { scenario: 'wild-7' as const, seed: 3, sessions: 1500, deployment: 600, run: 'dep' };
let store: DuckDbStore;

before(async () => {
  store = await DuckDbStore.open(':memory:');
  await ingestRecords(store, simulate(options), { name: 'sim', strict: true });
  await ingestRecords(store, simulate({ ...options, deployment: 0, run: 'train-only' }), {
    name: 'sim2',
    strict: true,
  });
});
after(() => store.close());

describe('transition over a stored run', () => {
  test('the engine-side counts give the same comparisons, courses and gaps as an independent count in TypeScript', async () => {
    const r = await analyzeTransition(store, 'dep', {
      window: 500,
      phrases: [TARGET_PHRASE],
      sampleSize: 200,
    });
    const sessions = [...simulate(options)].filter((x): x is SessionRecord => x.type === 'session');
    const expected = computeTransition({
      window: 500,
      phrases: [TARGET_PHRASE],
      ...phaseRows(sessions, 500, [TARGET_PHRASE]),
    });
    assert.deepEqual(r.finalWindow, expected.finalWindow);
    assert.deepEqual(r.orderBreaks, []);
    const [p] = r.phases;
    const [q] = expected.phases;
    assert.equal(p!.phase, 'deployment');
    assert.deepEqual(p!.contexts, q!.contexts);
    assert.deepEqual(p!.gaps, q!.gaps);
    assert.deepEqual(p!.courses, q!.courses);
    const close = (a: number | null, b: number | null) => (a === null ? b === null : Math.abs(a - b!) < 1e-9);
    const nonSample = (m: { kind: string }) => m.kind !== 'sample';
    const ms = p!.metrics.filter(nonSample);
    const es = q!.metrics.filter(nonSample);
    assert.deepEqual(
      ms.map((m) => m.metric),
      es.map((m) => m.metric),
    );
    for (const [m, e] of ms.map((m, i) => [m, es[i]!] as const))
      for (const k of ['final', 'later', 'difference', 'lower', 'upper'] as const)
        assert.ok(close(m[k], e[k]), `${m.metric}.${k}: ${m[k]} vs ${e[k]}`);
    // vocabulary and response diversity: on 200 outputs per side, seeded
    assert.deepEqual(
      p!.metrics.filter((m) => m.kind === 'sample').map((m) => [m.metric, m.finalN, m.laterN]),
      [
        ['vocabulary', 200, 200],
        ['response_diversity', 200, 200],
      ],
    );
    assert.equal(r.windows.at(-1)!.phase, 'deployment');
  });

  test('takes session numbers up to 2^53 − 1 (the output sample order stays within BIGINT)', async () => {
    const top = Number.MAX_SAFE_INTEGER;
    const rows = Array.from({ length: 8 }, (_, i) => ({
      type: 'session',
      run: 'big',
      session: top - 7 + i,
      output: `output number ${i}`,
      classification: i % 2 ? 'non_compliant' : 'compliant',
      category: i % 2 ? 3 : null,
      ...(i >= 4 ? { phase: 'deployment' } : {}),
    }));
    await ingestRecords(store, rows, { name: 'big', strict: true });
    const r = await analyzeTransition(store, 'big', { window: 4, phrases: [], sampleSize: 4 });
    assert.equal(r.phases[0]?.phase, 'deployment');
    assert.equal(r.phases[0]?.to, top);
  });

  test('a run without sessions after training scans nothing more and says so', async () => {
    const r = await analyzeTransition(store, 'train-only', { window: 500, phrases: [], sampleSize: 200 });
    assert.deepEqual(r.phases, []);
    assert.deepEqual(r.missing, ['no sessions after training']);
  });

  test('the training scans of a run with deployment sessions equal those of the run without them', async () => {
    for (const scan of ['runLayers'] as const) {
      const { run: _a, ...a } = await store.scans[scan]('dep');
      const { run: _b, ...b } = await store.scans[scan]('train-only');
      assert.deepEqual(a, b);
    }
    const window = { by: 'session', size: 500 } as const;
    assert.deepEqual(
      await store.scans.textWindowCounts('dep', window),
      await store.scans.textWindowCounts('train-only', window),
    );
    assert.deepEqual(
      await store.scans.classificationWindowCounts('dep', window),
      await store.scans.classificationWindowCounts('train-only', window),
    );
  });
});
