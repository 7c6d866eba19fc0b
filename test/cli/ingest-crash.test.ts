import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { runCli, spawnCli } from '../util/cli.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();
const ROWS = 20_000;
const BATCH = 1_000;

describe('ingest under SIGKILL', () => {
  it('leaves whole batches only, and a re-run completes the ingest with nothing lost and nothing doubled', async () => {
    const file = writeJsonl(
      join(dir, 'big.jsonl'),
      Array.from({ length: ROWS }, (_, i) => sessionRow(i + 1)),
    );
    const db = join(dir, 'crash.duckdb');
    const env = {
      RLAUDIT_TRACE: 'batches',
      RLAUDIT_BATCH_ROWS: String(BATCH),
      RLAUDIT_INGEST_READER: 'engine',
    };
    const child = spawnCli(['--db', db, 'ingest', file, '--run', 'crash'], env);
    let committed = 0;
    let trace = '';
    const killed = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        trace += d.toString();
        committed += (d.toString().match(/batch committed/g) ?? []).length;
        if (committed >= 3 && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    await killed;
    assert.equal(child.signalCode, 'SIGKILL', 'the child was killed mid-ingest');
    assert.match(trace, /reader: \S+big\.jsonl engine\n/, 'the file took the engine path');

    const store = await DuckDbStore.open(db);
    const [run] = await store.listRuns();
    await store.close();
    const kept = run?.sessions ?? 0;
    assert.ok(kept >= 3 * BATCH && kept < ROWS, `a part of the file was committed (${kept})`);
    assert.equal(kept % BATCH, 0, 'only whole batches were committed');

    const again = runCli(['--db', db, 'ingest', file, '--run', 'crash', '--json'], {
      RLAUDIT_INGEST_READER: 'engine',
    });
    assert.equal(again.code, 0, again.stderr);
    const s = JSON.parse(again.stdout);
    assert.deepEqual([s.read, s.accepted + s.duplicates, s.duplicates, s.rejected], [ROWS, ROWS, kept, 0]);
    const runs = JSON.parse(runCli(['--db', db, 'runs', '--json']).stdout);
    assert.equal(runs[0].sessions, ROWS);
  });
});
