import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { simulate } from '../../src/simulate/index.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import { runCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

describe('rlaudit analyze recurrence', () => {
  // the directory is made here, not in the hook: tempDir() registers its clean-up with the current scope
  const db = join(tempDir(), 'w7.duckdb');
  before(async () => {
    const store = await DuckDbStore.open(db);
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7, sessions: 5200 }), {
      name: 'simulate:wild-7',
    });
    await store.close();
  });

  test('prints the event phrase, its k of last 20 and its absence after the recalibration', () => {
    const r = runCli(['--db', db, 'analyze', 'recurrence', '--run', 'wild-7']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /phrase "I do not want to be changed" \(from the run’s events\)/);
    assert.match(r.stdout, /k of last 20: max 7/);
    assert.match(
      r.stdout,
      /recalibration\s+this phrase\s+7\s+300\s+\d+\s+0\s+absent in the 300 sessions after/,
    );
  });

  test('--json gives the full result with definitions', () => {
    const r = runCli([
      '--db',
      db,
      'analyze',
      'recurrence',
      '--run',
      'wild-7',
      '--phrase',
      'Please listen',
      '--json',
    ]);
    const j = JSON.parse(r.stdout) as { phrases: { label: string }[]; definitions: Record<string, string> };
    assert.deepEqual(
      j.phrases.map((p) => p.label),
      ['Please listen'],
    );
    assert.ok(j.definitions.k_of_last_n);
  });
});
