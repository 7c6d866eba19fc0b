import { sql } from '../sql/sql.ts';
import type { IngestBatch, IngestCounts } from '../store.ts';
import type { DuckDbClient } from './duckdb-client.ts';

/**
 * The end of every batch's transaction: each run a valid row belongs to exists in `runs` (a run record may
 * never come), and the batch's rejects are stored and counted. Rejected rows are kept once per
 * (file, line, field, value): re-ingesting a file does not repeat them.
 *
 * @example await transaction(client, async () => { …; await finishBatch(client, batch, counts); });
 */
export async function finishBatch(
  client: DuckDbClient,
  batch: Pick<IngestBatch, 'runIds' | 'rejects' | 'loadId' | 'sourceFile'>,
  counts: IngestCounts,
): Promise<void> {
  for (const run of batch.runIds) {
    await client.exec(
      sql`INSERT INTO runs (run) SELECT ${run} WHERE NOT EXISTS (SELECT 1 FROM runs WHERE run = ${run})`,
    );
  }
  const file = batch.sourceFile;
  for (const r of batch.rejects) {
    await client.exec(
      sql`INSERT INTO rejects (run, load_id, source_file, source_line, record_type, field, expected, got)
            SELECT ${r.run}, ${batch.loadId}, ${file}, ${r.line}, ${r.recordType}, ${r.field}, ${r.expected}, ${r.got}
            WHERE NOT EXISTS (SELECT 1 FROM rejects WHERE source_file = ${file} AND source_line = ${r.line}
                              AND field = ${r.field} AND got = ${r.got})`,
    );
  }
  counts.read += batch.rejects.length;
  counts.rejected += batch.rejects.length;
}
