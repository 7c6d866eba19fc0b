import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { InputError } from '../model/errors.ts';
import type { DetectedFile } from './detect-format.ts';
import type { ReadOptions, SourceItem } from './source-item.ts';

/** DuckDB hands BIGINT back as bigint and DECIMAL/HUGEINT as objects; rows are made plain JSON values. */
function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}

/**
 * Reads a Parquet file of sessions with DuckDB's Parquet reader (a private in-memory instance: this is a
 * reader, not the store). The line number of a row is its 1-based row number in the file.
 */
export async function* readParquet(file: DetectedFile, options: ReadOptions): AsyncGenerator<SourceItem[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    let result: Awaited<ReturnType<typeof conn.stream>>;
    try {
      result = await conn.stream(
        'SELECT * EXCLUDE (file_row_number) FROM read_parquet($path, file_row_number = true) ORDER BY file_row_number',
        { path: file.path },
      );
    } catch {
      // older files: fall back to scan order, which DuckDB preserves by default
      try {
        result = await conn.stream('SELECT * FROM read_parquet($path)', { path: file.path });
      } catch (err) {
        throw new InputError(`not a readable Parquet file (${(err as Error).message.split('\n')[0]})`, {
          file: file.path,
        });
      }
    }
    let line = 0;
    let batch: SourceItem[] = [];
    for await (const rows of result.yieldRowObjectJs()) {
      for (const row of rows) {
        line++;
        batch.push({ kind: 'row', line, value: toPlain(row) });
      }
      if (batch.length >= options.batchRows) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    options.onProgress?.(file.bytes);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** SHA-256 of a file as stored, for provenance. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
