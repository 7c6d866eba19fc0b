import { z } from 'zod';
import { rowDecoder } from '../sql/row-decoder.ts';
import { sql } from '../sql/sql.ts';
import type { ClickHouseClient } from './clickhouse-client.ts';
import { int, text } from './decode.ts';

const PartsRow = rowDecoder(
  'storeVersion',
  z.object({ host: text, dir: text, block: int, modified: text, parts: int }),
);

/**
 * The version of a ClickHouse store as `rlaudit serve`'s response cache sees it (the twin of the DuckDB file's
 * size, time and inode): for every table directory of the database on every shard, the highest block number
 * of its active parts, their newest modification time and their count, read from `system.parts` (through the
 * `cluster()` table function on a cluster, so every shard's parts count).
 *
 * Every write of the store is an insert (the tracking and the ledger append versioned rows; nothing is
 * mutated), and an insert makes a part with a block number above every earlier one of its table, so any write
 * changes the version; a merge keeps the highest block number (it may change the count, which only costs a
 * recomputation). A table dropped and recreated starts its numbers again, but its parts' modification times
 * are newer. One small query of the servers' metadata, whatever the size of the runs.
 *
 * A server that refuses the query (a user without access to `system.parts`, or to table functions when
 * `readonly=1`) gets `null`: the dashboard then keeps no answer and computes every one (never a stale one).
 */
export async function clickHouseStoreVersion(
  client: ClickHouseClient,
  database: string,
  cluster: string | null,
): Promise<string | null> {
  const parts = cluster === null ? sql`system.parts` : sql`cluster(${cluster}, system, parts)`;
  try {
    const rows = await client.query(
      sql`SELECT hostName() AS host, substring(path, 1, length(path) - length(name) - 1) AS dir,
              max(max_block_number) AS block, toString(max(modification_time)) AS modified, count() AS parts
            FROM ${parts} WHERE database = ${database} AND active
            GROUP BY host, dir ORDER BY host, dir`,
      PartsRow,
    );
    return rows.map((r) => `${r.host}:${r.dir}:${r.block}:${r.modified}:${r.parts}`).join('|') || 'empty';
  } catch {
    return null;
  }
}
