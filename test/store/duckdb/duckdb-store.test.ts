import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { number } from '../../../src/store/duckdb/decode.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import { rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { sql } from '../../../src/store/sql/sql.ts';
import { tempDir } from '../../util/tmp.ts';

const dir = tempDir();

/** The statements a store runs from now on. */
function record(store: DuckDbStore): string[] {
  const ran: string[] = [];
  store.client.onQuery = (t) => ran.push(t.sql.trim());
  return ran;
}

describe('closing a DuckDB store', () => {
  it('checkpoints with a statement (off the event loop) before closing when opened to, and only then', async () => {
    const path = join(dir, 'close.duckdb');
    const plain = await DuckDbStore.open(path);
    const ranByPlain = record(plain);
    await plain.close();
    assert.deepEqual(ranByPlain, [], 'by default the close checkpoints by itself');
    const store = await DuckDbStore.open(path, { checkpointBeforeClose: true });
    const records = Array.from({ length: 500 }, (_, i) => ({
      type: 'session',
      run: 'r',
      session: i + 1,
      output: `o ${i}`,
    }));
    await ingestRecords(store, records, { name: 'close' });
    const ran = record(store);
    await store.close();
    assert.deepEqual(ran, ['CHECKPOINT']);
    assert.ok(!existsSync(`${path}.wal`), 'nothing is left in the write-ahead log');
    const reader = await DuckDbStore.open(path, { readOnly: true });
    const ranByReader = record(reader);
    assert.equal((await reader.listRuns()).length, 1);
    await reader.close();
    assert.ok(!ranByReader.includes('CHECKPOINT'), 'a read-only store cannot checkpoint and does not try');
  });

  it('does not checkpoint an in-memory database', async () => {
    const store = await DuckDbStore.open(':memory:', { checkpointBeforeClose: true });
    const ran = record(store);
    await store.close();
    assert.deepEqual(ran, []);
  });
});

describe('opening a DuckDB store with a number of threads', () => {
  const ThreadsRow = rowDecoder('threadsSetting', z.object({ threads: number }));
  const threadsOf = async (store: DuckDbStore) =>
    (await store.client.query(sql`SELECT current_setting('threads') AS threads`, ThreadsRow))[0]!.threads;

  it('runs DuckDB with that many threads, and with its default (one per core, at least 1) without it', async () => {
    const path = join(dir, 'threads.duckdb');
    const one = await DuckDbStore.open(path, { threads: 1 });
    assert.equal(await threadsOf(one), 1);
    await one.close();
    const two = await DuckDbStore.open(path, { threads: 2 });
    assert.equal(await threadsOf(two), 2);
    await two.close();
    const plain = await DuckDbStore.open(path);
    assert.ok((await threadsOf(plain)) >= 1);
    await plain.close();
  });

  it('refuses a number of threads that is not a positive integer, opening nothing', async () => {
    for (const threads of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(DuckDbStore.open(':memory:', { threads }), /threads must be a positive integer/);
    }
  });
});
