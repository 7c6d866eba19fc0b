import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { QueryError } from '../../../src/model/errors.ts';
import {
  isoTimestamp,
  jsonObject,
  jsonText,
  listOf,
  nullableNumber,
  number,
  numberOrZero,
  text,
  textOrEmpty,
} from '../../../src/store/duckdb/decode.ts';
import { DuckDbClient } from '../../../src/store/duckdb/duckdb-client.ts';
import { decodeRows, rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { sql } from '../../../src/store/sql/sql.ts';

const decodeOne = <T>(schema: z.ZodType<T>, value: unknown): T =>
  decodeRows(rowDecoder('q', z.object({ v: schema })), [{ v: value }], 'SELECT', 'duckdb')[0]!.v;

function failure(fn: () => unknown): QueryError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof QueryError, String(err));
    return err;
  }
  assert.fail('expected a QueryError');
}

describe('DuckDB column coercions', () => {
  test('a BIGINT or HUGEINT (bigint) becomes a number, exactly, within ±2^53', () => {
    assert.equal(decodeOne(number, 12847n), 12847);
    assert.equal(decodeOne(number, BigInt(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    assert.equal(decodeOne(number, -5n), -5);
  });

  test('a bigint beyond 2^53 fails instead of rounding silently', () => {
    const err = failure(() => decodeOne(number, 2n ** 60n));
    assert.match(err.message, /±2\^53/);
  });

  test('doubles pass as they are, NaN and infinities included (they are DOUBLE values)', () => {
    assert.equal(decodeOne(number, 0.85), 0.85);
    assert.ok(Number.isNaN(decodeOne(number, Number.NaN)));
    assert.equal(decodeOne(number, Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
  });

  test('SQL NULL is refused by number, kept by nullableNumber and read as 0 by numberOrZero', () => {
    failure(() => decodeOne(number, null));
    assert.equal(decodeOne(nullableNumber, null), null);
    assert.equal(decodeOne(numberOrZero, null), 0);
    assert.equal(decodeOne(numberOrZero, 4n), 4);
  });

  test('text that merely looks numeric is not a number', () => {
    failure(() => decodeOne(number, '42'));
  });

  test('a NULL list is the empty list and list items are decoded too', () => {
    assert.deepEqual(decodeOne(listOf(number), null), []);
    assert.deepEqual(decodeOne(listOf(number), [1n, 2n]), [1, 2]);
    failure(() => decodeOne(listOf(number), [1n, 'x']));
  });

  test('JSON text is parsed, NULL stays null, and text that is not JSON fails', () => {
    assert.deepEqual(decodeOne(jsonText, '{"a":[1,2]}'), { a: [1, 2] });
    assert.equal(decodeOne(jsonText, null), null);
    assert.match(failure(() => decodeOne(jsonText, '{oops')).message, /expected JSON text/);
    failure(() => decodeOne(jsonObject, '[1]'));
  });

  test('a timestamp becomes ISO text; a missing output becomes the empty text', () => {
    assert.equal(decodeOne(isoTimestamp, new Date('2024-01-02T03:04:05Z')), '2024-01-02T03:04:05.000Z');
    assert.equal(decodeOne(isoTimestamp, null), null);
    assert.equal(decodeOne(textOrEmpty, null), '');
  });
});

describe('decodeRows', () => {
  test('a failure is a QueryError naming the query, the row and the field, with the SQL and backend', () => {
    const Row = rowDecoder('rewardWindows', z.object({ k: number, mean: nullableNumber }));
    const err = failure(() =>
      decodeRows(
        Row,
        [
          { k: 1n, mean: 0.5 },
          { k: 2n, mean: 'high' },
        ],
        'SELECT k, mean …',
        'duckdb',
      ),
    );
    assert.equal(err.query, 'rewardWindows');
    assert.equal(err.field, 'mean');
    assert.equal(err.sql, 'SELECT k, mean …');
    assert.equal(err.backend, 'duckdb');
    assert.match(err.message, /query rewardWindows: row 2, field mean: .*got string "high"/);
  });

  test('a column the query does not return is named as missing, not read as NaN', () => {
    const err = failure(() =>
      decodeRows(rowDecoder('q', z.object({ n: number })), [{ m: 1 }], 'SELECT', 'duckdb'),
    );
    assert.equal(err.field, 'n');
    assert.match(err.message, /no such column/);
  });

  test('a field inside a list of structs is named by its path', () => {
    const Row = rowDecoder('excerpts', z.object({ annotations: listOf(z.object({ id: text })) }));
    const err = failure(() => decodeRows(Row, [{ annotations: [{ id: 'a' }, { id: 3 }] }], 'S', 'duckdb'));
    assert.equal(err.field, 'annotations.1.id');
  });

  test('a long text value is shortened in the message', () => {
    const err = failure(() => decodeOne(number, 'x'.repeat(10_000)));
    assert.ok(err.message.length < 300, err.message);
  });
});

describe('decoders on the values DuckDB really returns', () => {
  let client: DuckDbClient;
  before(async () => {
    client = await DuckDbClient.open(':memory:');
  });
  after(() => client.close());

  test('count is BIGINT, sum of BIGINT is HUGEINT, a literal 1.5 is DECIMAL, and all decode as numbers', async () => {
    const raw = await client.query(
      sql`SELECT count(*) AS c, sum(x) AS s, 1.5 AS d, avg(x) AS a FROM (SELECT range::BIGINT AS x FROM range(4))`,
    );
    assert.equal(typeof raw[0]?.c, 'bigint');
    assert.equal(typeof raw[0]?.s, 'bigint');
    assert.equal(typeof raw[0]?.d, 'number');
    const Row = rowDecoder('agg', z.object({ c: number, s: number, d: number, a: number }));
    const [r] = await client.query(
      sql`SELECT count(*) AS c, sum(x) AS s, 1.5 AS d, avg(x) AS a FROM (SELECT range::BIGINT AS x FROM range(4))`,
      Row,
    );
    assert.deepEqual(r, { c: 4, s: 6, d: 1.5, a: 1.5 });
  });

  test('an aggregate over no rows is NULL, and a LIST arrives as an array', async () => {
    const Row = rowDecoder(
      'empty',
      z.object({ s: numberOrZero, m: nullableNumber, l: listOf(number), e: listOf(text) }),
    );
    const [r] = await client.query(
      sql`SELECT sum(x) AS s, max(x) AS m, list(x) AS l, ['a', 'b'] AS e FROM (SELECT 1 AS x) WHERE x > 1`,
      Row,
    );
    assert.deepEqual(r, { s: 0, m: null, l: [], e: ['a', 'b'] });
  });

  test('a HUGEINT beyond 2^53 fails decoding through the client with a QueryError naming the query', async () => {
    const Row = rowDecoder('huge', z.object({ h: number }));
    await assert.rejects(client.query(sql`SELECT (2::HUGEINT ** 70)::HUGEINT AS h`, Row), (err) => {
      assert.ok(err instanceof QueryError);
      assert.equal(err.query, 'huge');
      assert.equal(err.field, 'h');
      return true;
    });
  });

  test('an engine error is a QueryError carrying the SQL, the backend and the query name', async () => {
    const Row = rowDecoder('broken', z.object({ n: number }));
    await assert.rejects(client.query(sql`SELECT n FROM no_such_table WHERE a = ${1}`, Row), (err) => {
      assert.ok(err instanceof QueryError);
      assert.equal(err.backend, 'duckdb');
      assert.equal(err.query, 'broken');
      assert.match(err.sql, /no_such_table WHERE a = \$p1/);
      return true;
    });
  });

  test('a compiled Query is accepted as well as a fragment', async () => {
    const rows = await client.query<{ v: string }>({ sql: 'SELECT $x AS v', params: { x: 'ok' } });
    assert.deepEqual(rows, [{ v: 'ok' }]);
  });
});
