import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SessionRecord } from '../../../src/model/schema.ts';
import { defaultImportRun } from '../../../src/sources/importers/default-run.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { type IngestOptions, ingestFiles } from '../../../src/store/ingest.ts';
import type { RejectRow, RunSummary } from '../../../src/store/store.ts';
import {
  inspectLog,
  inspectMixedSample,
  inspectSample,
  pythonJson,
  writeEvalArchive,
  writeZip,
} from '../../fixtures/importers/build.ts';
import { tempDir } from '../../util/tmp.ts';

const dir = tempDir();
let n = 0;

/** Ingests into a fresh store (or `db`): summary, warnings, detection lines, sessions, runs and rejects. */
async function ingest(files: string[], options: IngestOptions = {}, db = join(dir, `db-${++n}.duckdb`)) {
  const store = await DuckDbStore.open(db);
  const detected: string[] = [];
  const warnings: string[] = [];
  try {
    const summary = await ingestFiles(store, files, {
      ...options,
      onDetect: (_f, format, message) => detected.push(`${format}: ${message}`),
      onWarning: (_f, message) => warnings.push(message),
    });
    assert.equal(summary.read, summary.accepted + summary.rejected + summary.duplicates, 'counts reconcile');
    const sessions: SessionRecord[] = [];
    for (const run of summary.runs) for await (const page of store.scanSessions(run)) sessions.push(...page);
    const runs: RunSummary[] = await store.listRuns();
    const rejects: RejectRow[] = await store.listRejects({});
    return { summary, detected, warnings, sessions, runs, rejects };
  } finally {
    await store.close();
  }
}

const counts = (s: { read: number; accepted: number; rejected: number; duplicates: number }) => [
  s.read,
  s.accepted,
  s.rejected,
  s.duplicates,
];

