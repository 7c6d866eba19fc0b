import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type RowBinaryType,
  rowBinaryChunks,
  rowBinaryType,
} from '../../../src/store/clickhouse/row-binary.ts';

const bytes = (chunks: Iterable<Buffer>) => [...Buffer.concat([...chunks])];
const one = (type: RowBinaryType, value: unknown) =>
  bytes(rowBinaryChunks([{ name: 'c', type }], [{ c: value }]));

/** An unsigned LEB128 varint, written out by hand for the comparison. */
function leb128(n: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    const b = v % 128;
    v = Math.floor(v / 128);
    out.push(v > 0 ? b | 0x80 : b);
  } while (v > 0);
  return out;
}

describe('RowBinary encoding (the ingest format of the ClickHouse store)', () => {
  test('a string is its UTF-8 byte count as a varint, then the bytes, whatever characters it holds', () => {
    assert.deepEqual(one('String', 'ab'), [2, 0x61, 0x62]);
    assert.deepEqual(one('String', "'; DROP"), [7, ...Buffer.from("'; DROP")]);
    assert.deepEqual(one('String', 'é'), [2, 0xc3, 0xa9]);
    const long = 'x'.repeat(300);
    assert.deepEqual(one('String', long), [0xac, 0x02, ...Buffer.from(long)]);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const utf8 = [...new TextEncoder().encode(s)];
        assert.deepEqual(one('String', s), [...leb128(utf8.length), ...utf8]);
      }),
    );
  });

  test('a Nullable value is a 1 byte for null and a 0 byte before the value', () => {
    assert.deepEqual(one('Nullable(String)', null), [1]);
    assert.deepEqual(one('Nullable(String)', undefined), [1]);
    assert.deepEqual(one('Nullable(String)', ''), [0, 0]);
    assert.deepEqual(one('Nullable(Int64)', 1), [0, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('an Int64 is eight little-endian bytes in two’s complement', () => {
    assert.deepEqual(one('Int64', -1), [255, 255, 255, 255, 255, 255, 255, 255]);
    assert.deepEqual(one('Int64', 258), [2, 1, 0, 0, 0, 0, 0, 0]);
    const big = 1_764_000_000_000_123; // microseconds of a 2025 time
    const expected = Buffer.alloc(8);
    expected.writeBigInt64LE(BigInt(big));
    assert.deepEqual(one('Int64', big), [...expected]);
  });

  test('a Float64 is its eight IEEE-754 bytes, so every double arrives bit for bit', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const got = Buffer.from(one('Float64', x));
        assert.ok(Object.is(got.readDoubleLE(0), x));
        assert.deepEqual([...got], [...new Uint8Array(new Float64Array([x]).buffer)]);
      }),
    );
  });

  test('an Array(String) is its length as a varint, then each string', () => {
    assert.deepEqual(one('Array(String)', []), [0]);
    assert.deepEqual(one('Array(String)', ['x', 'yz']), [2, 1, 0x78, 2, 0x79, 0x7a]);
  });

  test('a UInt8 is one byte, and values out of its range are refused', () => {
    assert.deepEqual(one('UInt8', 1), [1]);
    assert.throws(() => one('UInt8', 256), /column c expects 0–255, got 256/);
  });

  test('a value of the wrong kind is refused naming the column, never written as something else', () => {
    assert.throws(() => one('Int64', 1.5), /column c expects an integer, got 1.5/);
    assert.throws(() => one('String', 3), /column c expects text, got number/);
    assert.throws(() => one('Float64', '1'), /column c expects a number, got string/);
    assert.throws(() => rowBinaryType('x', 'Decimal(9, 2)'), /column x has type Decimal\(9, 2\)/);
    assert.equal(rowBinaryType('x', 'Nullable(Float64)'), 'Nullable(Float64)');
  });

  test('columns go in their order, rows one after another; a fixed column takes its value in every row', () => {
    const columns = [
      { name: 'id', type: 'Int64' as const },
      { name: 's', type: 'String' as const },
      { name: 'load', type: 'Int64' as const },
    ];
    const got = bytes(
      rowBinaryChunks(
        columns,
        [
          { id: 1, s: 'a', load: 99 },
          { id: 2, s: 'b' },
        ],
        { load: 7 },
      ),
    );
    const int = (n: number) => [n, 0, 0, 0, 0, 0, 0, 0];
    assert.deepEqual(got, [...int(1), 1, 0x61, ...int(7), ...int(2), 1, 0x62, ...int(7)]);
  });

  test('chunks hold whole rows and together are the rows encoded at once', () => {
    const columns = [
      { name: 'n', type: 'Int64' as const },
      { name: 't', type: 'String' as const },
    ];
    const rows = Array.from({ length: 500 }, (_, i) => ({ n: i, t: 'w'.repeat(i % 37) }));
    const whole = Buffer.concat([...rowBinaryChunks(columns, rows)]);
    const pieces = [...rowBinaryChunks(columns, rows, {}, 100)];
    assert.ok(pieces.length > 10, `${pieces.length} chunks`);
    assert.deepEqual(Buffer.concat(pieces), whole);
    // each chunk starts at a row: decoding each on its own gives consecutive rows
    let next = 0;
    for (const p of pieces) {
      let at = 0;
      while (at < p.length) {
        assert.equal(Number(p.readBigInt64LE(at)), next);
        const len = p[at + 8]!;
        at += 9 + len;
        next++;
      }
      assert.equal(at, p.length);
    }
    assert.equal(next, rows.length);
  });
});
