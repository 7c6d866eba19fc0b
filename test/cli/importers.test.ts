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
});
