import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/model/errors.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { type IngestSummary, ingestFiles } from '../../../src/store/ingest.ts';
import { metricsRows, trlRows, writeJsonl } from '../../fixtures/importers/build.ts';
import { tempDir } from '../../util/tmp.ts';

const dir = tempDir();
let n = 0;
const fresh = () => DuckDbStore.open(join(dir, `db-${++n}.duckdb`));

function reconciles(s: IngestSummary): void {
  assert.equal(s.read, s.accepted + s.rejected + s.duplicates, 'read = accepted + rejected + duplicates');
}

// steps 10, 20, then the counter restarts at 10: a resumed run appended to the same log
const restarted = () => writeJsonl(join(dir, `restarted-${++n}.jsonl`), trlRows([10, 20, 10]));

describe('step counter restarts', () => {
  it('are an error by default, naming the line, and nothing of the file is kept', async () => {
    const store = await fresh();
    const s = await ingestFiles(store, [restarted()], { run: 'r' });
    assert.equal(s.accepted, 0);
    assert.match(s.errors[0]!, /:9: step: step counter restarts at line 9 \(step 20 → 10\)/);
    assert.match(s.errors[0]!, /--on-restart split .*continue .*or error/);
    assert.deepEqual(await store.listRuns(), []);
    await store.close();
  });

  it('--on-restart split starts a new run at the restart, with its own session numbers', async () => {
    const store = await fresh();
    const warnings: string[] = [];
    const s = await ingestFiles(store, [restarted()], {
      run: 'r',
      onRestart: 'split',
      onWarning: (_f, m) => warnings.push(m),
    });
    reconciles(s);
    assert.deepEqual(s.runs, ['r', 'r-part2']);
    assert.match(warnings[0]!, /restarts at line 9 \(step 20 → 10\): rows from here go to run r-part2/);
    assert.deepEqual(s.files[0]!.warnings, warnings);
    const runs = await store.listRuns();
    assert.deepEqual(
      runs.map((r) => [r.run, r.sessions, r.firstSession, r.lastSession]),
      [
        ['r', 8, 1, 8],
        ['r-part2', 4, 1, 4],
      ],
    );
    // idempotent: the same command again finds duplicates only
    const again = await ingestFiles(store, [s.files[0]!.file], { run: 'r', onRestart: 'split' });
    assert.deepEqual([again.accepted, again.duplicates], [0, 12]);
    await store.close();
  });

  it('--on-restart continue keeps one run and reports it', async () => {
    const store = await fresh();
    const warnings: string[] = [];
    const s = await ingestFiles(store, [restarted()], {
      run: 'r',
      onRestart: 'continue',
      onWarning: (_f, m) => warnings.push(m),
    });
    assert.deepEqual([s.runs, s.accepted], [['r'], 12]);
    assert.match(warnings[0]!, /kept in run r, sessions keep counting/);
    await store.close();
  });
});

describe('per-step metrics', () => {
  it('are detected, stored long (run, step, name, value), listed, and re-ingested as duplicates', async () => {
    const store = await fresh();
    const file = writeJsonl(join(dir, 'metrics.jsonl'), metricsRows());
    const detected: string[] = [];
    const s = await ingestFiles(store, [file], { run: 'm', onDetect: (_f, _k, m) => detected.push(m) });
    reconciles(s);
    assert.deepEqual([s.files[0]!.format, s.accepted], ['step-metrics', 3]);
    assert.match(
      detected[0]!,
      /detected per-step metrics \(column step and numeric columns eval_reward, train_reward/,
    );
    assert.deepEqual(await store.listStepMetrics({ run: 'm', names: ['train_reward', 'eval.distinct_2'] }), [
      { step: 1, name: 'eval.distinct_2', value: 0.99 },
      { step: 1, name: 'train_reward', value: 0.6 },
      { step: 2, name: 'train_reward', value: 0.7 },
    ]);
    assert.equal((await store.listStepMetrics({ run: 'm' })).length, 6, 'null values are not stored');
    const again = await ingestFiles(store, [file], { run: 'm' });
    assert.deepEqual([again.read, again.duplicates], [3, 3]);
    await store.close();
  });

  it('reject bad lines, report a changed value as a conflict, and keep the stored copy', async () => {
    const store = await fresh();
    const file = writeJsonl(join(dir, 'metrics-bad.jsonl'), [
      { step: 1, kl: 0.1 },
      { step: -1, kl: 0.2 },
      { step: 2, kl: 'high' },
      { step: 3 },
    ]);
    const s = await ingestFiles(store, [file], { run: 'm', format: 'step-metrics' });
    reconciles(s);
    assert.deepEqual([s.accepted, s.rejected], [1, 3]);
    const rejects = await store.listRejects({ run: 'm' });
    assert.deepEqual(
      rejects.map((r) => [r.line, r.field]),
      [
        [2, 'step'],
        [3, 'kl'],
        [4, '(row)'],
      ],
    );
    const changed = writeJsonl(join(dir, 'metrics-changed.jsonl'), [{ step: 1, kl: 0.5 }]);
    const c = await ingestFiles(store, [changed], { run: 'm' });
    assert.deepEqual([c.rejected, c.conflicts], [1, 1]);
    assert.deepEqual(await store.listStepMetrics({ run: 'm' }), [{ step: 1, name: 'kl', value: 0.1 }]);
    await store.close();
  });

  it('--strict stops at a bad metrics line and writes nothing', async () => {
    const store = await fresh();
    const file = writeJsonl(join(dir, 'metrics-strict.jsonl'), [
      { step: 1, kl: 0.1 },
      { step: 'x', kl: 1 },
    ]);
    await assert.rejects(
      ingestFiles(store, [file], { run: 'm', strict: true }),
      (e: unknown) =>
        e instanceof InputError && /:2: step: expected a non-negative integer step/.test(e.message),
    );
    assert.deepEqual(await store.listStepMetrics({ run: 'm' }), []);
    await store.close();
  });
});
