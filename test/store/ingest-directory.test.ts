import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../src/model/errors.ts';
import { defaultImportRun } from '../../src/sources/importers/default-run.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { type IngestSummary, ingestFiles } from '../../src/store/ingest.ts';
import { ingestDirectory } from '../../src/store/ingest-directory.ts';
import type { Store } from '../../src/store/store.ts';
import { metricsRows, writeJsonl } from '../fixtures/importers/build.ts';
import {
  appendRankSteps,
  rankRow,
  writeTrlOutputDir,
  writeVerlStep,
} from '../fixtures/importers/trainer-dirs.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();
let n = 0;
const fresh = () => DuckDbStore.open(join(dir, `db-${++n}.duckdb`));

function reconciles(s: IngestSummary): void {
  assert.equal(s.read, s.accepted + s.rejected + s.duplicates, 'read = accepted + rejected + duplicates');
  for (const f of s.files) assert.equal(f.read, f.accepted + f.rejected + f.duplicates, f.file);
}

/** Every session of a run as [session, step, output, baseline reward], in session order. */
async function sessions(
  store: Store,
  run: string,
): Promise<[number, number | null, string, number | null][]> {
  const rows = await store.listSessions({ run, outputChars: 0 });
  return rows.map((r) => [r.session, r.step, r.outputStart, r.baselineReward]);
}

/** The sessions the merge rule promises, computed independently: rows sorted by (step, rank, line). */
function promised(layout: readonly { rank: number; steps: readonly number[]; perStep: number }[]) {
  const rows = layout.flatMap(({ rank, steps, perStep }) =>
    steps.flatMap((step) => Array.from({ length: perStep }, (_, i) => ({ rank, step, i }))),
  );
  rows.sort((a, b) => a.step - b.step || a.rank - b.rank || a.i - b.i);
  return rows.map(({ rank, step, i }, k) => {
    const r = rankRow(rank, step, i);
    return [k + 1, step, r.response, r.reward] as [number, number, string, number];
  });
}

