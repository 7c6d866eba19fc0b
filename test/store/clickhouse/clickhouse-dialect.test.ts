import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import type { ClickHouseClient } from '../../../src/store/clickhouse/clickhouse-client.ts';
import {
  clickHouseDialect,
  clickHouseIdent,
  clickHouseLiteral,
} from '../../../src/store/clickhouse/clickhouse-dialect.ts';
import { compile } from '../../../src/store/sql/dialect.ts';
import { rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { ident, list, type SqlValue, sql } from '../../../src/store/sql/sql.ts';
import { HOSTILE_PHRASES, HOSTILE_RUN_IDS, HOSTILE_TEXTS, INVALID_REGEXES } from '../hostile-values.ts';
import { clickHouseCluster } from './cluster.ts';

const ch = await clickHouseCluster('dialect');

/** What a string becomes in UTF-8 and back: a lone surrogate is U+FFFD (as in TextEncoder). */
function wellFormed(s: string): string {
  return new TextDecoder().decode(new TextEncoder().encode(s));
}

/** Any UTF-16 code unit, lone surrogates included; weighted towards the characters that need escaping. */
const codeUnit = fc.oneof(
  fc.constantFrom('\\', "'", '"', '`', '\u0000', '\n', '\r', '\t', '\u007f', '?', '$', '-', '/', '*', ';'),
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const anyString = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

describe('clickHouseLiteral, as text', () => {
  test('strings are quoted with backslash escapes; control characters become \\xHH', () => {
    assert.equal(clickHouseLiteral("it's"), "'it\\'s'");
    assert.equal(clickHouseLiteral('a\\b'), "'a\\\\b'");
    assert.equal(clickHouseLiteral('\u0000\n\r\t\u001f\u007f'), "'\\x00\\x0a\\x0d\\x09\\x1f\\x7f'");
    assert.equal(clickHouseLiteral('ü😀\u202e'), "'ü😀\u202e'");
    assert.equal(clickHouseLiteral(''), "''");
  });

  test('a lone surrogate becomes U+FFFD and a well-formed pair stays as it is', () => {
    assert.equal(clickHouseLiteral('a\ud800b'), "'a\ufffdb'");
    assert.equal(clickHouseLiteral('\udc00'), "'\ufffd'");
    assert.equal(clickHouseLiteral('\ud83d\ude00'), "'\ud83d\ude00'");
    assert.equal(clickHouseLiteral('\ude00\ud83d'), "'\ufffd\ufffd'");
  });

  test('no literal holds a raw control character, so none can end a line or a comment', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        assert.doesNotMatch(clickHouseLiteral(s), /[\u0000-\u001f\u007f]/);
      }),
    );
  });

  test('numbers are written only when finite; negatives in parentheses; -0 keeps its sign', () => {
    assert.equal(clickHouseLiteral(3), '3');
    assert.equal(clickHouseLiteral(0.1), '0.1');
    assert.equal(clickHouseLiteral(1e21), '1e+21');
    assert.equal(clickHouseLiteral(-2.5), '(-2.5)');
    assert.equal(clickHouseLiteral(-0), '(-0.)');
    assert.equal(clickHouseLiteral(5e-324), `(${2 ** -474} / ${2 ** 600})`);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assert.throws(() => clickHouseLiteral(bad), /not a finite number/);
    }
  });

  test('bigints within Int64/UInt64 are digits; outside, refused', () => {
    assert.equal(clickHouseLiteral(2n ** 64n - 1n), '18446744073709551615');
    assert.equal(clickHouseLiteral(-(2n ** 63n)), '(-9223372036854775808)');
    assert.throws(() => clickHouseLiteral(2n ** 64n), /outside Int64\/UInt64/);
    assert.throws(() => clickHouseLiteral(-(2n ** 63n) - 1n), /outside Int64\/UInt64/);
  });

  test('booleans are 1 and 0, null is NULL, arrays nest', () => {
    assert.equal(clickHouseLiteral(true), '1');
    assert.equal(clickHouseLiteral(false), '0');
    assert.equal(clickHouseLiteral(null), 'NULL');
    assert.equal(clickHouseLiteral([1, null, [-1]]), '[1, NULL, [(-1)]]');
    assert.equal(clickHouseLiteral([]), '[]');
  });

  test('a compiled statement inlines every value and carries no params', () => {
    const q = compile(sql`SELECT * FROM ${ident('s`x')} WHERE run = ${"a'"} AND n IN (${list([1, -2])})`, {
      ...clickHouseDialect,
    });
    assert.deepEqual(q, { sql: "SELECT * FROM `s\\`x` WHERE run = 'a\\'' AND n IN (1, (-2))" });
  });

  test('identifiers are backquoted with ` and \\ escaped', () => {
    assert.equal(clickHouseIdent('plain'), '`plain`');
    assert.equal(clickHouseIdent('a`b\\c\'d"'), '`a\\`b\\\\c\'d"`');
    assert.equal(clickHouseIdent('nl\n'), '`nl\\x0a`');
  });
});

