import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { InputError } from '../../src/model/errors.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { rowDecoder } from '../../src/store/sql/row-decoder.ts';
import { sql } from '../../src/store/sql/sql.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();
const StatusRow = rowDecoder('status', z.object({ status: z.string() }));

describe('opening a database', () => {
  it('marks ingests and loads left running by a killed process as interrupted when opened for writing', async () => {
    const path = join(dir, 'killed.duckdb');
    const first = await DuckDbStore.open(path);
    const ingest = await first.beginIngest(null);
    await first.beginLoad({
      ingestId: ingest,
      path: 'a.jsonl',
      absPath: '/a.jsonl',
      format: 'jsonl',
      bytes: 1,
    });
    await first.close(); // as a killed process leaves it: never finished

    const reader = await DuckDbStore.open(path, { writes: false });
    const still = await reader.client.query(sql`SELECT status FROM ingests`, StatusRow);
    assert.deepEqual(still, [{ status: 'running' }], 'a process that only reads changes nothing');
    await reader.close();

    const writer = await DuckDbStore.open(path);
    assert.deepEqual(await writer.client.query(sql`SELECT status FROM ingests`, StatusRow), [
      { status: 'interrupted' },
    ]);
    assert.deepEqual(await writer.client.query(sql`SELECT status FROM loads`, StatusRow), [
      { status: 'interrupted' },
    ]);
    await writer.close();
  });

  it('says "writing" only to a writer when another process holds the database', async () => {
    const path = join(dir, 'held.duckdb');
    await (await DuckDbStore.open(path)).close();
    // another process holds the file open (DuckDB locks it for that process)
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
         const i = await DuckDBInstance.create(${JSON.stringify(path)}); await i.connect();
         process.stdout.write('ready\\n'); setTimeout(() => {}, 60000);`,
      ],
      { cwd: new URL('../..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const asWriter = await DuckDbStore.open(path).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(asWriter instanceof InputError, String(asWriter));
      assert.match(asWriter.message, /another rlaudit process is writing/);
      const asReader = await DuckDbStore.open(path, { writes: false }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(asReader instanceof InputError, String(asReader));
      assert.match(asReader.message, /in use .*only reads/);
      assert.doesNotMatch(asReader.message, /writ/);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