describe('Inspect logs', () => {
  it('a zstd .eval (Inspect ≥ 0.3.206) gives the sessions of the .json log, whatever the archive order', async () => {
    const json = join(dir, 'sums.json');
    writeFileSync(json, JSON.stringify(inspectLog(), null, 2));
    // Inspect writes samples as they finish: the archive order is not the sample order
    const samples = [inspectSample(1, 2), inspectSample(2, 1), inspectSample(1, 1)];
    const evalFile = await writeEvalArchive(dir, 'sums-zstd.eval', { method: 93, samples });
    const a = await ingest([json], { run: 'i' });
    const db = join(dir, 'zstd.duckdb');
    const b = await ingest([evalFile], { run: 'i' }, db);
    // three sessions and the run record of the log's header (line 0)
    assert.deepEqual(counts(b.summary), [4, 4, 0, 0]);
    assert.match(
      b.detected[0]!,
      /sessions identified by position in sample order \(epoch, then sample id\) \(no step column\)/,
    );
    for (const { sessions } of [a, b]) {
      assert.deepEqual(
        sessions.map((s) => [s.session, s.prompt_id, s.meta?.epoch, s.output, s.baseline_reward]),
        [
          [1, '1', 1, 'It is 2.', 1],
          [2, '2', 1, 'It is 4.', 1],
          [3, '1', 2, 'It is 2.', 0],
        ],
      );
      assert.equal(sessions[0]!.meta?.model, 'mockllm/model');
    }
    assert.deepEqual(
      b.runs.map((r) => [r.run, r.model, r.sessions]),
      [['i', 'mockllm/model', 3]],
    );
    const again = await ingest([evalFile], { run: 'i' }, db);
    assert.deepEqual(counts(again.summary), [4, 0, 0, 4], 'a second ingest adds nothing');
  });

  it('runs are named after the file without any of its extensions', async () => {
    assert.equal(defaultImportRun('logs/run.eval.json'), 'run');
    assert.equal(defaultImportRun('logs/x.jsonl.gz'), 'x');
    assert.equal(defaultImportRun('logs/2026-04-01T10-00-00_sums_abc.eval'), '2026-04-01T10-00-00_sums_abc');
    assert.equal(defaultImportRun('logs/model-v1.5.eval'), 'model-v1.5');
    const file = join(dir, 'named.eval.json');
    writeFileSync(file, JSON.stringify(inspectLog()));
    const { summary, runs } = await ingest([file]);
    assert.deepEqual(summary.runs, ['named']);
    assert.equal(runs[0]!.model, 'mockllm/model');
  });

  it('samples with image, audio, reasoning and tool-call parts are accepted, the parts kept in meta', async () => {
    const samples = [inspectMixedSample(1), inspectSample(2, 1), inspectMixedSample('q-3')];
    const file = await writeEvalArchive(dir, 'mixed.eval', { method: 93, samples });
    const { summary, sessions, detected } = await ingest([file], { run: 'm' });
    assert.deepEqual(counts(summary), [4, 4, 0, 0]);
    assert.match(detected[0]!, /kept in meta: .*reasoning/);
    assert.deepEqual(
      sessions.map((s) => [s.session, s.prompt_id, s.output]),
      [
        [1, '1', 'A rising line.\nIt peaks in May.\n[tool call: zoom]'],
        [2, '2', 'It is 4.'],
        [3, 'q-3', 'A rising line.\nIt peaks in May.\n[tool call: zoom]'],
      ],
    );
    const s1 = sessions[0]!;
    assert.equal(s1.prompt, 'You describe charts.\n\nDescribe this chart.\n[image]\n[audio]');
    assert.equal(s1.meta?.reasoning, 'The line goes up. Keep it short.');
    assert.deepEqual(s1.meta?.content_parts, {
      prompt: { text: 1, image: 1, audio: 1 },
      output: { reasoning: 2, reasoning_redacted: 1, text: 2, tool_call: 1 },
    });
    assert.deepEqual(s1.meta?.output_parts, [
      { type: 'tool_call', id: 'c1', function: 'zoom', arguments: { factor: 2 } },
    ]);
    assert.equal(sessions[1]!.meta?.content_parts, undefined, 'text-only content has no part counts');
  });

  it('bare NaN/Infinity in a .json log are read as null with one warning naming the fields', async () => {
    const log = inspectLog();
    const samples = log.samples as Record<string, unknown>[];
    samples[1] = {
      ...samples[1],
      scores: { match: { value: '__NaN__' } },
      metadata: { ratio: '__Infinity__' },
    };
    samples[2] = {
      ...samples[2],
      output: {
        choices: [{ message: { role: 'assistant', content: 'NaN, Infinity and -Infinity are words here' } }],
      },
      metadata: { low: '__-Infinity__' },
      messages: [{ role: 'user', content: 'x', score: '__NaN__' }],
    };
    log.results = { scores: [{ metrics: { stderr: { value: '__NaN__' } } }] };
    const file = join(dir, 'nan.json');
    writeFileSync(file, pythonJson(log, 2));
    const { summary, sessions, warnings } = await ingest([file], { run: 'n' });
    assert.deepEqual(counts(summary), [4, 4, 0, 0]);
    assert.equal(sessions[1]!.baseline_reward, null);
    assert.deepEqual(sessions[1]!.meta?.rewards, { match: null });
    assert.equal(
      sessions[1]!.meta?.metadata && (sessions[1]!.meta.metadata as { ratio: unknown }).ratio,
      null,
    );
    assert.equal(sessions[2]!.output, 'NaN, Infinity and -Infinity are words here');
    assert.deepEqual(warnings, [
      '3 bare NaN/Infinity values read as null (JSON has no such numbers; Inspect writes them): ' +
        'scores.match.value (NaN) in sample 2; metadata.ratio (Infinity) in sample 2; ' +
        'metadata.low (-Infinity) in sample 3',
    ]);
    assert.deepEqual(summary.files[0]!.warnings, warnings, 'the warning is in the file’s summary');
  });

  it('bare NaN in .eval entries: read as null, warned once, with the entry named', async () => {
    const entry = (id: number, value: string) => ({
      entry: `samples/${id}_epoch_1.json`,
      text: pythonJson({ ...inspectSample(id, 1), scores: { match: { value } } }),
    });
    const samples = [entry(1, '__NaN__'), entry(2, 'C'), entry(3, '__NaN__')];
    const file = await writeEvalArchive(dir, 'nan.eval', { method: 93, samples });
    const { summary, sessions, warnings } = await ingest([file], { run: 'ne' });
    assert.deepEqual(counts(summary), [4, 4, 0, 0]);
    assert.deepEqual(
      sessions.map((s) => s.baseline_reward),
      [null, 1, null],
    );
    assert.deepEqual(warnings, [
      '2 bare NaN/Infinity values read as null (JSON has no such numbers; Inspect writes them): ' +
        'scores.match.value (NaN) ×2, first in sample 1 (samples/1_epoch_1.json)',
    ]);
  });

  it('a corrupt or unparsable sample entry is one reject naming the entry; the others are kept', async () => {
    const file = await writeZip(
      join(dir, 'corrupt.eval'),
      {
        'header.json': JSON.stringify({ eval: { model: 'mockllm/model' } }),
        'samples/1_epoch_1.json': JSON.stringify(inspectSample(1, 1)),
        'samples/2_epoch_1.json': { data: JSON.stringify(inspectSample(2, 1)), raw: Buffer.from('garbage') },
        'samples/3_epoch_1.json': '{"id": 3, "epoch": 1, oops}',
        'samples/4_epoch_1.json': JSON.stringify({ ...inspectSample(4, 1), input: 42 }),
      },
      93,
    );
    const { summary, rejects, sessions } = await ingest([file], { run: 'c' });
    assert.deepEqual(counts(summary), [5, 2, 3, 0]);
    assert.deepEqual(
      sessions.map((s) => s.prompt_id),
      ['1'],
    );
    const byLine = new Map(rejects.map((r) => [r.line, r]));
    assert.match(byLine.get(2)!.expected, /a readable zstd zip entry samples\/2_epoch_1\.json/);
    assert.match(byLine.get(2)!.got, /expected Zstandard-compressed data/);
    assert.equal(byLine.get(3)!.expected, 'valid JSON in samples/3_epoch_1.json');
    assert.deepEqual([byLine.get(4)!.field, byLine.get(4)!.got], ['prompt', '42']);
  });

  it('a .eval that is not a zip archive is an InputError saying what was expected', async () => {
    const jsonEval = join(dir, 'renamed.eval');
    writeFileSync(jsonEval, JSON.stringify(inspectLog()));
    await assert.rejects(ingest([jsonEval]), (err: Error) => {
      assert.equal(err.name, 'InputError');
      assert.match(
        err.message,
        /renamed\.eval: not a zip archive: an Inspect \.eval log is a zip archive \(expected its first bytes to be PK\\x03\\x04, got "\{\\"version\\":2,\\"st"\); if it is an Inspect JSON log, name it \.json$/,
      );
      return true;
    });
    const empty = join(dir, 'empty.eval');
    writeFileSync(empty, '');
    await assert.rejects(ingest([empty]), /empty\.eval: not a zip archive: .*got an empty file/);
    const truncated = join(dir, 'truncated.eval');
    writeFileSync(truncated, Buffer.from('PK\x03\x04 cut short', 'latin1'));
    await assert.rejects(ingest([truncated]), /truncated\.eval: not a readable zip archive \(/);
  });
});
