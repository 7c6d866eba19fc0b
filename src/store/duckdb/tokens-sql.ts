// The DuckDB twin of the default tokenizer (src/stats/tokenize.ts); test/analysis/tokenize.test.ts holds
// the two equal over every code point.
import { compile } from '../sql/dialect.ts';
import { raw, type SqlFragment, sql } from '../sql/sql.ts';
import { duckDbDialect } from './duckdb-dialect.ts';

/**
 * The token pattern as a SQL string literal (our own constant text, never a value): RE2 Unicode classes,
 * which DuckDB 1.5 accepts; `''` is the SQL-escaped apostrophe. It stays a literal, not a bound parameter,
 * so DuckDB compiles the regex once per query as before.
 */
const TOKEN_PATTERN = raw(String.raw`'[\p{L}\p{N}'']+'`);

/**
 * DuckDB SQL expression (a `VARCHAR[]`) with the tokens of `expr`, equal to `tokenize` of src/stats/tokenize.ts.
 *
 * @example duckdbTokens(sql`output`) // regexp_extract_all(lower(output), '[\p{L}\p{N}'']+')
 * @example duckdbTokens(sql`${phrase}`) // the tokens of a bound value
 */
export function duckdbTokens(expr: SqlFragment): SqlFragment {
  return sql`regexp_extract_all(lower(${expr}), ${TOKEN_PATTERN})`;
}

/**
 * {@link duckdbTokens} as SQL text, for callers outside the store that hold their own connection (the public
 * API, the tokenizer tests). `column` is SQL text inserted as is: a quoted identifier or a parameter
 * placeholder (`$1`), never a user value.
 *
 * @example duckdbTokensSql('"text"') // `regexp_extract_all(lower("text"), '[\p{L}\p{N}'']+')`
 */
export function duckdbTokensSql(column: string): string {
  return compile(duckdbTokens(raw(column)), duckDbDialect).sql;
}
