import { parse } from 'csv-parse';
import { InputError } from '../model/errors.ts';
import { ByteSource } from './byte-source.ts';
import type { DetectedFile } from './detect-format.ts';
import type { ReadOptions, SourceItem } from './source-item.ts';
import { parseHeader, unflattenRow } from './unflatten.ts';

/**
 * Streams a CSV (or TSV) file of sessions, optionally gzip-compressed. The first row is the header; nested
 * fields are dotted column names. Line numbers are 1-based physical lines of the file (a quoted cell may
 * span lines: the record's first line is reported). Invalid UTF-8 and a wrong number of cells are reported
 * per row; a malformed quote ends the file with an `InputError` naming the line.
 */
export async function* readCsv(
  file: DetectedFile,
  options: ReadOptions,
  source: ByteSource = new ByteSource(file.path, file.gzip, options.onProgress),
): AsyncGenerator<SourceItem[]> {
  const delimiter = /\.tsv(\.gz)?$/i.test(file.path) ? '\t' : ',';
  const parser = source.stream.pipe(
    parse({
      delimiter,
      encoding: null as unknown as BufferEncoding, // cells arrive as Buffers so bad UTF-8 is caught per row
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
      info: true,
      max_record_size: options.maxLineBytes,
    }),
  );
  source.stream.on('error', (err) => parser.destroy(err));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let header: string[][] | null = null;
  let batch: SourceItem[] = [];
  let lastLine = 0;
  try {
    for await (const rec of parser as AsyncIterable<{ record: Buffer[]; info: { lines: number } }>) {
      const line = rec.info.lines - countNewlines(rec.record);
      lastLine = rec.info.lines;
      let cells: string[];
      try {
        cells = rec.record.map((b) => decoder.decode(b));
      } catch {
        batch.push({
          kind: 'unreadable',
          line,
          field: '(line)',
          expected: 'UTF-8 text',
          got: 'invalid UTF-8 bytes',
        });
        continue;
      }
      if (header === null) {
        header = parseHeader(cells);
        continue;
      }
      if (cells.length !== header.length) {
        batch.push({
          kind: 'unreadable',
          line,
          field: '(line)',
          expected: `${header.length} cells as in the header`,
          got: `${cells.length} cells`,
        });
        continue;
      }
      batch.push({ kind: 'row', line, value: unflattenRow(header, cells) });
      if (batch.length >= options.batchRows) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number };
    if (e.code?.startsWith('CSV_')) {
      throw new InputError(`malformed CSV (${e.message})`, {
        file: file.path,
        line: e.lines ?? lastLine + 1,
      });
    }
    throw source.wrapError(err, lastLine + 1);
  }
  if (batch.length > 0) yield batch;
}

function countNewlines(cells: readonly Buffer[]): number {
  let n = 0;
  for (const c of cells) for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) n++;
  return n;
}
