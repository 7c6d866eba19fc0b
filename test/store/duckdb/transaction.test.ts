import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { z } from 'zod';
import { number } from '../../../src/store/duckdb/decode.ts';
import { DuckDbClient } from '../../../src/store/duckdb/duckdb-client.ts';
import { inTransaction, transaction } from '../../../src/store/duckdb/transaction.ts';
import { rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { sql } from '../../../src/store/sql/sql.ts';

const Count = rowDecoder('count', z.object({ n: number }));

describe('transaction', () => {
  let client: DuckDbClient;
  const statements: string[] = [];
  const count = async () => (await client.query(sql`SELECT count(*) AS n FROM t`, Count))[0]!.n;
  before(async () => {
    client = await DuckDbClient.open(':memory:');
    await client.exec(sql`CREATE TABLE t (a INTEGER)`);
    client.onQuery = (q) => statements.push(q.sql);
  });
  after(() => client.close());
  beforeEach(async () => {
    await client.exec(sql`DELETE FROM t`);
    statements.length = 0;
  });

  test('commits the work of a block that resolves, and returns its value', async () => {
    const v = await transaction(client, async () => {
      await client.exec(sql`INSERT INTO t VALUES (${1}), (${2})`);
      return 'done';
    });
    assert.equal(v, 'done');
    assert.equal(await count(), 2);
    assert.deepEqual(statements.slice(0, 1), ['BEGIN TRANSACTION']);
    assert.ok(statements.includes('COMMIT'));
  });

  test('rolls back the work of a block that throws, and rethrows the same error', async () => {
    const boom = new Error('boom');
    await assert.rejects(
      transaction(client, async () => {
        await client.exec(sql`INSERT INTO t VALUES (${1})`);
        throw boom;
      }),
      (err) => err === boom,
    );
    assert.equal(await count(), 0);
    assert.ok(statements.includes('ROLLBACK'));
    assert.equal(inTransaction(client), false);
  });

  test('rolls back when a statement inside fails, leaving the connection usable', async () => {
    await assert.rejects(
      transaction(client, async () => {
        await client.exec(sql`INSERT INTO t VALUES (${1})`);
        await client.exec(sql`INSERT INTO no_such_table VALUES (1)`);
      }),
      { name: 'QueryError' },
    );
    assert.equal(await count(), 0);
    await transaction(client, () => client.exec(sql`INSERT INTO t VALUES (${3})`));
    assert.equal(await count(), 1);
  });

  test('a transaction inside a transaction is refused before it runs, and the outer one still commits', async () => {
    await transaction(client, async () => {
      await client.exec(sql`INSERT INTO t VALUES (${1})`);
      await assert.rejects(
        transaction(client, () => client.exec(sql`INSERT INTO t VALUES (${2})`)),
        /already inside a transaction/,
      );
      assert.equal(inTransaction(client), true);
    });
    assert.equal(await count(), 1);
    assert.equal(inTransaction(client), false);
  });
});
