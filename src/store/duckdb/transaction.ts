import { sql } from '../sql/sql.ts';
import type { DuckDbClient } from './duckdb-client.ts';

/** Connections inside `transaction()` right now: DuckDB has no nested transactions (nor savepoints). */
const open = new WeakSet<DuckDbClient>();

/**
 * Runs `fn` in one DuckDB transaction: BEGIN, then COMMIT when `fn` resolves, or ROLLBACK when it throws
 * (the error is rethrown as it was; a failing ROLLBACK does not replace it). A transaction inside a
 * transaction on the same connection is a bug and throws before anything runs: DuckDB would refuse the
 * inner BEGIN and the outer block's COMMIT would then commit half of the inner work.
 *
 * @example
 * const id = await transaction(client, async () => {
 *   await client.exec(sql`INSERT INTO runs (run) VALUES (${run})`);
 *   return 1;
 * });
 */
export async function transaction<T>(client: DuckDbClient, fn: () => Promise<T>): Promise<T> {
  if (open.has(client)) {
    throw new Error(
      'transaction(): already inside a transaction on this connection (DuckDB cannot nest them)',
    );
  }
  open.add(client);
  try {
    await client.exec(sql`BEGIN TRANSACTION`);
    try {
      const result = await fn();
      await client.exec(sql`COMMIT`);
      return result;
    } catch (err) {
      // after a failed COMMIT DuckDB has already rolled back; the ROLLBACK's own error is not the story
      await client.exec(sql`ROLLBACK`).catch(() => undefined);
      throw err;
    }
  } finally {
    open.delete(client);
  }
}

/**
 * True while `client` is inside {@link transaction}: for code that must run inside one.
 *
 * @example if (!inTransaction(client)) throw new Error('mergeStage runs inside the batch transaction');
 */
export function inTransaction(client: DuckDbClient): boolean {
  return open.has(client);
}
