import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from '../util/cli.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();
const db = join(dir, 'check.duckdb');

describe('rlaudit check: pass, fail or not evaluated', () => {
  before(() => {
    // 160 sessions in 20 steps of 8, no calibration events, no annotations
    const file = writeJsonl(
      join(dir, 'plain.jsonl'),
      Array.from({ length: 160 }, (_, i) => sessionRow(i + 1, { run: 'plain', step: Math.floor(i / 8) })),
    );
    const r = runCli(['--db', db, 'ingest', file]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('says a rule the run cannot show is not evaluated, and why, instead of ok', () => {
    const r = runCli([
      '--db',
      db,
      'check',
      '--run',
      'plain',
      '--fail-on',
      'intervention_effect,annotation_departure,metric_blind_spot',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^n\/a {2}intervention_effect: not evaluated \(the run has no calibration events\)$/m,
    );
    assert.match(r.stdout, /^n\/a {2}annotation_departure: not evaluated \(the run has no annotations\)$/m);
    assert.match(
      r.stdout,
      /^n\/a {2}metric_blind_spot: not evaluated \(the run logs no diversity metric of its own/m,
    );
    assert.doesNotMatch(r.stdout, /^ok /m);
  });

  it('fails a not-evaluated rule with --require-all', () => {
    const r = runCli([
      '--db',
      db,
      'check',
      '--run',
      'plain',
      '--fail-on',
      'intervention_effect',
      '--require-all',
      '--json',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.ok, false);
    assert.deepEqual(out.notEvaluated, [
      { rule: 'intervention_effect', why: 'the run has no calibration events' },
    ]);
  });

  it('says when the template does not run the analysis behind a rule', () => {
    const r = runCli([
      '--db',
      db,
      'check',
      '--run',
      'plain',
      '--template',
      'quantitative-review',
      '--fail-on',
      'annotation_departure',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /not evaluated \(the template 'quantitative-review' does not run the crossref analysis\)/,
    );
  });

  it('passes a rule whose analysis ran on data that could show it', () => {
    const r = runCli(['--db', db, 'check', '--run', 'plain', '--fail-on', 'diversity_collapse', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).passed, ['diversity_collapse']);
  });
});
