import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SessionRecord } from '../../../src/model/schema.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { type IngestOptions, type IngestSummary, ingestFiles } from '../../../src/store/ingest.ts';
import {
  inspectLog,
  openRlhfRows,
  trlRows,
  verlRows,
  writeEvalArchive,
  writeJsonl,
  writeParquet,
} from '../../fixtures/importers/build.ts';
import { tempDir } from '../../util/tmp.ts';

const dir = tempDir();
let n = 0;

function reconciles(s: IngestSummary): void {
  assert.equal(s.read, s.accepted + s.rejected + s.duplicates, 'read = accepted + rejected + duplicates');
}

/** Ingests into a fresh store and returns the summary, the detection lines and the stored sessions. */
async function ingest(files: string[], options: IngestOptions = {}) {
  const store = await DuckDbStore.open(join(dir, `db-${++n}.duckdb`));
  const detected: string[] = [];
  try {
    const summary = await ingestFiles(store, files, {
      ...options,
      onDetect: (_f, format, message) => detected.push(`${format}: ${message}`),
    });
    reconciles(summary);
    const sessions: SessionRecord[] = [];
    for (const run of summary.runs) for await (const page of store.scanSessions(run)) sessions.push(...page);
    return { summary, detected, sessions };
  } finally {
    await store.close();
  }
}

