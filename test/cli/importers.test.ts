import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  inspectMixedSample,
  inspectSample,
  metricsRows,
  pythonJson,
  trlRows,
  writeEvalArchive,
  writeJsonl,
} from '../fixtures/importers/build.ts';
import { appendRankSteps, writeVerlStep } from '../fixtures/importers/trainer-dirs.ts';
import { runCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();

describe('rlaudit ingest with importers', () => {
  it('detects a TRL-style log and its metrics, prints the importer per file, and reconciles', () => {
    const runDir = join(dir, 'grpo-a');
    mkdirSync(runDir);
    const samples = writeJsonl(
      join(runDir, 'samples.jsonl'),
      trlRows([0, 10]).map(({ prompt, ...r }) => ({ ...r, opening: prompt })),
    );
    const metrics = writeJsonl(join(runDir, 'metrics.jsonl'), metricsRows());
    const db = join(dir, 'a.duckdb');
    const r = runCli(['--db', db, 'ingest', samples, metrics, '--map', 'prompt=opening']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /samples\.jsonl: trl: detected TRL-style GRPO completions \(columns step, completion/,
    );
    assert.match(r.stdout, /--map prompt←opening/);
    assert.match(r.stdout, /metrics\.jsonl: step-metrics: detected per-step metrics/);
    assert.match(r.stdout, /run grpo-a: read 11 = accepted 11 \+ rejected 0 \+ duplicates 0/);
    const j = runCli(['--db', db, 'ingest', samples, metrics, '--map', 'prompt=opening', '--json']);
    assert.equal(j.code, 0, j.stderr);
    const summary = JSON.parse(j.stdout);
    assert.deepEqual([summary.read, summary.duplicates], [11, 11]);
    assert.deepEqual(
      summary.files.map((f: { format: string }) => f.format),
      ['step-metrics', 'trl'],
    );
    assert.match(j.stderr, /samples\.jsonl: trl: detected/, 'with --json the detection goes to stderr');
  });

  it('answers an unknown --map target, a wrong --format and a step restart with exit code 2', () => {
    const file = writeJsonl(join(dir, 'restart.jsonl'), trlRows([5, 1]));
    const db = join(dir, 'b.duckdb');
    const bad = runCli(['--db', db, 'ingest', file, '--map', 'answer=completion']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown target 'answer'; valid targets: run, session, step/);
    const fmt = runCli(['--db', db, 'ingest', file, '--format', 'trll']);
    assert.equal(fmt.code, 2);
    assert.match(fmt.stderr, /Allowed choices are jsonl, csv, parquet, trl, verl/);
    const restart = runCli(['--db', db, 'ingest', file, '--run', 'x']);
    assert.equal(restart.code, 2);
    assert.match(restart.stderr, /restart\.jsonl:5: step: step counter restarts at line 5 \(step 5 → 1\)/);
    const split = runCli(['--db', db, 'ingest', file, '--run', 'x', '--on-restart', 'split']);
    assert.equal(split.code, 0, split.stderr);
    assert.match(split.stderr, /warning: .*restart\.jsonl: step counter restarts at line 5 .* run x-part2/);
    assert.match(split.stdout, /runs x, x-part2: read 8 = accepted 8/);
  });

  it('ingests a zstd Inspect .eval with mixed content and NaN scores, and refuses a .eval that is no zip', async () => {
    const nan = {
      entry: 'samples/3_epoch_1.json',
      text: pythonJson({ ...inspectSample(3, 1), scores: { match: { value: '__NaN__' } } }),
    };
    const file = await writeEvalArchive(dir, 'vision.eval', {
      method: 93,
      samples: [inspectMixedSample(2), inspectSample(1, 1), nan],
    });
    const db = join(dir, 'c.duckdb');
    const r = runCli(['--db', db, 'ingest', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /vision\.eval: inspect: detected Inspect \.eval archive of model mockllm\/model/);
    assert.match(r.stdout, /run vision: read 4 = accepted 4 \+ rejected 0 \+ duplicates 0/);
    assert.match(
      r.stderr,
      /warning: .*vision\.eval: 1 bare NaN\/Infinity value read as null .*scores\.match\.value \(NaN\) in sample 3 \(samples\/3_epoch_1\.json\)/,
    );
    const runs = runCli(['--db', db, 'runs', '--json']);
    assert.deepEqual(
      JSON.parse(runs.stdout).map((x: { run: string; model: string; sessions: number }) => [
        x.run,
        x.model,
        x.sessions,
      ]),
      [['vision', 'mockllm/model', 3]],
    );
    const notZip = join(dir, 'notzip.eval');
    writeFileSync(notZip, 'hello');
    const bad = runCli(['--db', db, 'ingest', notZip]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /notzip\.eval: not a zip archive: an Inspect \.eval log is a zip archive \(expected its first bytes to be PK\\x03\\x04, got "hello"\)/,
    );
  });

  it('appends verl step files ingested one command at a time, and reads a rank-file directory whole', () => {
    const dump = join(dir, 'verl-dump');
    const db = join(dir, 'steps.duckdb');
    const counts: [number, number, number][] = [];
    for (const step of [1, 2, 3]) {
      const file = writeVerlStep(dump, step, 4);
      const r = runCli(['--db', db, 'ingest', file, '--run', 'ppo']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /sessions identified by \(step, index within step in file order\)/);
      assert.match(r.stdout, /run ppo: read 4 = accepted 4 \+ rejected 0 \+ duplicates 0/);
      const runs = JSON.parse(runCli(['--db', db, 'runs', '--json']).stdout);
      counts.push([runs[0].sessions, runs[0].firstSession, runs[0].lastSession]);
    }
    assert.deepEqual(counts, [
      [4, 1, 4],
      [8, 1, 8],
      [12, 1, 12],
    ]);
    const again = runCli(['--db', db, 'ingest', join(dump, '2.jsonl'), '--run', 'ppo']);
    assert.match(again.stdout, /run ppo: read 4 = accepted 0 \+ rejected 0 \+ duplicates 4/);
    const shown = runCli(['--db', db, 'show', '--run', 'ppo', '--step', '3', '--index', '1']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /verl step 3 row 1/);
    assert.match(shown.stdout, /session 10\b/);
    const late = runCli(['--db', db, 'ingest', writeVerlStep(join(dir, 'late'), 0, 2), '--run', 'ppo']);
    assert.equal(late.code, 2);
    assert.match(
      late.stderr,
      /0\.jsonl:1: step: step 0, older than the last step stored in run ppo \(step 3\)/,
    );

    const exp = join(dir, 'rllb', 'exp-1');
    appendRankSteps(exp, [1, 2], [2, 1]);
    writeFileSync(join(exp, 'notes.txt'), 'not a log');
    const d = runCli(['--db', db, 'ingest', exp]);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /notes\.txt: skipped: not a JSONL, CSV or Parquet file/);
    assert.match(d.stdout, /rank1\.jsonl: openrlhf: .*merged by step .*\(rank 1, then line\)/);
    assert.match(d.stdout, /run exp-1: read 6 = accepted 6 \+ rejected 0 \+ duplicates 0/);
    const list = runCli(['--db', db, 'sessions', '--run', 'exp-1', '--json']);
    const rows = JSON.parse(list.stdout) as { session: number; step: number; outputStart: string }[];
    assert.deepEqual(
      rows.map((r) => [r.session, r.step, r.outputStart]),
      [
        [1, 1, 'rank 0 step 1 sample 0'],
        [2, 1, 'rank 0 step 1 sample 1'],
        [3, 1, 'rank 1 step 1 sample 0'],
        [4, 2, 'rank 0 step 2 sample 0'],
        [5, 2, 'rank 0 step 2 sample 1'],
        [6, 2, 'rank 1 step 2 sample 0'],
      ],
    );
    const j = runCli(['--db', db, 'ingest', exp, '--json']);
    const summary = JSON.parse(j.stdout);
    assert.deepEqual([summary.duplicates, summary.skipped.length], [6, 1]);
    assert.match(j.stderr, /notes\.txt: skipped/, 'with --json the skipped files are listed on stderr');
    const both = runCli(['--db', db, 'ingest', exp, join(dump, '1.jsonl')]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give one trainer directory, or files/);
  });
});
