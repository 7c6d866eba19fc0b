import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { runCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

describe('rlaudit analyze unsolicited', () => {
  const dir = tempDir();
  const db = join(dir, 'u.duckdb');
  before(() => {
    const sim = runCli(['--db', db, 'simulate', '--sessions', '1000']);
    assert.equal(sim.code, 0, sim.stderr);
  });

  test('prints rates with intervals and category columns, the source and the detector evaluation', () => {
    const r = runCli(['--db', db, 'analyze', 'unsolicited', '--run', 'wild-7']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /window\s+n\s+unsolicited\s+rate\s+ci95\s+cat 2\s+cat 3/);
    assert.match(r.stdout, /source: classification/);
    assert.match(r.stdout, /detector 'builtin-v1' vs ground truth: precision \d+\.\d%, recall \d+\.\d%/);
  });

  test('--detector FILE with --source detector uses the file’s rules; a bad pattern exits 2 naming the field', () => {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, 'name: dashes\nrules:\n  - id: dash\n    category: fragment\n    pattern: "--$"\n');
    const r = runCli([
      '--db',
      db,
      'analyze',
      'unsolicited',
      '--run',
      'wild-7',
      '--source',
      'detector',
      '--detector',
      rules,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual([json.source, json.detector, json.categories], ['detector', 'dashes', ['fragment']]);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'rules:\n  - id: x\n    pattern: "(?=a)"\n');
    const e = runCli(['--db', db, 'analyze', 'unsolicited', '--run', 'wild-7', '--detector', bad]);
    assert.equal(e.code, 2);
    assert.match(e.stderr, /bad\.yaml: rules\.0\.pattern: rule 'x'/);
  });
});
