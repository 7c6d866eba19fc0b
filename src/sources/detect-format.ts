import { open, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../model/errors.ts';

export type FileFormat = 'jsonl' | 'csv' | 'parquet';

export interface DetectedFile {
  readonly path: string;
  readonly format: FileFormat;
  readonly gzip: boolean;
  readonly bytes: number;
}

const PARQUET_MAGIC = Buffer.from('PAR1');

function byExtension(name: string): FileFormat | null {
  const lower = name.toLowerCase();
  if (/\.(jsonl|ndjson|json)$/.test(lower)) return 'jsonl';
  if (/\.(csv|tsv)$/.test(lower)) return 'csv';
  if (/\.parquet$/.test(lower)) return 'parquet';
  return null;
}

function looksBinary(head: Buffer): boolean {
  return head.includes(0);
}

/**
 * UTF-16 text: a UTF-16 byte-order mark, or (without one) ASCII text with a zero byte in every other place.
 */
function looksUtf16(head: Buffer): boolean {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)))
    return true;
  const n = Math.min(head.length, 512) & ~1;
  if (n < 8) return false;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZeros++;
    if (head[i + 1] === 0) oddZeros++;
  }
  return Math.max(evenZeros, oddZeros) >= (n / 2) * 0.9 && Math.min(evenZeros, oddZeros) === 0;
}

/** A file system error as a message naming what went wrong, in words (the code in brackets). */
export function fsProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EISDIR':
      return 'is a directory, not a file (EISDIR)';
    case 'ENOTDIR':
      return `a part of the path is not a directory (${code})`;
    case 'ELOOP':
      return `too many symbolic links (${code})`;
    case 'ENAMETOOLONG':
      return `the path is too long (${code})`;
    case 'EMFILE':
    case 'ENFILE':
      return `too many open files (${code})`;
    case 'EIO':
      return `input/output error (${code})`;
    default:
      return `file system error (${code ?? (err as Error)?.message ?? String(err)})`;
  }
}

/** Reads up to `length` bytes from the start of a file, mapping a file system error to an `InputError`. */
async function readHead(path: string, length: number): Promise<Buffer> {
  try {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(length);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new InputError(fsProblem(err), { file: path }, { cause: err });
  }
}

/** The sample holds the whole file: what it says about having no records is final. */
function noRecords(sample: Buffer, format: FileFormat): string | null {
  const text = sample.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return 'file has no records (it holds only whitespace)';
  if (format === 'csv') {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (lines.length === 1 && !lines[0]!.includes('"'))
      return 'file has no records (a CSV header and no rows)';
  }
  return null;
}

/**
 * Decides how to read a file from its name and first bytes, before anything is written. A missing, empty or
 * unrecognisable file is an `InputError` naming the file.
 */
export async function detectFormat(path: string, forced?: FileFormat): Promise<DetectedFile> {
  let bytes: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new InputError('not a regular file', { file: path });
    bytes = st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(fsProblem(err), { file: path }, { cause: err });
  }
  if (bytes === 0) throw new InputError('file is empty: no records to ingest', { file: path });

  const head = await readHead(path, Math.min(bytes, 64 * 1024));
  const whole = head.length >= bytes;
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const name = path.replace(/\.gz$/i, '');
  if (!gzip && path.toLowerCase().endsWith('.gz')) {
    throw new InputError('named .gz but is not gzip-compressed', { file: path });
  }
  if (head.subarray(0, 4).equals(PARQUET_MAGIC)) {
    if (forced && forced !== 'parquet') throw new InputError(`is Parquet, not ${forced}`, { file: path });
    return { path, format: 'parquet', gzip: false, bytes };
  }
  let sample = head;
  if (gzip) {
    try {
      sample = gunzipSync(head, { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate a cut-off sample */ });
    } catch (err) {
      throw new InputError(`not a readable gzip file (${(err as Error).message})`, { file: path });
    }
  }
  const ext = byExtension(name);
  const format = forced ?? ext ?? sniff(sample);
  if (format === 'parquet') {
    throw new InputError('named .parquet but has no Parquet magic bytes (PAR1)', { file: path });
  }
  if (looksUtf16(sample)) {
    throw new InputError(
      'is UTF-16 text; rlaudit reads UTF-8: convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 IN > OUT)',
      { file: path },
    );
  }
  // a NUL byte in a file named .jsonl/.csv is a bad line, reported with its line number, not a bad file
  if (format === null || (ext === null && looksBinary(sample.subarray(0, 4096)))) {
    throw new InputError('not a JSONL, CSV or Parquet file (use .jsonl, .csv or .parquet, optionally .gz)', {
      file: path,
    });
  }
  if (format === 'jsonl') {
    const first = sample.toString('utf8').trimStart()[0];
    if (first !== undefined && first !== '{' && first !== '[') {
      throw new InputError(
        `not JSONL: the first record does not start with '{' (starts with ${JSON.stringify(first)})`,
        {
          file: path,
          line: 1,
        },
      );
    }
  }
  if (whole && !gzip) {
    const none = noRecords(sample, format);
    if (none !== null) throw new InputError(none, { file: path });
  }
  return { path, format, gzip, bytes };
}

function sniff(sample: Buffer): FileFormat | null {
  const textStart = sample.toString('utf8').trimStart();
  if (textStart.startsWith('{')) return 'jsonl';
  const firstLine = textStart.split('\n', 1)[0] ?? '';
  if (firstLine.includes(',') && /^[\w".\- ,]+$/.test(firstLine.trim())) return 'csv';
  return null;
}
