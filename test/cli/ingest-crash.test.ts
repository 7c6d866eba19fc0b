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
  it('leaves whole batches only (the TypeScript reader), and a re-run completes the ingest with nothing lost and nothing doubled', async () => {
    const file = writeJsonl(
      join(dir, 'big.jsonl'),
      Array.from({ length: ROWS }, (_, i) => sessionRow(i + 1)),
    );
    const db = join(dir, 'crash.duckdb');
    const env = {
      RLAUDIT_TRACE: 'batches',
      RLAUDIT_BATCH_ROWS: String(BATCH),
      RLAUDIT_INGEST_READER: 'typescript',
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
    assert.match(trace, /reader: \S+big\.jsonl typescript/, 'the file took the TypeScript reader');

    const store = await DuckDbStore.open(db);
    const [run] = await store.listRuns();
    await store.close();
    const kept = run?.sessions ?? 0;
    assert.ok(kept >= 3 * BATCH && kept < ROWS, `a part of the file was committed (${kept})`);
    assert.equal(kept % BATCH, 0, 'only whole batches were committed');

    const again = runCli(['--db', db, 'ingest', file, '--run', 'crash', '--json'], {
      RLAUDIT_INGEST_READER: 'typescript',
    });
    assert.equal(again.code, 0, again.stderr);
    const s = JSON.parse(again.stdout);
    assert.deepEqual([s.read, s.accepted + s.duplicates, s.duplicates, s.rejected], [ROWS, ROWS, kept, 0]);
    const runs = JSON.parse(runCli(['--db', db, 'runs', '--json']).stdout);
    assert.equal(runs[0].sessions, ROWS);
  });

  it('leaves nothing of a file the fast scan was writing, and a re-run ingests it exactly once', async () => {
    const bad = [5, 777, 19_999]; // lines the validator rejects: read again after the bulk insert
    const rows = Array.from({ length: ROWS }, (_, i) =>
      bad.includes(i + 1) ? { session: i + 1, output: 3 } : sessionRow(i + 1),
    );
    const file = writeJsonl(join(dir, 'fast.jsonl'), rows);
    const db = join(dir, 'crash-fast.duckdb');
    const child = spawnCli(['--db', db, 'ingest', file, '--run', 'crash'], { RLAUDIT_TRACE: 'batches' });
    let trace = '';
    const killed = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        trace += d.toString();
        // every row is in `sessions`, its line written, the transaction not yet committed
        if (/fast scan written/.test(trace) && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    await killed;
    assert.equal(child.signalCode, 'SIGKILL', `the child was killed mid-ingest: ${trace}`);

    const store = await DuckDbStore.open(db);
    const runs = await store.listRuns();
    await store.close();
    assert.equal(runs.find((r) => r.run === 'crash')?.sessions ?? 0, 0, 'nothing of the file was kept');

    const again = runCli(['--db', db, 'ingest', file, '--run', 'crash', '--json'], {
      RLAUDIT_TRACE: 'batches',
    });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /reader: \S+fast\.jsonl engine\n/, 'the re-run took the fast scan');
    const s = JSON.parse(again.stdout);
    assert.deepEqual(
      [s.read, s.accepted, s.rejected, s.duplicates],
      [ROWS, ROWS - bad.length, bad.length, 0],
    );
    const listed = JSON.parse(runCli(['--db', db, 'rejects', '--run', 'crash', '--json']).stdout);
    assert.deepEqual(
      listed
        .map((r: { line?: number; source_line?: number }) => r.line ?? r.source_line)
        .sort((a: number, b: number) => a - b),
      bad,
    );
  });
});
