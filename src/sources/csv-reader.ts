import { parse } from 'csv-parse';
import { InputError } from '../model/errors.ts';
import { ByteSource } from './byte-source.ts';
import type { DetectedFile } from './detect-format.ts';
import type { ReadOptions, SourceItem } from './source-item.ts';
import { duplicateKeyInCells, headerProblem, parseHeader, unflattenRow } from './unflatten.ts';

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
      // a UTF-8 BOM is taken off the first cell below: csv-parse's `bom` option turns cells into strings
      bom: false,
      info: true,
      max_record_size: options.maxLineBytes,
    }),
  );
  source.stream.on('error', (err) => parser.destroy(err));
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let header: string[][] | null = null;
  let batch: SourceItem[] = [];
  let lastLine = 0;
  try {
    for await (const rec of parser as AsyncIterable<{ record: Buffer[]; info: { lines: number } }>) {
      const line = rec.info.lines - countNewlines(rec.record);
      lastLine = rec.info.lines;
      let cells: string[];
      if (header === null && rec.record.length > 0 && startsWithBom(rec.record[0]!)) {
        rec.record[0] = rec.record[0]!.subarray(3);
      }
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
        const problem = headerProblem(cells, header);
        if (problem !== null) {
          throw new InputError(`the column ${JSON.stringify(problem.column)} ${problem.message}`, {
            file: file.path,
            line,
            field: problem.column,
          });
        }
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
      const twice = duplicateKeyInCells(header, cells);
      if (twice !== null) {
        batch.push({
          kind: 'unreadable',
          line,
          field: twice,
          expected: 'each key once per object (a duplicate key is refused, not resolved)',
          got: `the key ${JSON.stringify(twice.split('.').pop())} twice`,
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
    const e = err as Error & { code?: string; lines?: number; column?: number | string; field?: unknown };
    if (err instanceof InputError) throw err;
    if (typeof e.code === 'string' && CSV_ERRORS.has(e.code.replace(/^CSV_/, ''))) {
      throw new InputError(csvProblem(e), { file: file.path, line: e.lines ?? lastLine + 1 }, { cause: err });
    }
    throw source.wrapError(err, lastLine + 1);
  }
  if (batch.length > 0) yield batch;
}

/** csv-parse's error codes for text that is not well-formed CSV (with or without the `CSV_` prefix). */
const CSV_ERRORS = new Set([
  'INVALID_OPENING_QUOTE',
  'INVALID_CLOSING_QUOTE',
  'QUOTE_NOT_CLOSED',
  'MAX_RECORD_SIZE',
  'RECORD_INCONSISTENT_FIELDS_LENGTH',
  'RECORD_DONT_MATCH_COLUMNS_LENGTH',
  'INVALID_COLUMN_MAPPING',
  'INVALID_BOM',
]);

/** One sentence about malformed CSV in the user's terms: what is wrong, in which column, with the cell as text. */
function csvProblem(e: {
  code?: string;
  column?: number | string;
  field?: unknown;
  message: string;
}): string {
  const code = (e.code ?? '').replace(/^CSV_/, '');
  const cell = Buffer.isBuffer(e.field)
    ? e.field.toString('utf8')
    : typeof e.field === 'string'
      ? e.field
      : null;
  const column = typeof e.column === 'number' ? ` in column ${e.column + 1}` : '';
  const shown =
    cell === null
      ? ''
      : `; the cell so far: ${JSON.stringify(cell.length > 60 ? `${cell.slice(0, 60)}…` : cell)}`;
  switch (code) {
    case 'INVALID_OPENING_QUOTE':
      return `malformed CSV: a quote inside a cell that does not start with one${column} (quote the whole cell and double the quote: "a""b")${shown}`;
    case 'INVALID_CLOSING_QUOTE':
      return `malformed CSV: a quoted cell is followed by text before the next comma${column}${shown}`;
    case 'QUOTE_NOT_CLOSED':
      return `malformed CSV: a quoted cell is never closed (the file ends inside it)${shown}`;
    case 'MAX_RECORD_SIZE':
      return 'malformed CSV: a row longer than --max-line-bytes (raise it, or check for an unclosed quote)';
    default:
      return `malformed CSV (${e.message.replace(/, value is .*$/, '')})`;
  }
}

function startsWithBom(b: Buffer): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

function countNewlines(cells: readonly Buffer[]): number {
  let n = 0;
  for (const c of cells) for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) n++;
  return n;
}
