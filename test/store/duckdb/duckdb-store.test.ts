import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
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