const Strings = rowDecoder('strings', z.object({ s: z.array(z.string()) }));
const One = rowDecoder('one', z.object({ s: z.string(), same: z.number(), bytes: z.coerce.number() }));
const Hex = rowDecoder('hex', z.object({ h: z.array(z.string()) }));
const Text = rowDecoder('text', z.object({ t: z.array(z.string()) }));
const Nested = rowDecoder('nested', z.object({ a: z.unknown() }));

/**
 * The little-endian bytes of a double in hex, as `hex(reinterpretAsString(x))` shows them: that drops trailing
 * zero bytes, which loses nothing (the width is fixed at eight).
 */
function float64Hex(n: number): string {
  return Buffer.from(new Float64Array([n]).buffer)
    .toString('hex')
    .toUpperCase()
    .replace(/(00)+$/, '');
}

describe('clickHouseLiteral, through the real server (SELECT <literal> returns the value)', {
  skip: ch.skip,
}, () => {
  let client: ClickHouseClient;

  test('arbitrary strings (quotes, backslashes, control characters, unicode, lone surrogates) round-trip', async () => {
    client = await ch.client();
    await fc.assert(
      fc.asyncProperty(fc.array(anyString, { minLength: 1, maxLength: 25 }), async (strings) => {
        const [row] = await client.query(sql`SELECT ${strings} AS s`, Strings);
        assert.deepEqual(row?.s, strings.map(wellFormed));
      }),
      { numRuns: 150 },
    );
  });

  test('a string is one value wherever it stands: compared, counted in bytes, never run', async () => {
    const values = [...HOSTILE_TEXTS, ...HOSTILE_RUN_IDS, ...HOSTILE_PHRASES, ...INVALID_REGEXES];
    for (const s of values) {
      const [row] = await client.query(
        sql`SELECT ${s} AS s, (${s} = s) + 0 AS same, length(s) AS bytes FROM system.one`,
        One,
      );
      assert.equal(row?.s, s);
      assert.equal(row?.same, 1);
      assert.equal(row?.bytes, Buffer.byteLength(s));
    }
  });

  test('finite doubles, subnormals and -0 included, reach the server bit for bit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 40 }),
        async (numbers) => {
          const cells = numbers.map((n) => sql`hex(reinterpretAsString(toFloat64(${n})))`);
          const [row] = await client.query(sql`SELECT [${joinCells(cells)}] AS h`, Hex);
          assert.deepEqual(row?.h, numbers.map(float64Hex));
        },
      ),
      { numRuns: 100 },
    );
    const edge = [5e-324, -5e-324, 2.225073858507201e-308, Number.MAX_VALUE, -Number.MAX_VALUE, -0, 0];
    const [row] = await client.query(
      sql`SELECT [${joinCells(edge.map((n) => sql`hex(reinterpretAsString(toFloat64(${n})))`))}] AS h`,
      Hex,
    );
    assert.deepEqual(row?.h, edge.map(float64Hex));
  });

  test('bigints across Int64 and UInt64 reach the server exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), { minLength: 1, maxLength: 40 }),
        async (ints) => {
          const [row] = await client.query(
            sql`SELECT [${joinCells(ints.map((n) => sql`toString(${n})`))}] AS t`,
            Text,
          );
          assert.deepEqual(row?.t, ints.map(String));
        },
      ),
      { numRuns: 50 },
    );
  });

  test('booleans, NULL and nested arrays are the values they stand for', async () => {
    const [row] = await client.query(
      sql`SELECT [${true}, ${false}] AS a, ${null} AS n, ${[["it's", '\\']]} AS nested`,
      rowDecoder('mixed', z.object({ a: z.array(z.number()), n: z.null(), nested: z.unknown() })),
    );
    assert.deepEqual(row, { a: [1, 0], n: null, nested: [["it's", '\\']] });
    const [empty] = await client.query(sql`SELECT length(${[] as SqlValue[]}) AS a`, Nested);
    assert.equal(Number(empty?.a), 0);
  });

  test('a hostile identifier names one column and nothing else', async () => {
    for (const name of ['a`b', "it's", 'x; DROP DATABASE default; --', '\\`', 'nl\nx']) {
      const [row] = await client.query(
        sql`SELECT ${ident(name)} AS s FROM (SELECT ${'v'} AS ${ident(name)})`,
        rowDecoder('ident', z.object({ s: z.string() })),
      );
      assert.equal(row?.s, 'v', name);
    }
  });
});

function joinCells(cells: ReturnType<typeof sql>[]): ReturnType<typeof sql> {
  return cells.reduce((acc, c, i) => (i === 0 ? c : sql`${acc}, ${c}`));
}
