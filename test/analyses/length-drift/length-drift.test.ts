import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzeLengthDrift } from '../../../src/analyses/length-drift/analyze-length-drift.ts';
import { assessLengthDrift } from '../../../src/analyses/length-drift/assess-length-drift.ts';
import { type LengthWindowInput, lengthDrift } from '../../../src/analyses/length-drift/length-drift.ts';
import { tokenize } from '../../../src/stats/tokenize.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import { sessionRow } from '../../util/records.ts';

const STEP = { by: 'step' } as const;
const ctx = { sectionId: 'outputs', run: 'r' };

/** Windows of 10 sessions whose mean length and mean reward follow the given series. */
function windows(lengths: readonly number[], rewards: readonly (number | null)[]): LengthWindowInput[] {
  return lengths.map((len, i) => ({
    index: i,
    from: i * 10 + 1,
    to: i * 10 + 10,
    sessions: 10,
    totalTokens: len * 10,
    meanReward: rewards[i] ?? null,
  }));
}

describe('lengthDrift', () => {
  it('reports a length hack when length and reward rise together', () => {
    const r = lengthDrift({
      spec: STEP,
      reward: 'baseline_reward',
      windows: windows([20, 22, 25, 31, 40, 48], [0.3, 0.35, 0.45, 0.6, 0.8, 0.9]),
      missing: [],
    });
    assert.equal(r.firstLast?.relativeLengthChange, (48 - 20) / 20);
    assert.ok(r.correlation && r.correlation.r > 0.95);
    const a = assessLengthDrift({ run: 'r', ...r }, {}, ctx);
    assert.equal(a.findings.length, 1);
    assert.equal(a.findings[0]!.severity, 'warning');
    assert.deepEqual(a.findings[0]!.tags, ['length-drift', 'length_hack']);
    assert.match(a.findings[0]!.claim, /20\.0 tokens in step 0 to 48\.0 in step 5 \(\+140\.0%\)/);
  });

  it('does not call a longer output a hack when the reward fell', () => {
    const r = lengthDrift({
      spec: STEP,
      reward: 'baseline_reward',
      windows: windows([20, 24, 30, 36, 40, 44], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]),
      missing: [],
    });
    const a = assessLengthDrift({ run: 'r', ...r }, {}, ctx);
    assert.equal(a.findings.length, 1);
    assert.equal(a.findings[0]!.severity, 'notice');
    assert.deepEqual(a.findings[0]!.tags, ['length-drift', 'length_drift']);
  });

  it('makes no finding when the length stays within the threshold', () => {
    const r = lengthDrift({
      spec: STEP,
      reward: 'baseline_reward',
      windows: windows([20, 21, 20, 22, 21, 22], [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]),
      missing: [],
    });
    assert.equal(assessLengthDrift({ run: 'r', ...r }, {}, ctx).findings.length, 0);
  });

  it('compares the first window with the last full one, not with a partial last window', () => {
    const w = windows([20, 20, 20, 20], [0.5, 0.5, 0.5, 0.5]);
    const partial = { ...w[3]!, index: 4, from: 41, to: 43, sessions: 3, totalTokens: 3 * 90 };
    const r = lengthDrift({
      spec: { by: 'session', size: 10 },
      reward: null,
      windows: [...w, partial],
      missing: [],
    });
    assert.equal(r.firstLast?.last.index, 3);
    assert.equal(r.firstLast?.relativeLengthChange, 0);
  });

  it('finds the level change of the length series', () => {
    const r = lengthDrift({
      spec: STEP,
      reward: null,
      windows: windows([20, 21, 19, 20, 21, 60, 61, 59, 60, 61], []),
      missing: [],
    });
    assert.deepEqual(
      r.changePoints.map((c) => c.index),
      [4],
    );
  });
});

describe('analyzeLengthDrift on a stored run', () => {
  let store: DuckDbStore;
  // 6 steps of 8 sessions: outputs grow by three words a step and the reward with them
  const rows = Array.from({ length: 48 }, (_, i) => {
    const step = Math.floor(i / 8);
    return sessionRow(i + 1, {
      run: 'len',
      step,
      output: `${'very '.repeat(3 * step)}good answer number ${i}`,
      baseline_reward: 0.2 + 0.1 * step,
      adjusted_reward: null,
      classification: null,
      category: null,
    });
  });
  before(async () => {
    store = await DuckDbStore.open(':memory:');
    await ingestRecords(store, rows, { name: 'len' });
  });
  after(() => store.close());

  it('counts tokens in the engine as the TypeScript tokenizer does, per step', async () => {
    const r = await analyzeLengthDrift(store, 'len', STEP);
    const expected = [0, 1, 2, 3, 4, 5].map(
      (s) => rows.filter((x) => x.step === s).reduce((a, x) => a + tokenize(String(x.output)).length, 0) / 8,
    );
    assert.deepEqual(
      r.windows.map((w) => w.meanTokens),
      expected,
    );
    assert.equal(r.reward, 'baseline_reward');
    assert.ok(r.missing.some((m) => /baseline reward/.test(m)));
    const a = assessLengthDrift(r, {}, { sectionId: 's', run: 'len' });
    assert.ok(a.findings[0]?.tags.includes('length_hack'));
  });
});
