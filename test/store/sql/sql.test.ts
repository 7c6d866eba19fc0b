import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DuckDbClient } from '../../../src/store/duckdb/duckdb-client.ts';
import { duckDbDialect } from '../../../src/store/duckdb/duckdb-dialect.ts';
import { compile, type SqlDialect } from '../../../src/store/sql/dialect.ts';
import { empty, ident, join, list, raw, type SqlValue, sql } from '../../../src/store/sql/sql.ts';

const duck = (f: Parameters<typeof compile>[0]) => compile(f, duckDbDialect);

/**
 * A stand-in for a dialect without query parameters (ClickHouse 18.16): every value goes through one
 * literal-escaping function. Enough to prove the interface carries such a dialect; not ClickHouse's rules.
 */
function literal(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  return String(v);
}
const inlining: SqlDialect = {
  name: 'inlining',
  quoteIdent: (n) => `\`${n.replaceAll('`', '\\`')}\``,
  value: (v) => ({ text: literal(v) }),
};

describe('the sql tag', () => {
  test('every interpolated value becomes a bound parameter, never SQL text', () => {
    const run = "x'; DROP TABLE sessions; --";
    const q = duck(sql`SELECT * FROM sessions WHERE run = ${run} AND session > ${3}`);
    assert.equal(q.sql, 'SELECT * FROM sessions WHERE run = $p1 AND session > $p2');
    assert.deepEqual(q.params, { p1: run, p2: 3 });
  });

  test('a fragment interpolated into another is spliced in, and its values are numbered in order', () => {
    const cond = sql`run = ${'a'} AND step = ${7}`;
    const q = duck(sql`SELECT ${1} AS one FROM sessions WHERE ${cond} LIMIT ${10}`);
    assert.equal(q.sql, 'SELECT $p1 AS one FROM sessions WHERE run = $p2 AND step = $p3 LIMIT $p4');
    assert.deepEqual(q.params, { p1: 1, p2: 'a', p3: 7, p4: 10 });
  });

  test('a statement without values compiles to SQL alone, with no params to bind', () => {
    const q = duck(sql`CREATE TABLE t (a INTEGER)`);
    assert.deepEqual(q, { sql: 'CREATE TABLE t (a INTEGER)' });
  });

  test('undefined, objects and dates are refused instead of being guessed into SQL', () => {
    assert.throws(() => sql`SELECT ${undefined as unknown as null}`, /undefined/);
    assert.throws(() => sql`SELECT ${{} as unknown as string}`, /not a SQL value/);
    assert.throws(() => sql`SELECT ${new Date() as unknown as string}`, /not a SQL value/);
    assert.throws(() => sql`SELECT ${[1, undefined] as unknown as number[]}`, /\[1\] is undefined/);
  });

  test('a value directly followed by a letter is refused (it would merge into the placeholder)', () => {
    assert.throws(() => duck(sql`SELECT ${1}abc`), /followed directly/);
    assert.doesNotThrow(() => duck(sql`SELECT ${1}::BIGINT, ${2})`));
  });

  test('an invalid escape in template text is a syntax error, not silently dropped text', () => {
    // a tagged template keeps `\x{…}` (an RE2 escape, invalid in JavaScript) as an undefined cooked string
    assert.throws(() => sql`SELECT '\x{41}'`, /invalid escape/);
  });
});

describe('ident, raw, join and list', () => {
  test('ident quotes a name and doubles an embedded quote, so it cannot close the identifier', () => {
    assert.equal(duck(sql`SELECT * FROM ${ident('we"ird')}`).sql, 'SELECT * FROM "we""ird"');
    assert.equal(duck(sql`${ident('temp', 'main', 'stage')}`).sql, '"temp"."main"."stage"');
  });

  test('ident refuses an empty name and a NUL character', () => {
    assert.throws(() => ident(''), /not a usable identifier/);
    assert.throws(() => ident('a\u0000b'), /not a usable identifier/);
    assert.throws(() => ident(), /at least one name/);
  });

  test('raw inserts our own text as is and binds nothing', () => {
    const q = duck(sql`SELECT regexp_matches(output, ${raw("'[a-z]+'")})`);
    assert.deepEqual(q, { sql: "SELECT regexp_matches(output, '[a-z]+')" });
  });

  test('join puts a separator between fragments and gives an empty fragment for none', () => {
    const q = duck(join([sql`a = ${1}`, sql`b = ${2}`], ' AND '));
    assert.deepEqual(q, { sql: 'a = $p1 AND b = $p2', params: { p1: 1, p2: 2 } });
    assert.ok(join([]).isEmpty);
    assert.equal(duck(sql`SELECT 1${empty}`).sql, 'SELECT 1');
  });

  test('list spreads values for IN, each its own parameter, and refuses an empty list', () => {
    const q = duck(sql`SELECT * FROM events WHERE id IN (${list(['a', "b'c"])})`);
    assert.deepEqual(q, {
      sql: 'SELECT * FROM events WHERE id IN ($p1, $p2)',
      params: { p1: 'a', p2: "b'c" },
    });
    assert.throws(() => list([]), /empty list/);
  });

  test('an array interpolated directly is ONE value (a DuckDB LIST), unlike list()', async () => {
    const q = duck(sql`SELECT list_contains(${['a', 'b']}, 'b') AS yes`);
    assert.equal(q.sql, "SELECT list_contains($p1, 'b') AS yes");
    assert.throws(() => duck(sql`SELECT ${[]}`), /empty list/);
  });
});

describe('dialects', () => {
  test('a dialect without parameters inlines every value through its literal function and returns no params', () => {
    const f = sql`SELECT * FROM ${ident('t`x')} WHERE run = ${"it's"} AND id IN (${list([1, 2])}) AND f = ${null}`;
    const q = compile(f, inlining);
    assert.deepEqual(q, { sql: "SELECT * FROM `t\\`x` WHERE run = 'it\\'s' AND id IN (1, 2) AND f = NULL" });
  });

  test('the same fragment compiles for both dialects: templates never write placeholders', () => {
    const f = sql`SELECT ${'a'} AS x`;
    assert.equal(compile(f, duckDbDialect).sql, 'SELECT $p1 AS x');
    assert.equal(compile(f, inlining).sql, "SELECT 'a' AS x");
  });
});

describe('fragments on a real DuckDB', () => {
  let client: DuckDbClient;
  before(async () => {
    client = await DuckDbClient.open(':memory:');
  });
  after(() => client.close());

  test('hostile text round-trips through a bound value unchanged', async () => {
    const hostile = [
      "'; DROP TABLE sessions; --",
      '$1',
      '?',
      '\\',
      'a\u0000b',
      '\u202e\u{1f600}ü',
      "''''",
      'x'.repeat(100_000),
    ];
    for (const v of hostile) {
      const [r] = await client.query<{ v: string }>(sql`SELECT ${v} AS v`);
      assert.equal(r?.v, v);
    }
  });

  test('a bound array is a LIST and an identifier with a quote names a real column', async () => {
    await client.exec(sql`CREATE TABLE ${ident('we"ird')} (${ident('co"l')} INTEGER)`);
    await client.exec(sql`INSERT INTO ${ident('we"ird')} VALUES (${1}), (${2})`);
    const rows = await client.query<{ n: bigint }>(
      sql`SELECT count(*) AS n FROM ${ident('we"ird')} WHERE list_contains(${[2, 3]}, ${ident('co"l')})`,
    );
    assert.equal(rows[0]?.n, 1n);
  });
});
