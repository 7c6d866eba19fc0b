// The DuckDB twin of the default tokenizer (src/stats/tokenize.ts); test/stats/tokenize.test.ts holds
// the two equal over every code point.
import { compile } from '../sql/dialect.ts';
import { raw, type SqlFragment, sql } from '../sql/sql.ts';
import { duckDbDialect } from './duckdb-dialect.ts';

/**
 * The characters that are tokens one by one: the scripts written without spaces (RE2 script classes,
 * which DuckDB 1.5 accepts) and the Common-script kana marks U+30FC, U+FF70, U+3031–3035.
 */
const SPACELESS = String.raw`\p{Han}\p{Hiragana}\p{Katakana}\x{30FC}\x{FF70}\x{3031}-\x{3035}`;

/**
 * The token pattern in RE2 syntax. RE2 has no class subtraction and no look-ahead, so the sets are written
 * by De Morgan: `[^\P{Han}\P{L}]` is "Han and a letter", `[^\P{L}<spaceless>]` is "a letter not of a
 * spaceless script". A spaceless letter/digit is a token alone; a run of other letters, digits and
 * apostrophes is a token (`''` is the SQL-escaped apostrophe).
 */
const TOKEN_PATTERN = [
  ...['Han', 'Hiragana', 'Katakana'].flatMap((s) => [
    String.raw`[^\P{${s}}\P{L}]`,
    String.raw`[^\P{${s}}\P{N}]`,
  ]),
  String.raw`[\x{30FC}\x{FF70}\x{3031}-\x{3035}]`,
  String.raw`(?:[^\P{L}${SPACELESS}]|[^\P{N}${SPACELESS}]|'')+`,
].join('|');

/**
 * DuckDB SQL expression (a `VARCHAR[]`) with the tokens of `expr`, equal to `tokenize` of
 * src/stats/tokenize.ts: each Han/Hiragana/Katakana letter or digit alone, else maximal runs of
 * `[\p{L}\p{N}']`, after `lower()`. One regular-expression pass (a pass that first spaces out the CJK
 * characters with `regexp_replace` took twice as long on Chinese text). The pattern is our own constant
 * text, a SQL literal (not a bound parameter), so DuckDB compiles the regex once per query.
 *
 * @example duckdbTokens(sql`output`)
 */
export function duckdbTokens(expr: SqlFragment): SqlFragment {
  return sql`regexp_extract_all(lower(${expr}), ${raw(`'${TOKEN_PATTERN}'`)})`;
}

/**
 * {@link duckdbTokens} as SQL text, for callers outside the store that hold their own connection (the public
 * API, the tokenizer tests). `column` is SQL text inserted as is: a quoted identifier or a parameter
 * placeholder (`$1`), never a user value.
 */
export function duckdbTokensSql(column: string): string {
  return compile(duckdbTokens(raw(column)), duckDbDialect).sql;
}
