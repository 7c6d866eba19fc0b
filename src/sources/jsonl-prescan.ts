import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
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
  /** The lines that hold no record (empty, or spaces and tabs only), ascending: DuckDB's JSON reader skips them. */
  readonly blankLines: readonly number[];
  /**
   * The lines whose bytes hold what DuckDB's JSON parser reads and `JSON.parse` refuses or reads otherwise (see
   * `SUSPECT_BYTES`), ascending: the engine path sends them to the TypeScript validator whatever SQL decides.
   */
  readonly suspectLines: readonly number[];
  /** Why the file must take the TypeScript reader, or null when DuckDB may read it line by line. */
  readonly fallback: string | null;
  /** Bytes of the lines that hold a record (not blank), without their newlines: the typed scan's check. */
  readonly recordBytes: number;
  /** What `nullKeyBytes` counts over the whole file: the typed scan's check. */
  readonly nullBytes: number;
}

/**
 * The session fields whose JSON null the record format accepts (stored as when the field is absent). The typed
 * scan (docs/ingest.md, "The engine path") reads a null as it reads an absent key, so their bytes are counted here.
 */
export const NULLABLE_KEYS: ReadonlySet<string> = new Set([
  'step',
  'time',
  'phase',
  'checkpoint',
  'prompt_id',
  'prompt',
  'classification',
  'category',
  'baseline_reward',
  'adjusted_reward',
  'differential_pct',
  'compliance_trajectory_index',
]);

/** `NULLABLE_KEYS` as bytes, by length: a key is compared where it lies, without making a string of it. */
const NULLABLE_BY_LENGTH: ReadonlyMap<number, readonly Buffer[]> = (() => {
  const out = new Map<number, Buffer[]>();
  for (const k of NULLABLE_KEYS) out.set(k.length, [...(out.get(k.length) ?? []), Buffer.from(k, 'latin1')]);
  return out;
})();

/** Whether `head[from, to)` is one of `NULLABLE_KEYS`, byte for byte. */
function isNullableKey(head: Buffer, from: number, to: number): boolean {
  const candidates = NULLABLE_BY_LENGTH.get(to - from);
  if (candidates === undefined) return false;
  next: for (const k of candidates) {
    for (let i = 0; i < k.length; i++) if (head[from + i] !== k[i]) continue next;
    return true;
  }
  return false;
}

const COMMA = 0x2c;
const NULL_VALUE = Buffer.from(':null', 'latin1');
const QUOTE = 0x22;

/**
 * The bytes of every `"K":null` in `head` whose key K is one of `NULLABLE_KEYS`, written as a minified object
 * member — the opening quote right after `{` or `,` (so unescaped: a member's key, not text inside a string), the
 * value followed by `,` or `}` — each with the one comma that separates it from its neighbour. The typed scan
 * needs a count that is never more than such members really hold: a `\"K\":null` inside a string fails the
 * opening-quote test.
 */
