import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateRow } from '../../src/model/validate.ts';
import { runCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();

describe('rlaudit simulate', () => {
  it('writes a record-format JSONL file whose every line validates', () => {
    const out = join(dir, 'sim.jsonl');
    const r = runCli(['simulate', '--sessions', '600', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).sessions, 600);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines.filter((l) => JSON.parse(l).type === 'session').length, 600);
    for (const l of lines) assert.ok(validateRow(JSON.parse(l)).ok, l.slice(0, 120));
  });

  it('stores a run, and simulating the same seed again adds nothing', () => {
    const db = join(dir, 'sim.duckdb');
    const first = runCli(['--db', db, 'simulate', '--sessions', '300', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const a = JSON.parse(first.stdout);
    assert.deepEqual([a.run, a.sessions, a.accepted === a.read], ['wild-7', 300, true]);
    const again = JSON.parse(runCli(['--db', db, 'simulate', '--sessions', '300', '--json']).stdout);
    assert.deepEqual([again.accepted, again.duplicates], [0, a.read]);
    const runs = JSON.parse(runCli(['--db', db, 'runs', '--json']).stdout);
    assert.equal(runs[0].sessions, 300);
  });

  it('names the valid interventions when --without names an unknown one (exit code 2)', () => {
    const r = runCli([
      'simulate',
      '--sessions',
      '10',
      '--without',
      'schedule:1234',
      '--out',
      join(dir, 'x.jsonl'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /schedule:2500/);
  });

  it('refuses --out together with --run', () => {
    const r = runCli(['simulate', '--out', join(dir, 'y.jsonl'), '--run', 'z']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /either --out .* or --run/);
  });
});
