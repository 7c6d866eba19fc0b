/**
 * Rows encoded in ClickHouse's `RowBinary` format (https://clickhouse.com/docs/en/interfaces/formats#rowbinary),
 * the format the ingest sends record rows in: each value in its binary form, column after column, row after
 * row. Binary, because 18.16 parses floats in JSON and in text formats inexactly (1 ulp off for about a quarter
 * of random doubles, measured) while a `Float64` here is its 8 IEEE-754 bytes; and because the server parses
 * it with no text scanning, straight into the table (no stage table, no `INSERT … SELECT`). Model outputs are
 * untrusted text: a string is its UTF-8 bytes behind their length, so no byte of it is ever read as syntax.
 *
 * The types are those of the record tables (clickhouse-schema.ts); any other type is refused.
 */
export type RowBinaryType =
  | 'String'
  | 'Nullable(String)'
  | 'Int64'
  | 'Nullable(Int64)'
  | 'Float64'
  | 'Nullable(Float64)'
  | 'UInt8'
  | 'Array(String)';

const TYPES: ReadonlySet<string> = new Set<RowBinaryType>([
  'String',
  'Nullable(String)',
  'Int64',
  'Nullable(Int64)',
  'Float64',
  'Nullable(Float64)',
  'UInt8',
  'Array(String)',
]);

/** The type as RowBinary encodes it, or an error naming the column (a schema this encoder does not cover). */
export function rowBinaryType(column: string, type: string): RowBinaryType {
  if (!TYPES.has(type)) throw new Error(`RowBinary: column ${column} has type ${type}, which is not encoded`);
  return type as RowBinaryType;
}

/** A growable byte buffer the encoder appends to; `take` hands out what was written and starts anew. */
class Bytes {
  private buf: Buffer;
  private at = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  get length(): number {
    return this.at;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  byte(v: number): void {
    this.room(1);
    this.buf[this.at++] = v;
  }

  /** An unsigned LEB128 varint (string and array lengths). */
  varint(v: number): void {
    this.room(10);
    let n = v;
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.at++] = n;
  }

  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.room(n + 10);
    this.varint(n);
    this.buf.write(s, this.at, n, 'utf8');
    this.at += n;
  }

  int64(v: number): void {
    this.room(8);
    this.buf.writeBigInt64LE(BigInt(v), this.at);
    this.at += 8;
  }

  float64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.at);
    this.at += 8;
  }

  /** What was written; the next bytes go to a new buffer of the same size. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.at);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.at = 0;
    return out;
  }
}

function int(column: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new Error(`RowBinary: column ${column} expects an integer, got ${String(v)}`);
  return v;
}

function encode(out: Bytes, column: string, type: RowBinaryType, v: unknown): void {
  const nullable = type.startsWith('Nullable(');
  if (nullable) {
    if (v === null || v === undefined) {
      out.byte(1);
      return;
    }
    out.byte(0);
  }
  switch (type) {
    case 'String':
    case 'Nullable(String)':
      if (typeof v !== 'string') throw new Error(`RowBinary: column ${column} expects text, got ${typeof v}`);
      out.string(v);
      return;
    case 'Int64':
    case 'Nullable(Int64)':
      out.int64(int(column, v));
      return;
    case 'Float64':
    case 'Nullable(Float64)':
      if (typeof v !== 'number')
        throw new Error(`RowBinary: column ${column} expects a number, got ${typeof v}`);
      out.float64(v);
      return;
    case 'UInt8': {
      const n = int(column, typeof v === 'boolean' ? Number(v) : v);
      if (n < 0 || n > 255) throw new Error(`RowBinary: column ${column} expects 0–255, got ${n}`);
      out.byte(n);
      return;
    }
    case 'Array(String)': {
      const items = (v ?? []) as unknown[];
      if (!Array.isArray(items)) throw new Error(`RowBinary: column ${column} expects an array`);
      out.varint(items.length);
      for (const item of items) {
        if (typeof item !== 'string') throw new Error(`RowBinary: column ${column} expects text items`);
        out.string(item);
      }
      return;
    }
  }
}

/**
 * The rows as RowBinary of the columns, in pieces of about `chunkBytes` (a whole number of rows each), so an
 * insert streams a batch without holding all of it encoded at once. A column named in `fixed` takes that
 * value in every row (the load id of a batch).
 */
export function* rowBinaryChunks(
  columns: readonly { readonly name: string; readonly type: RowBinaryType }[],
  rows: Iterable<Readonly<Record<string, unknown>>>,
  fixed: Readonly<Record<string, unknown>> = {},
  chunkBytes = 1 << 20,
): Generator<Buffer> {
  const out = new Bytes(chunkBytes + (chunkBytes >> 2));
  for (const row of rows) {
    for (const c of columns) encode(out, c.name, c.type, c.name in fixed ? fixed[c.name] : row[c.name]);
    if (out.length >= chunkBytes) yield out.take();
  }
  if (out.length > 0) yield out.take();
}
