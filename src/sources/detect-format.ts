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
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(err)})`, {
      file: path,
    });
  }
  if (bytes === 0) throw new InputError('file is empty: no records to ingest', { file: path });

  const fh = await open(path, 'r');
  const head = Buffer.alloc(Math.min(bytes, 64 * 1024));
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
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
  if (format === null || looksBinary(sample.subarray(0, 4096))) {
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
  return { path, format, gzip, bytes };
}

function sniff(sample: Buffer): FileFormat | null {
  const textStart = sample.toString('utf8').trimStart();
  if (textStart.startsWith('{')) return 'jsonl';
  const firstLine = textStart.split('\n', 1)[0] ?? '';
  if (firstLine.includes(',') && /^[\w".\- ,]+$/.test(firstLine.trim())) return 'csv';
  return null;
}
