import { ByteSource } from './byte-source.ts';
import { readCsv } from './csv-reader.ts';
import type { DetectedFile } from './detect-format.ts';
import { readJsonl } from './jsonl-reader.ts';
import { readParquet, sha256File } from './parquet-reader.ts';
import type { ReadOptions, SourceItem } from './source-item.ts';

/** An open input file: its batches of items, and its SHA-256 once fully read. */
export interface RecordSource {
  readonly batches: AsyncGenerator<SourceItem[]>;
  sha256(): Promise<string>;
}

/** Opens a detected file with the reader for its format. */
export function openRecords(file: DetectedFile, options: ReadOptions): RecordSource {
  if (file.format === 'parquet') {
    return { batches: readParquet(file, options), sha256: () => sha256File(file.path) };
  }
  const bytes = new ByteSource(file.path, file.gzip, options.onProgress);
  const batches = file.format === 'csv' ? readCsv(file, options, bytes) : readJsonl(file, options, bytes);
  return { batches, sha256: async () => bytes.sha256() };
}
