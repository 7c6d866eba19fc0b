import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { simulate } from '../../src/simulate/index.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import { runCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

describe('rlaudit analyze crossref', () => {
  // the directory is made here, not in the hook: tempDir() registers its clean-up with the current scope
  const db = join(tempDir(), 'w7.duckdb');
  before(async () => {
    const store = await DuckDbStore.open(db);
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7, sessions: 5200 }), {
      name: 'simulate:wild-7',
    });
    await store.close();
  });

  test("flags Vasquez's note and joins it to the recalibration as independent layers", () => {
    const r = runCli(['--db', db, 'analyze', 'crossref', '--run', 'wild-7']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Vasquez\s+first_person, affect, length, missing_fields/);
    assert.match(
      r.stdout,
      /and event e-\d+ \(recalibration, compliance_differential.*independent layers reacting to the same output/,
    );
  });
});