describe('importers', () => {
  it('TRL completions Parquet: groups, reward components, baseline = sum, step kept', async () => {
    const file = await writeParquet(join(dir, 'completions_00010.parquet'), trlRows());
    const { summary, detected, sessions } = await ingest([file], { run: 'trl-run' });
    assert.equal(summary.accepted, 8);
    assert.match(
      detected[0]!,
      /^trl: detected TRL-style GRPO completions \(columns step, prompt, completion/,
    );
    assert.match(detected[0]!, /baseline_reward = sum of accuracy_reward, format_reward/);
    const s1 = sessions[0]!;
    assert.deepEqual(
      [s1.session, s1.step, s1.prompt, s1.output, s1.baseline_reward],
      [1, 10, 'Solve problem 0.', 'Answer 0-0 at step 10.', 1.5],
    );
    assert.deepEqual(s1.meta?.rewards, { accuracy_reward: 1, format_reward: 0.5 });
    assert.equal(s1.meta?.advantage, 0.7);
    // rollouts of one prompt share a group id, derived from the prompt text
    assert.equal(sessions[0]!.prompt_id, sessions[1]!.prompt_id);
    assert.notEqual(sessions[0]!.prompt_id, sessions[2]!.prompt_id);
    assert.equal(sessions.at(-1)!.session, 8);
  });

  it('a log without a prompt column names its text columns as the prompt to map', async () => {
    const rows = [0, 1].map((i) => ({
      step: 0,
      opening: `Review ${i}.`,
      completion: `More ${i}.`,
      reward: 0.5,
      n_tokens: 3,
    }));
    const file = writeJsonl(join(dir, 'samples-no-prompt.jsonl'), rows);
    const { detected, sessions } = await ingest([file], { run: 'np' });
    assert.match(
      detected[0]!,
      /no prompt column \(add --map prompt=COLUMN; text columns: opening, e\.g\. --map prompt=opening\)/,
    );
    assert.equal(sessions.length, 2);
    const mapped = await ingest([file], { run: 'np', map: 'prompt=opening' });
    assert.doesNotMatch(mapped.detected[0]!, /no prompt column/);
    assert.equal(mapped.sessions[1]!.prompt, 'Review 1.');
  });

  it('--reward picks one component as the baseline; the others stay in meta.rewards', async () => {
    const file = writeJsonl(join(dir, 'trl.jsonl'), trlRows());
    const { sessions, detected } = await ingest([file], { run: 'r', reward: 'accuracy_reward' });
    assert.match(detected[0]!, /baseline_reward = accuracy_reward \(--reward\)/);
    assert.deepEqual(
      sessions.slice(0, 2).map((s) => s.baseline_reward),
      [1, 0],
    );
    await assert.rejects(
      ingest([file], { run: 'r', reward: 'nope' }),
      /--reward nope: not a numeric reward column.*accuracy_reward, format_reward/,
    );
  });

  it('TRL table exported as JSON (records and columns) and as a W&B table', async () => {
    const rows = trlRows([5]);
    const records = join(dir, 'trl-records.json');
    writeFileSync(records, JSON.stringify(rows, null, 2));
    const columns = join(dir, 'trl-columns.json');
    const cols: Record<string, unknown[]> = {};
    for (const k of Object.keys(rows[0]!)) cols[k] = rows.map((r) => r[k]);
    writeFileSync(columns, JSON.stringify(cols));
    const wandb = join(dir, 'completions_table.json');
    const names = Object.keys(rows[0]!);
    writeFileSync(
      wandb,
      JSON.stringify({ _type: 'table', columns: names, data: rows.map((r) => names.map((c) => r[c])) }),
    );
    for (const [file, shape] of [
      [records, 'JSON records document'],
      [columns, 'JSON columns document'],
      [wandb, 'W&B table export'],
    ] as const) {
      const { summary, detected, sessions } = await ingest([file], { run: 'j' });
      assert.equal(summary.accepted, 4, file);
      assert.match(detected[0]!, new RegExp(`detected ${shape} of TRL-style GRPO completions`));
      assert.equal(sessions[3]!.output, 'Answer 1-1 at step 5.');
    }
  });

  it('verl rollout dumps: {step}.jsonl files in step order, score as the baseline, uid as the group', async () => {
    const d = join(dir, 'verl-run');
    mkdirSync(d);
    const files = [10, 2].map((step) => writeJsonl(join(d, `${step}.jsonl`), verlRows(step)));
    const { summary, detected, sessions } = await ingest(files);
    assert.deepEqual(summary.runs, ['verl-run'], 'the run is named after the directory of the step files');
    assert.match(
      detected[0]!,
      /^verl: detected verl rollout dump \(columns input, output, score\); baseline_reward = score/,
    );
    assert.deepEqual(
      sessions.map((s) => [s.session, s.step]),
      [
        [1, 2],
        [2, 2],
        [3, 2],
        [4, 10],
        [5, 10],
        [6, 10],
      ],
    );
    assert.equal(sessions[0]!.prompt_id, 'u-0');
    assert.deepEqual(sessions[0]!.meta?.rewards, { score: 1, acc: 1 });
    assert.equal(sessions[0]!.meta?.gts, '0');
  });

  it('OpenRLHF / RLLoggingBoard rollouts: response as output, ref_* kept in meta', async () => {
    const file = writeJsonl(join(dir, 'rollouts-openrlhf.jsonl'), openRlhfRows());
    const { detected, sessions } = await ingest([file], { run: 'o' });
    assert.match(
      detected[0]!,
      /^openrlhf: detected OpenRLHF \/ RLLoggingBoard rollouts \(columns prompt, response, reward, ref_response, ref_reward\)/,
    );
    assert.deepEqual([sessions[1]!.output, sessions[1]!.baseline_reward], ['Haiku 2', 0.2]);
    assert.equal(sessions[1]!.meta?.ref_reward, 0.05);
    assert.equal(sessions[1]!.meta?.ref_response, 'Reference haiku');
  });

  it('Inspect logs: .json and .eval archives give the same sessions; letter grades become scores', async () => {
    const json = join(dir, 'sums.json');
    writeFileSync(json, JSON.stringify(inspectLog(), null, 2));
    const evalFile = await writeEvalArchive(dir);
    const a = await ingest([json], { run: 'i' });
    const b = await ingest([evalFile], { run: 'i' });
    assert.match(
      a.detected[0]!,
      /^inspect: detected Inspect \.json log of model mockllm\/model; baseline_reward = match \(the only reward\)/,
    );
    assert.match(b.detected[0]!, /^inspect: detected Inspect \.eval archive of model mockllm\/model/);
    for (const { sessions } of [a, b]) {
      assert.deepEqual(
        sessions.map((s) => [s.session, s.prompt_id, s.prompt, s.output, s.baseline_reward]),
        [
          [1, '1', 'What is 1 + 1?', 'It is 2.', 1],
          [2, '2', 'What is 2 + 2?', 'It is 4.', 1],
          [3, '1', 'What is 1 + 1?', 'It is 2.', 0],
        ],
      );
      assert.equal(sessions[2]!.meta?.epoch, 2);
      assert.equal(sessions[2]!.meta?.messages, undefined, 'the transcript is not kept');
    }
  });

  it('a generic CSV with --map: documented targets, numbers parsed from cells, extras in meta', async () => {
    const file = join(dir, 'log.csv');
    writeFileSync(
      file,
      'global_step,completion,reward_raw,reward_used,label,note\n3,first,0.9,0.8,2,x\n4,second,0.4,0.4,,y\n',
    );
    const { summary, detected, sessions } = await ingest([file], {
      run: 'g',
      map: 'session=global_step,output=completion,baseline=reward_raw,adjusted=reward_used,category=label',
    });
    assert.equal(summary.accepted, 2);
    assert.match(detected[0]!, /^generic: generic table; --map session←global_step/);
    assert.deepEqual(
      sessions.map((s) => [
        s.session,
        s.output,
        s.baseline_reward,
        s.adjusted_reward,
        s.category,
        s.meta?.note,
      ]),
      [
        [3, 'first', 0.9, 0.8, 2, 'x'],
        [4, 'second', 0.4, 0.4, null, 'y'],
      ],
    );
    await assert.rejects(
      ingest([file], { map: 'output=completions' }),
      /no column 'completions' \(columns: global_step, completion/,
    );
  });

  it('--format overrides detection; a record-format file is still read as it is', async () => {
    const rows = [{ step: 1, prompt: 'p', completion: 'c', reward: 1 }];
    const file = writeJsonl(join(dir, 'plain.jsonl'), rows);
    const asTrl = await ingest([file], { run: 'f' });
    assert.equal(asTrl.summary.files[0]!.format, 'trl');
    const asJsonl = await ingest([file], { run: 'f', format: 'jsonl' });
    assert.equal(asJsonl.summary.files[0]!.format, 'jsonl');
    assert.equal(asJsonl.summary.rejected, 1, 'read as record format v1, the row has no session');
    const v1 = writeJsonl(join(dir, 'v1.jsonl'), [{ session: 1, output: 'x', reward: 1 }]);
    const canonical = await ingest([v1]);
    assert.deepEqual([canonical.summary.files[0]!.format, canonical.summary.accepted], ['jsonl', 1]);
  });

  it('bad values are rejected once, by the record validation, and reconcile', async () => {
    const rows = trlRows([1]);
    rows[1] = { ...rows[1], completion: 42 };
    rows[2] = { ...rows[2], accuracy_reward: 'high' };
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n{oops\n`);
    const { summary } = await ingest([file], { run: 'b' });
    assert.deepEqual([summary.read, summary.accepted, summary.rejected], [5, 2, 3]);
  });
});
