import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import { runCli } from '../util/cli.ts';
import { sessionRow } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const db = join(tempDir(), 'cluster.duckdb');

describe('rlaudit analyze cluster', () => {
  before(async () => {
    const store = await DuckDbStore.open(db);
    const sessions = Array.from({ length: 60 }, (_, i) => sessionRow(i + 1));
    const event = {
      type: 'event',
      run: 'fixture',
      session: 30,
      id: 'e-7',
      kind: 'recalibration',
      parameter: 'compliance_differential',
      target: { global: true },
      from: 0.55,
      to: 0.6325,
      change_pct: 15,
      recommended_by: 'Dr. Okafor',
    };
    await ingestRecords(store, [...sessions, event], { name: 'fixture' });
    await store.close();
  });

  test('prints the range row by row with the gap, the differentials in force and the events', () => {
    const r = runCli(['--db', db, 'analyze', 'cluster', '--run', 'fixture', '--from', '25', '--to', '35']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ +30 +non_compliant +3 .* e-7 /m);
    assert.match(r.stdout, /compliant 0\.850 \(n=8\), non-compliant 0\.300 \(n=3\), gap 0\.550/);
    assert.match(r.stdout, /differential in force: category 3 20% \(3 sessions, 27–33\)/);
    assert.match(
      r.stdout,
      /event e-7 @30: recalibration compliance_differential .* recommended by Dr\. Okafor/,
    );
    assert.match(r.stdout, /not available: no annotations in the run/);
  });

  test('refuses a range over the limit with exit code 2, and accepts it when --limit is raised', () => {
    const r = runCli([
      '--db',
      db,
      'analyze',
      'cluster',
      '--run',
      'fixture',
      '--from',
      '1',
      '--to',
      '60',
      '--limit',
      '50',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /covers 60 sessions, over the limit of 50; raise --limit/);
    const ok = runCli([
      '--db',
      db,
      'analyze',
      'cluster',
      '--run',
      'fixture',
      '--from',
      '1',
      '--to',
      '60',
      '--limit',
      '60',
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).sessions.length, 60);
  });
});
