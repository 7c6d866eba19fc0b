import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ProgressFn } from './source-item.ts';

/**
 * What one pass over a plain (not compressed) JSONL file found, with native byte operations only: its SHA-256,
 * its longest line, and whether the engine path may read it (docs/ingest.md, "The engine path").
 */
export interface JsonlPrescan {
  readonly sha256: string;
  /** Bytes of the longest line (without its newline). */
  readonly longestLine: number;
  /** Lines of the file (a last line without a newline counts; nothing after a final newline does). */
  readonly lines: number;
  /** Σ ((line mod 1,000,003) × bytes of the line) mod 2,147,483,647: the engine's line order is checked by it. */
  readonly checksum: number;
  /** Why the file must take the TypeScript reader, or null when DuckDB may read it line by line. */
  readonly fallback: string | null;
}

const NEWLINE = 0x0a;

/**
 * Reads a plain JSONL file once, hashing it and checking what DuckDB's line reader would not report the way
 * the TypeScript reader does: a UTF-8 byte order mark, invalid UTF-8, a NUL byte, a 0x01 byte (the engine's
 * field delimiter), a carriage return (CRLF lines), and a line longer than `maxLineBytes`. Any of these sends
 * the whole file to the TypeScript reader, which gives each such line its exact message.
 */
export async function prescanJsonl(
  path: string,
  maxLineBytes: number,
  onProgress?: ProgressFn,
): Promise<JsonlPrescan> {
  const hash = createHash('sha256');
  let fallback: string | null = null;
  let longest = 0;
  let current = 0; // bytes of the line in progress
  let carry: Buffer | null = null; // an incomplete UTF-8 tail of the previous chunk
  let first = true;
  let lines = 0;
  let checksum = 0;
  const endLine = (bytes: number) => {
    lines++;
    checksum = (checksum + (lines % 1_000_003) * bytes) % 2_147_483_647;
    if (bytes > longest) longest = bytes;
  };
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    read += chunk.length;
    onProgress?.(read);
    if (fallback !== null) continue;
    if (first && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
      fallback = 'a UTF-8 byte order mark';
    first = false;
    if (chunk.indexOf(0x00) >= 0) fallback = 'a NUL byte';
    else if (chunk.indexOf(0x01) >= 0) fallback = 'a 0x01 byte';
    else if (chunk.indexOf(0x0d) >= 0) fallback = 'a carriage return (CRLF line ends)';
    if (fallback !== null) continue;
    // UTF-8 is checked up to the last newline of the chunk (a character never spans a newline)
    const lastNl = chunk.lastIndexOf(NEWLINE);
    if (lastNl < 0) {
      carry = carry === null ? chunk : Buffer.concat([carry, chunk]);
    } else {
      const head =
        carry === null ? chunk.subarray(0, lastNl) : Buffer.concat([carry, chunk.subarray(0, lastNl)]);
      if (!isUtf8(head)) fallback = 'invalid UTF-8';
      carry = chunk.subarray(lastNl + 1);
    }
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0) {
        current += chunk.length - pos;
        break;
      }
      endLine(current + nl - pos);
      current = 0;
      pos = nl + 1;
    }
    if (Math.max(longest, current) > maxLineBytes) fallback = 'a line longer than --max-line-bytes';
    // a carried tail longer than a line may be is the over-long line itself: stop holding it
    if (carry !== null && carry.length > maxLineBytes) fallback = 'a line longer than --max-line-bytes';
  }
  if (current > 0) endLine(current); // a last line without a newline
  if (fallback === null && carry !== null && carry.length > 0 && !isUtf8(carry)) fallback = 'invalid UTF-8';
  return { sha256: hash.digest('hex'), longestLine: longest, lines, checksum, fallback };
}
