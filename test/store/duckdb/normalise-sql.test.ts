import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DuckDbClient } from '../../../src/store/duckdb/duckdb-client.ts';
import { duckdbNormalise, duckdbNormaliseForTokens } from '../../../src/store/duckdb/normalise-sql.ts';
import { duckdbTokens } from '../../../src/store/duckdb/tokens-sql.ts';
import { sql } from '../../../src/store/sql/sql.ts';

describe('duckdbNormaliseForTokens', () => {
  let client: DuckDbClient;
  before(async () => {
    client = await DuckDbClient.open(':memory:');
  });
  after(() => client.close());

  test('its tokens equal the tokens of the full normalisation for every code point, alone, inside and between words', async () => {
    // each code point at the start, inside a word, between two words and doubled at the end
    const text = sql`chr(cp::INTEGER) || 'a' || chr(cp::INTEGER) || 'b ' || chr(cp::INTEGER) || ' c' || chr(cp::INTEGER) || chr(cp::INTEGER)`;
    const rows = await client.query<{ n: bigint; differ: bigint }>(
      sql`SELECT count(*) AS n,
            count(*) FILTER (WHERE ${duckdbTokens(duckdbNormaliseForTokens(text))} <> ${duckdbTokens(duckdbNormalise(text))}) AS differ
          FROM range(1, 1114112) t(cp) WHERE cp NOT BETWEEN 55296 AND 57343`,
    );
    assert.equal(Number(rows[0]?.n), 0x110000 - 1 - 2048);
    assert.equal(Number(rows[0]?.differ), 0);
  });

  test('it changes the apostrophes the full normalisation changes and leaves whitespace as it is', async () => {
    const [r] = await client.query<{ t: string[]; u: string }>(
      sql`SELECT ${duckdbTokens(duckdbNormaliseForTokens(sql`${'\u00a0 I\u2019m\t\n here \u3000'}`))} AS t,
            ${duckdbNormaliseForTokens(sql`${'\u00a0 I\u2019m\t\n here \u3000'}`)} AS u`,
    );
    assert.deepEqual(r?.t, ["i'm", 'here']);
    assert.equal(r?.u, "\u00a0 I'm\t\n here \u3000");
  });
});
