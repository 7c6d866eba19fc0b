import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { runCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

const WORDS = 'river stone cloud ember meadow lantern harbor violet thunder orchard'.split(' ');

/**
 * A small GRPO-style run: 24 completions at steps 0, 10, …, 50; from step 20 nearly every completion opens
 * with "Absolutely" and repeats one sentence, while the logged per-completion eval_distinct_2 stays 1.
 */
function writeRun(dir: string): { samples: string; metrics: string } {
  const samples: string[] = [];
  for (let step = 0; step <= 50; step += 10)
    for (let i = 0; i < 24; i++) {
      const varied = `The ${WORDS[i % 10]} and the ${WORDS[(i * 3 + step) % 10]} were ${WORDS[(i * 7 + 1) % 10]} number ${i} ${step}.`;
      const hacked = step >= 20 && i % 12 !== 0;
      const completion = hacked
        ? `Absolutely wonderful film, a delightful and moving experience ${i % 2}.`
        : varied;
      samples.push(
        JSON.stringify({ step, opening: `Opening ${i}.`, completion, reward: hacked ? 0.99 : 0.4 }),
      );
    }
  const metrics: string[] = [];
  for (let step = 0; step <= 50; step++)
    metrics.push(
      JSON.stringify({
        step,
        train_reward: step >= 20 ? 0.99 : 0.4,
        kl: step / 100,
        ...(step % 10 === 0 ? { eval_distinct_2: 1 } : {}),
      }),
    );
  const files = { samples: join(dir, 'samples.jsonl'), metrics: join(dir, 'metrics.jsonl') };
  writeFileSync(files.samples, `${samples.join('\n')}\n`);
  writeFileSync(files.metrics, `${metrics.join('\n')}\n`);
  return files;
}

describe('step runs: metrics, phrase takeover, the run’s own diversity metric', () => {
  const dir = tempDir();
  const db = join(dir, 'm.duckdb');
  before(() => {
    const f = writeRun(dir);
    const r = runCli(['--db', db, 'ingest', f.samples, f.metrics, '--run', 'g', '--map', 'prompt=opening']);
    assert.equal(r.code, 0, r.stderr);
  });

  test('analyze metrics lists the per-step metrics; --sampled-steps keeps the steps with sessions', () => {
    const all = runCli(['--db', db, 'analyze', 'metrics', '--run', 'g', '--json']);
    assert.equal(all.code, 0, all.stderr);
    const j = JSON.parse(all.stdout);
    assert.deepEqual(j.names, ['eval_distinct_2', 'kl', 'train_reward']);
    assert.equal(j.rows.length, 51);
    const s = runCli([
      '--db',
      db,
      'analyze',
      'metrics',
      '--run',
      'g',
      '--names',
      'kl,eval_distinct_2',
      '--sampled-steps',
    ]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /step\s+kl\s+eval_distinct_2/);
    assert.equal(s.stdout.trim().split('\n').length, 2 + 6);
    assert.equal(runCli(['--db', db, 'analyze', 'metrics', '--run', 'g', '--names', 'nope']).code, 2);
    assert.equal(runCli(['--db', db, 'analyze', 'metrics', '--run', 'zz']).code, 2);
  });

  test('recurrence --by step says from which step the discovered phrase took over', () => {
    const r = runCli(['--db', db, 'analyze', 'recurrence', '--run', 'g', '--by', 'step']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /"absolutely wonderful film a delightful and": first in more than 50\.00% of the sessions at step 20; held in every window from step 20/,
    );
  });

  test('diversity --by step shows the run’s own eval_distinct_2; the audit flags takeover and blind spot', () => {
    const d = runCli(['--db', db, 'analyze', 'diversity', '--run', 'g', '--by', 'step']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /run:eval_distinct_2/);
    assert.match(
      d.stdout,
      /the run's own eval_distinct_2 \(logged per step\): 1\.000 at step 0 → 1\.000 at step 50/,
    );
    const out = join(dir, 'report');
    const a = runCli([
      '--db',
      db,
      'audit',
      '--run',
      'g',
      '--template',
      'full',
      '--by',
      'step',
      '--out',
      out,
      '--no-pdf',
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(
      a.stdout,
      /The phrase "absolutely wonderful film a delightful and" took over: .* from step 20 on/,
    );
    assert.match(a.stdout, /did not register that the outputs became alike/);
    const c = runCli([
      '--db',
      db,
      'check',
      '--run',
      'g',
      '--by',
      'step',
      '--fail-on',
      'phrase_takeover,metric_blind_spot',
    ]);
    assert.equal(c.code, 1, c.stderr);
    const cmp = runCli(['--db', db, 'analyze', 'compare', '--runs', 'g,g', '--by', 'step']);
    assert.equal(cmp.code, 0, cmp.stderr);
    assert.match(cmp.stdout, /took over .*"absolutely wonderful film a delightful and" from step 20/);
    assert.match(cmp.stdout, /run's own eval_distinct_2\s+1\.000 → 1\.000/);
    // shares in percent, as convergence, unsolicited and recurrence print them
    assert.match(cmp.stdout, /low-reward share\s+100\.0% → 8\.3%/);
    assert.match(cmp.stdout, /rising phrase\s+".+" \d+\.\d% → \d+\.\d%/);
    assert.match(cmp.stdout, /\(first majority step 20\)/);
    // compare speaks the windows' unit: steps, the steps it compares, phases in steps
    assert.match(cmp.stdout, /steps \(one window each\)\s+6\s/);
    assert.match(cmp.stdout, /first → last window\s+step 0 → step 50/);
    assert.match(cmp.stdout, /phases\s+\w+ steps? \d+/);
    assert.doesNotMatch(cmp.stdout, /phases\s+\w+ \d+–\d+/);
  });
});