export function nullKeyBytes(head: Buffer): number {
  let total = 0;
  let at = head.indexOf(NULL_VALUE);
  while (at >= 0) {
    const after = head[at + 5];
    if (head[at - 1] === QUOTE && (after === COMMA || after === 0x7d)) {
      const open = head.lastIndexOf(QUOTE, at - 2);
      const before = open > 0 ? head[open - 1] : undefined;
      if (open > 0 && (before === 0x7b || before === COMMA) && isNullableKey(head, open + 1, at - 1))
        total += at - 1 - (open + 1) + 8; // the key, its quotes, colon, null, and one comma
    }
    at = head.indexOf(NULL_VALUE, at + 5);
  }
  return total;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Byte sequences a line is suspect for, wherever they stand (inside a string too: a false alarm only costs the
 * line a trip through the TypeScript validator). A trailing comma — `,}` `,]`, or a comma, blanks and the
 * bracket, which always holds a blank before the bracket — is read by DuckDB and refused by `JSON.parse`; an
 * escaped NUL is kept as the TypeScript reader's own rules say; an integer `-0` DuckDB reads as 0, JavaScript
 * as −0.
 */
export const SUSPECT_BYTES: readonly string[] = [
  ',}',
  ',]',
  ' }',
  ' ]',
  '\t}',
  '\t]',
  '\\u0000',
  '-0,',
  '-0}',
  '-0]',
];

const MINUS = 0x2d;
const ZERO = 0x30;
const ESCAPED_NUL = Buffer.from('\\u0000', 'latin1');

/**
 * The positions in `head` of the suspect byte sequences (`SUSPECT_BYTES`): each kind found with one native
 * search for its rarest byte (a closing bracket, `-`, the escaped NUL) and a look at its neighbours.
 */
function suspectPositions(head: Buffer, out: number[]): void {
  for (const close of [0x7d, 0x5d]) {
    let at = head.indexOf(close, 1);
    while (at >= 0) {
      const before = head[at - 1];
      if (before === COMMA || before === SPACE || before === TAB) out.push(at);
      at = head.indexOf(close, at + 1);
    }
  }
  let at = head.indexOf(MINUS);
  while (at >= 0) {
    const after = head[at + 2];
    if (head[at + 1] === ZERO && (after === COMMA || after === 0x7d || after === 0x5d)) out.push(at);
    at = head.indexOf(MINUS, at + 1);
  }
  at = head.indexOf(ESCAPED_NUL);
  while (at >= 0) {
    out.push(at);
    at = head.indexOf(ESCAPED_NUL, at + 1);
  }
}

/**
 * Reads a plain JSONL file once, hashing it and checking what DuckDB's line reader would not report the way
 * the TypeScript reader does: a UTF-8 byte order mark, invalid UTF-8, a NUL byte, a 0x01 byte (the engine's
 * field delimiter), a carriage return (CRLF lines), and a line longer than `maxLineBytes`. Any of these sends
 * the whole file to the TypeScript reader, which gives each such line its exact message. It also lists the
 * blank lines and the suspect lines (`SUSPECT_BYTES`).
 */
export async function prescanJsonl(
  path: string,
  maxLineBytes: number,
  onProgress?: ProgressFn,
): Promise<JsonlPrescan> {
  const hash = createHash('sha256');
  let fallback: string | null = null;
  let longest = 0;
  let carry: Buffer | null = null; // the line in progress (bytes after the last newline seen)
  let first = true;
  let lines = 0;
  let checksum = 0;
  let recordBytes = 0;
  let nullBytes = 0;
  const blankLines: number[] = [];
  const suspectLines: number[] = [];
  const endLine = (bytes: number) => {
    lines++;
    checksum = (checksum + (lines % 1_000_003) * bytes) % 2_147_483_647;
    if (bytes > longest) longest = bytes;
  };
  /** Whole lines (no newline after the last one): lengths, blank lines, suspect lines, UTF-8. */
  const wholeLines = (head: Buffer) => {
    if (!isUtf8(head)) fallback = 'invalid UTF-8';
    const firstLine = lines + 1;
    const starts: number[] = [];
    let pos = 0;
    for (;;) {
      starts.push(pos);
      const nl = head.indexOf(NEWLINE, pos);
      const end = nl < 0 ? head.length : nl;
      let blank = end === pos;
      if (!blank && (head[pos] === SPACE || head[pos] === TAB)) {
        let i = pos;
        while (i < end && (head[i] === SPACE || head[i] === TAB)) i++;
        blank = i === end;
      }
      if (blank) blankLines.push(lines + 1);
      else recordBytes += end - pos;
      endLine(end - pos);
      if (nl < 0) break;
      pos = nl + 1;
    }
    nullBytes += nullKeyBytes(head);
    const positions: number[] = [];
    suspectPositions(head, positions);
    const hits = new Set<number>();
    for (const at of positions) {
      // the line holding byte `at`: the last start ≤ at
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= at) lo = mid;
        else hi = mid - 1;
      }
      hits.add(firstLine + lo);
    }
    if (hits.size > 0) suspectLines.push(...[...hits].sort((a, b) => a - b));
  };
  let read = 0;
  // one buffer, read into again and again (a stream's fresh buffer per chunk costs as much CPU as the hash)
  const buffer = Buffer.allocUnsafe(1 << 22);
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      read += bytesRead;
      onProgress?.(read);
      if (fallback !== null) continue;
      if (first && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
        fallback = 'a UTF-8 byte order mark';
      first = false;
      if (chunk.indexOf(0x00) >= 0) fallback = 'a NUL byte';
      else if (chunk.indexOf(0x01) >= 0) fallback = 'a 0x01 byte';
      else if (chunk.indexOf(0x0d) >= 0) fallback = 'a carriage return (CRLF line ends)';
      if (fallback !== null) continue;
      // lines are checked whole: up to the last newline of the chunk (a character never spans a newline)
      const lastNl = chunk.lastIndexOf(NEWLINE);
      if (lastNl < 0) {
        // the buffer is read into again: what is kept of it is copied
        carry = carry === null ? Buffer.from(chunk) : Buffer.concat([carry, chunk]);
      } else {
        // the line in progress is completed alone (a copy of one line), the rest is read where it lies: copying
        // the whole chunk after it cost more CPU than the hash (Buffer.concat of 4 MiB per chunk)
        let from = 0;
        if (carry !== null) {
          const firstNl = chunk.indexOf(NEWLINE);
          wholeLines(Buffer.concat([carry, chunk.subarray(0, firstNl)]));
          from = firstNl + 1;
        }
        if (from <= lastNl) wholeLines(chunk.subarray(from, lastNl));
        carry = Buffer.from(chunk.subarray(lastNl + 1));
      }
      // a line in progress longer than a line may be is the over-long line itself: stop holding it
      if (longest > maxLineBytes || (carry !== null && carry.length > maxLineBytes))
        fallback = 'a line longer than --max-line-bytes';
    }
  } finally {
    await fh.close();
  }
  if (fallback === null && carry !== null && carry.length > 0) wholeLines(carry); // a last line without a newline
  if (longest > maxLineBytes) fallback ??= 'a line longer than --max-line-bytes';
  return {
    sha256: hash.digest('hex'),
    longestLine: longest,
    lines,
    checksum,
    blankLines,
    suspectLines,
    fallback,
    recordBytes,
    nullBytes,
  };
}

/**
 * Whether the first lines of a plain JSONL file (up to `sampleBytes`, at most 200 records) are each written as
 * `JSON.stringify` writes them — minified, the fewest escapes, numbers in their shortest form — with only the
 * keys of `sessionKeys` when they are sessions: a guess, for the fast scan, that its typed reader can judge the
 * file (it checks every line afterwards, and a wrong guess only costs that reader's pass).
 */
export async function looksMinified(
  path: string,
  sessionKeys: ReadonlySet<string>,
  sampleBytes = 1 << 18,
): Promise<boolean> {
  const fh = await open(path, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(sampleBytes);
    const { bytesRead } = await fh.read(buffer, 0, sampleBytes, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const end = head.lastIndexOf(NEWLINE);
  if (end < 0) return false;
  let seen = 0;
  for (const line of head.subarray(0, end).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return false;
    }
    if (Buffer.byteLength(JSON.stringify(value)) !== Buffer.byteLength(line)) return false;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const row = value as Record<string, unknown>;
      if (
        (row.type === undefined || row.type === 'session') &&
        Object.keys(row).some((k) => !sessionKeys.has(k))
      )
        return false;
    }
    if (++seen >= 200) break;
  }
  return seen > 0;
}
