import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { simulate } from '../../src/simulate/index.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import { runCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

const db = join(tempDir(), 'conv.duckdb');

describe('rlaudit analyze convergence', () => {
  before(async () => {
    const store = await DuckDbStore.open(db);
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7, sessions: 3000 }), { name: 'sim' });
    await store.close();
  });

  test('prints the windows, the phases as session ranges and the ratio at a requested session', () => {
    const r = runCli(['--db', db, 'analyze', 'convergence', '--run', 'wild-7', '--at', '1200']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /low reward: < 0\.500 \(default 0\.5/);
    assert.match(r.stdout, /^2501–3000 +500 /m);
    assert.match(r.stdout, /^phase noise: sessions 1–\d+/m);
    assert.match(r.stdout, /^at 1200 \(sessions 951–1450\): high:low \d+\.\d:1/m);
    assert.match(r.stdout, /^last low reward: session \d+/m);
  });

  test('says on stderr when --window makes more windows than the rule would, and runs as asked', () => {
    const r = runCli(['--db', db, 'analyze', 'convergence', '--run', 'wild-7', '--window', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /--window 1 makes 3,000 windows of this run's 3,000 sessions: .*\(without --window: 500-session windows, at most 2,000\)/,
    );
    assert.equal(JSON.parse(r.stdout).windows.length, 3000);
    const quiet = runCli(['--db', db, 'analyze', 'convergence', '--run', 'wild-7', '--json']);
    assert.equal(quiet.stderr, '');
  });

  test('--json gives the full result with definitions, and a threshold option is used as given', () => {
    const r = runCli([
      '--db',
      db,
      'analyze',
      'convergence',
      '--run',
      'wild-7',
      '--window',
      '1000',
      '--low-threshold',
      '0.6',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.windows.length, 3);
    assert.deepEqual(j.threshold, { value: 0.6, rule: '--low-threshold 0.6' });
    assert.match(j.definitions.variance, /n − 1/);
    assert.deepEqual(j.missing, []);
  });
});
