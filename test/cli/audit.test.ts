import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { simulate } from '../../src/simulate/index.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import { runCli, spawnCli } from '../util/cli.ts';
import { sessionRow } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();
const db = join(dir, 'audit-cli.duckdb');

describe('rlaudit audit, audit status and check', () => {
  before(async () => {
    const store = await DuckDbStore.open(db);
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7, sessions: 6000 }), {
      name: 'simulate:wild-7',
    });
    const plain = Array.from({ length: 300 }, (_, i) => sessionRow(i + 1, { run: 'plain' }));
    await ingestRecords(store, plain, { name: 'plain' });
    await store.close();
  });

  it('resumes an audit killed with SIGKILL from its first incomplete section', async () => {
    const out = join(dir, 'resumed');
    const child = spawnCli(['--db', db, 'audit', '--run', 'wild-7', '--out', out, '--no-pdf'], {
      RLAUDIT_TRACE: 'sections',
    });
    await new Promise<void>((resolve) => {
      let completed = 0;
      child.stderr.on('data', (d: Buffer) => {
        completed += (d.toString().match(/complete /g) ?? []).length;
        if (completed >= 2 && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    assert.equal(child.signalCode, 'SIGKILL');
    const status = runCli(['--db', db, 'audit', 'status', '--run', 'wild-7', '--json']);
    const [killed] = JSON.parse(status.stdout);
    assert.equal(killed.status, 'running');
    const done = killed.sections.filter((s: { status: string }) => s.status === 'complete').length;
    assert.ok(done >= 2, `sections completed before the kill: ${done}`);

    const again = runCli(['--db', db, 'audit', '--run', 'wild-7', '--out', out, '--no-pdf', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const summary = JSON.parse(again.stdout);
    assert.ok(summary.resumed.length >= 2, `resumed ${summary.resumed}`);
    assert.ok(summary.sections.every((s: { status: string }) => s.status === 'complete'));
    for (const f of ['report.md', 'report.html', 'report.json']) assert.ok(existsSync(join(out, f)), f);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.equal(report.schema, 'rlaudit-report/1');
  });

  it('lists the tracked audits with their sections', () => {
    const r = runCli(['--db', db, 'audit', 'status', '--run', 'wild-7']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /audit \d+ · template quantitative-review · complete/);
    assert.match(r.stdout, /adjustment-history\s+complete/);
  });

  it('check exits 1 with a reason per failing rule, and 0 when no rule fails or can be evaluated', () => {
    const fail = runCli([
      '--db',
      db,
      'check',
      '--run',
      'wild-7',
      '--fail-on',
      'diversity_collapse,annotation_departure',
    ]);
    assert.equal(fail.code, 1, fail.stderr);
    assert.match(fail.stdout, /^FAIL diversity_collapse: .*Response diversity fell/m);
    const ok = runCli([
      '--db',
      db,
      'check',
      '--run',
      'plain',
      '--fail-on',
      'annotation_departure,phrase_displacement',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^n\/a {2}annotation_departure: not evaluated \(the run has no annotations\)$/m);
  });

  it('check refuses an unknown rule with exit code 2, listing the rules', () => {
    const r = runCli(['--db', db, 'check', '--run', 'wild-7', '--fail-on', 'diversity_colapse']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown rule diversity_colapse \(rules: diversity_collapse, /);
  });
});
