import { ByteSource } from './byte-source.ts';
import type { DetectedFile } from './detect-format.ts';
import { duplicateKey } from './duplicate-keys.ts';
import type { ReadOptions, SourceItem } from './source-item.ts';

const NEWLINE = 0x0a;
const CR = 0x0d;

/** A size in the unit that shows it: bytes below 1 KiB, KiB below 1 MiB, else MiB. */
export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Parses one JSONL line (BOM and line end already removed): a row, or why it cannot be read. */
export function parseJsonLine(text: string, line: number): SourceItem {
  try {
    const value: unknown = JSON.parse(text);
    const twice = duplicateKey(text, value);
    if (twice !== null) {
      return {
        kind: 'unreadable',
        line,
        field: twice,
        expected: 'each key once per object (a duplicate key is refused, not resolved)',
        got: `the key ${JSON.stringify(twice.split('.').pop())} twice`,
      };
    }
    return { kind: 'row', line, value };
  } catch (err) {
    const hint = /\b(NaN|-?Infinity)\b/.test(text)
      ? ' (NaN and Infinity are not JSON numbers)'
      : text.includes('\u0000')
        ? ' (the line holds a NUL byte)'
        : '';
    const got = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    return {
      kind: 'unreadable',
      line,
      field: '(line)',
      expected: `valid JSON${hint}`,
      got: `${got} — ${(err as Error).message}`,
    };
  }
}

/**
 * One line of text as the reader treats it (without its newline): leading spaces and tabs trimmed, a line of
 * only those is no record (null); otherwise the parsed row, or the reject of a line that is not JSON or names
 * a key twice. The engine path (src/store/duckdb/engine-jsonl.ts) hands it the lines SQL did not accept.
 */
export function parseJsonlLine(text: string, line: number): SourceItem | null {
  let start = 0;
  while (start < text.length && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09)) start++;
  let end = text.length;
  if (end > start && text.charCodeAt(end - 1) === 0x0d) end--;
  if (start === end) return null;
  return parseJsonLine(start === 0 && end === text.length ? text : text.slice(start, end), line);
}

/**
 * Streams a JSONL file (optionally gzip-compressed) as batches of parsed rows, with exact 1-based line
 * numbers. Blank lines are skipped (they are not records). Memory stays bounded: a line longer than
 * `maxLineBytes` is reported and skipped without being held; invalid UTF-8 is reported per line.
 */
export async function* readJsonl(
  file: DetectedFile,
  options: ReadOptions,
  source: ByteSource = new ByteSource(file.path, file.gzip, options.onProgress),
): AsyncGenerator<SourceItem[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false; // inside an over-long line: discard bytes until its newline
  let batch: SourceItem[] = [];

  const finishLine = (bytes: Buffer): void => {
    line++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    let start = 0;
    while (start < end && (bytes[start] === 0x20 || bytes[start] === 0x09)) start++;
    if (start === end) return;
    if (start === 0 && end > 2 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // BOM
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(start, end));
    } catch {
      batch.push({
        kind: 'unreadable',
        line,
        field: '(line)',
        expected: 'UTF-8 text',
        got: 'invalid UTF-8 bytes',
      });
      return;
    }
    batch.push(parseJsonLine(text, line));
  };

  /** Ends an over-long line that was skipped without being held: one reject naming its size. */
  const tooLong = (): void => {
    line++;
    batch.push({
      kind: 'unreadable',
      line,
      field: '(line)',
      expected: `a line of at most ${byteSize(options.maxLineBytes)} (raise --max-line-bytes)`,
      got: `a line of ${byteSize(pendingBytes)}`,
    });
    skipping = false;
    pendingBytes = 0;
  };

  try {
    for await (const chunk of source.stream as AsyncIterable<Buffer>) {
      let pos = 0;
      while (pos < chunk.length) {
        const nl = chunk.indexOf(NEWLINE, pos);
        const end = nl < 0 ? chunk.length : nl;
        if (skipping) {
          pendingBytes += end - pos;
          if (nl >= 0) tooLong();
        } else if (nl >= 0 && pending.length === 0 && end - pos <= options.maxLineBytes) {
          finishLine(chunk.subarray(pos, end));
        } else {
          pending.push(chunk.subarray(pos, end));
          pendingBytes += end - pos;
          if (pendingBytes > options.maxLineBytes) {
            pending = [];
            skipping = true;
            if (nl >= 0) tooLong(); // the over-long line ended within this chunk
          } else if (nl >= 0) {
            finishLine(Buffer.concat(pending, pendingBytes));
            pending = [];
            pendingBytes = 0;
          }
        }
        pos = nl < 0 ? chunk.length : nl + 1;
        if (batch.length >= options.batchRows) {
          yield batch;
          batch = [];
        }
      }
    }
  } catch (err) {
    throw source.wrapError(err, line + 1);
  }
  if (skipping) {
    tooLong();
  } else if (pending.length > 0) {
    finishLine(Buffer.concat(pending, pendingBytes));
  }
  if (batch.length > 0) yield batch;
}