describe('ingestDirectory: a trainer directory as one run, merged by step', () => {
  it('merges RLLoggingBoard rank files by step (rank, then line) and skips what it cannot read', async () => {
    const exp = join(dir, 'logs', 'exp-7');
    // rank 0 logs 2 samples a step, rank 1 logs 3, rank 10 logs 1 (10 after 1: ranks by number)
    appendRankSteps(exp, [1, 2, 3], [2, 3]);
    writeJsonl(
      join(exp, 'rollout_data_rank10.jsonl'),
      [1, 2, 3].map((step) => rankRow(10, step, 0)),
    );
    writeFileSync(join(exp, 'README.md'), '# notes\n');
    mkdirSync(join(exp, 'plots'));
    const store = await fresh();
    const detected: string[] = [];
    const s = await ingestDirectory(store, exp, { onDetect: (f, _k, m) => detected.push(`${f}: ${m}`) });
    reconciles(s);
    assert.deepEqual([s.run, s.read, s.accepted, s.rejected], ['exp-7', 18, 18, 0]);
    assert.deepEqual(
      s.files.map((f) => [f.file.split('/').pop(), f.format, f.read]),
      [
        ['rollout_data_rank0.jsonl', 'openrlhf', 6],
        ['rollout_data_rank1.jsonl', 'openrlhf', 9],
        ['rollout_data_rank10.jsonl', 'openrlhf', 3],
      ],
    );
    assert.deepEqual(
      s.skippedFiles.map((k) => [k.file.split('/').pop(), k.why]),
      [
        ['plots', 'a directory (ingest DIR reads the files of DIR and of its completions/)'],
        ['README.md', 'not a JSONL, CSV or Parquet file (use .jsonl, .csv or .parquet, optionally .gz)'],
      ],
    );
    assert.match(
      detected[1]!,
      /rank1\.jsonl: detected OpenRLHF .*merged by step with 2 other rollout files of run exp-7 \(rank 1, then line\)/,
    );
    const want = promised([
      { rank: 0, steps: [1, 2, 3], perStep: 2 },
      { rank: 1, steps: [1, 2, 3], perStep: 3 },
      { rank: 10, steps: [1, 2, 3], perStep: 1 },
    ]);
    assert.deepEqual(await sessions(store, 'exp-7'), want);
    // spot check one whole session: the first of rank 1 at step 2
    const d = await store.getSession({ run: 'exp-7', session: 9 });
    assert.deepEqual(
      [d?.step, d?.indexInStep, d?.prompt, d?.output, d?.baselineReward],
      [2, 2, 'Prompt 0 at step 2', 'rank 1 step 2 sample 0', 2.1],
    );
    // rank 1's first row of step 2 comes after rank 0's two: index 2 within the step
    assert.deepEqual(d?.meta, {
      ref_response: 'reference',
      ref_reward: 0,
      rewards: { reward: 2.1 },
      rlaudit_index_in_step: 2,
    });
    const again = await ingestDirectory(store, exp);
    assert.deepEqual([again.read, again.accepted, again.duplicates], [18, 0, 18]);
    await store.close();
  });

  it('appends the steps written since the last ingest, and a rank that caught up on the last step', async () => {
    const exp = join(dir, 'live', 'exp-live');
    appendRankSteps(exp, [1, 2], [2, 2]);
    // training goes on: rank 0 has already written step 3, rank 1 has not
    appendFileSync(
      join(exp, 'rollout_data_rank0.jsonl'),
      [0, 1].map((i) => `${JSON.stringify(rankRow(0, 3, i))}\n`).join(''),
    );
    const store = await fresh();
    const first = await ingestDirectory(store, exp, { run: 'live' });
    assert.deepEqual([first.run, first.accepted], ['live', 10]);
    appendFileSync(
      join(exp, 'rollout_data_rank1.jsonl'),
      [0, 1].map((i) => `${JSON.stringify(rankRow(1, 3, i))}\n`).join(''),
    );
    appendRankSteps(exp, [4], [2, 2]);
    const second = await ingestDirectory(store, exp, { run: 'live' });
    reconciles(second);
    assert.deepEqual([second.read, second.accepted, second.duplicates, second.rejected], [16, 6, 10, 0]);
    const want = promised([
      { rank: 0, steps: [1, 2, 3, 4], perStep: 2 },
      { rank: 1, steps: [1, 2, 3, 4], perStep: 2 },
    ]);
    assert.deepEqual(
      await sessions(store, 'live'),
      want,
      'the same sessions as one ingest of the whole directory',
    );
    await store.close();
  });

  it('reads verl step files in step order and the metrics file beside them into the directory’s run', async () => {
    const dump = join(dir, 'ppo-verl', 'rollout_data');
    for (const step of [10, 2, 1]) writeVerlStep(dump, step, 2);
    writeJsonl(join(dump, 'metrics.jsonl'), metricsRows());
    const store = await fresh();
    const s = await ingestDirectory(store, dump);
    reconciles(s);
    assert.equal(s.run, 'rollout_data');
    assert.deepEqual(
      s.files.map((f) => [f.file.split('/').pop(), f.format, f.accepted]),
      [
        ['1.jsonl', 'verl', 2],
        ['2.jsonl', 'verl', 2],
        ['10.jsonl', 'verl', 2],
        ['metrics.jsonl', 'step-metrics', 3],
      ],
    );
    assert.deepEqual(
      (await sessions(store, 'rollout_data')).map(([session, step, output]) => [session, step, output]),
      [
        [1, 1, 'verl step 1 row 0'],
        [2, 1, 'verl step 1 row 1'],
        [3, 2, 'verl step 2 row 0'],
        [4, 2, 'verl step 2 row 1'],
        [5, 10, 'verl step 10 row 0'],
        [6, 10, 'verl step 10 row 1'],
      ],
    );
    assert.ok((await store.listStepMetrics({ run: 'rollout_data' })).length > 0);
    await store.close();
  });

  it("reads TRL's completions/ of an output dir, named after the output dir", async () => {
    const out = await writeTrlOutputDir(join(dir, 'grpo-trl'), [1, 2]);
    const store = await fresh();
    const s = await ingestDirectory(store, out);
    reconciles(s);
    assert.deepEqual([s.run, s.read, s.accepted], ['grpo-trl', 6, 6]);
    assert.deepEqual(
      s.skippedFiles.map((k) => k.file.split('/').pop()),
      ['checkpoint-10', 'training_args.bin'],
    );
    const first = await store.getSession({ run: 'grpo-trl', session: 4 });
    assert.deepEqual(
      [first?.step, first?.prompt, first?.output, first?.baselineReward],
      [2, 'Solve 0.', 'trl step 2 completion 0', 1.5],
    );
    // the completions directory itself names the same run
    const again = await ingestDirectory(store, join(out, 'completions'));
    assert.deepEqual([again.run, again.duplicates], ['grpo-trl', 6]);
    await store.close();
  });

  it('puts a step file named alone in the run its trainer directory names, not in a run named completions or rollouts', async () => {
    const out = await writeTrlOutputDir(join(dir, 'grpo-one-by-one'), [1, 2]);
    const store = await fresh();
    const first = await ingestFiles(store, [join(out, 'completions', 'completions_00001.parquet')]);
    assert.deepEqual([first.runs, first.accepted], [['grpo-one-by-one'], 3]);
    const whole = await ingestDirectory(store, out);
    assert.deepEqual(
      [whole.run, whole.duplicates, whole.accepted],
      ['grpo-one-by-one', 3, 3],
      'the directory read whole finds the first step stored and adds the second',
    );
    assert.equal(defaultImportRun(join(dir, 'verl-7', 'rollouts', '12.jsonl')), 'verl-7');
    assert.equal(defaultImportRun(join(dir, 'verl-7', '12.jsonl')), 'verl-7');
    await store.close();
  });

  it('keeps nothing of the rollout files when one fails, since they are numbered together', async () => {
    const exp = join(dir, 'broken', 'exp-b');
    appendRankSteps(exp, [1, 2], [1, 1]);
    appendFileSync(join(exp, 'rollout_data_rank1.jsonl'), `${JSON.stringify(rankRow(1, 1, 5))}\n`);
    const store = await fresh();
    const s = await ingestDirectory(store, exp);
    assert.equal(s.accepted, 0);
    assert.match(s.errors[0]!, /rank1\.jsonl:3: step: step counter restarts at line 3 \(step 2 → 1\)/);
    assert.match(s.errors[0]!, /numbered together: nothing of them was kept/);
    assert.deepEqual(await store.listRuns(), []);
    await store.close();
  });

  it('merges rank files named in one `ingest FILE...` by step too, into the run of their directory', async () => {
    const exp = join(dir, 'named', 'exp-named');
    appendRankSteps(exp, [1, 2], [1, 2]);
    const store = await fresh();
    // given in the wrong order: ranks are taken by number
    const files = [join(exp, 'rollout_data_rank1.jsonl'), join(exp, 'rollout_data_rank0.jsonl')];
    const s = await ingestFiles(store, files);
    reconciles(s);
    assert.deepEqual([s.run, s.accepted, s.errors], ['exp-named', 6, []]);
    const want = promised([
      { rank: 0, steps: [1, 2], perStep: 1 },
      { rank: 1, steps: [1, 2], perStep: 2 },
    ]);
    assert.deepEqual(await sessions(store, 'exp-named'), want);
    await assert.rejects(
      ingestFiles(store, [exp]),
      /exp-named: a directory, not a file: .*ingestDirectory \(rlaudit ingest DIR\)/,
    );
    const whole = await ingestDirectory(store, exp);
    assert.deepEqual(
      [whole.run, whole.duplicates],
      ['exp-named', 6],
      'the directory gives the same sessions',
    );
    assert.equal(defaultImportRun(join(exp, 'rollout_data_rank0.jsonl')), 'exp-named');
    await store.close();
  });

  it('refuses a directory with no trainer log, saying what it skipped', async () => {
    const empty = join(dir, 'no-logs');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'hello');
    mkdirSync(join(empty, 'run-a'));
    const store = await fresh();
    await assert.rejects(ingestDirectory(store, empty), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(
        e.message,
        /no trainer log found in the directory .*skipped run-a \(a directory .*\); notes\.txt \(not a JSONL/,
      );
      assert.match(e.message, /a directory of runs\? ingest each run's directory: rlaudit ingest .*run-a$/);
      return true;
    });
    await store.close();
  });
});
