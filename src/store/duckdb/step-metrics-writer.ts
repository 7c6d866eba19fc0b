import { BIGINT, DOUBLE, type DuckDBValue, VARCHAR } from '@duckdb/node-api';
import { z } from 'zod';
import { rowDecoder } from '../sql/row-decoder.ts';
import { sql } from '../sql/sql.ts';
import type { IngestCounts, StepMetricsBatch } from '../store.ts';
import { emptyCounts } from '../store.ts';
import { nullableText, number, text } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { finishBatch } from './finish-batch.ts';
import { appendRows } from './stage-tables.ts';
import { transaction } from './transaction.ts';

const STEP_METRICS_TABLE = {
  name: 'step_metrics',
  schema: 'main',
  catalog: null,
  columns: [
    ['run', VARCHAR],
    ['step', BIGINT],
    ['name', VARCHAR],
    ['value', DOUBLE],
    ['load_id', BIGINT],
    ['source_line', BIGINT],
  ],
} as const;

/** Stored step metrics of a run's step range; `f` is the file of the load that stored the value. */
const StoredMetricRow = rowDecoder(
  'storedStepMetrics',
  z.object({ step: number, name: text, value: number, f: nullableText, l: number }),
);

/**
 * Per-step metrics, one transaction per batch: new (run, step, name) keys are appended; equal stored values
 * are duplicates; a different stored value is a conflict, rejected with the file and line of the kept copy.
 *
 * @example const counts = await writeStepMetrics(client, { loadId, sourceFile, rows, runIds, rejects });
 */
export async function writeStepMetrics(client: DuckDbClient, batch: StepMetricsBatch): Promise<IngestCounts> {
  const counts = emptyCounts();
  const key = (run: string, step: number, name: string) => `${run}\u0000${step}\u0000${name}`;
  await transaction(client, async () => {
    const stored = new Map<string, { value: number; file: string | null; line: number }>();
    const ranges = new Map<string, { lo: number; hi: number }>();
    for (const r of batch.rows) {
      const g = ranges.get(r.run);
      ranges.set(
        r.run,
        g ? { lo: Math.min(g.lo, r.step), hi: Math.max(g.hi, r.step) } : { lo: r.step, hi: r.step },
      );
    }
    for (const [run, { lo, hi }] of ranges) {
      const rows = await client.query(
        sql`SELECT m.step, m.name, m.value, l.abs_path AS f, m.source_line AS l FROM step_metrics m
              LEFT JOIN loads l ON l.load_id = m.load_id WHERE m.run = ${run} AND m.step BETWEEN ${lo} AND ${hi}`,
        StoredMetricRow,
      );
      for (const r of rows) stored.set(key(run, r.step, r.name), { value: r.value, file: r.f, line: r.l });
    }
    const fresh: DuckDBValue[][] = [];
    for (const r of batch.rows) {
      counts.read++;
      const prior = r.metrics.map((m) => ({ m, s: stored.get(key(r.run, r.step, m.name)) }));
      const clash = prior.find(({ m, s }) => s !== undefined && s.value !== m.value);
      if (clash) {
        counts.rejected++;
        counts.conflicts++;
        const file = batch.sourceFile;
        const field = clash.m.name;
        const got = `step ${r.step}: ${clash.m.value} (stored: ${clash.s!.value})`;
        await client.exec(
          sql`INSERT INTO rejects (run, load_id, source_file, source_line, record_type, field, expected, got,
                                   conflict_file, conflict_line)
                SELECT ${r.run}, ${batch.loadId}, ${file}, ${r.line}, 'step_metrics', ${field},
                       'the value already stored for this step (a conflict: the stored copy is kept)', ${got},
                       ${clash.s!.file}, ${clash.s!.line}
                WHERE NOT EXISTS (SELECT 1 FROM rejects WHERE source_file = ${file} AND source_line = ${r.line}
                                  AND field = ${field})`,
        );
        continue;
      }
      if (prior.every(({ s }) => s !== undefined)) {
        counts.duplicates++;
        continue;
      }
      counts.accepted++;
      for (const { m, s } of prior) {
        if (s !== undefined) continue;
        fresh.push([r.run, BigInt(r.step), m.name, m.value, BigInt(batch.loadId), BigInt(r.line)]);
        stored.set(key(r.run, r.step, m.name), { value: m.value, file: batch.sourceFile, line: r.line });
      }
    }
    await appendRows(client, STEP_METRICS_TABLE, fresh);
    await finishBatch(client, batch, counts);
  });
  return counts;
}
