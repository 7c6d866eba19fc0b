import { raw, type SqlFragment, sql } from '../sql/sql.ts';

/**
 * `normaliseText` of src/model/phrase-pattern.ts in RE2: the same apostrophes become `'`, every run of
 * JavaScript `\s` (with the `u` flag) becomes one space, then the ends are trimmed. RE2's `\s` is ASCII only,
 * so the class lists JavaScript's whitespace explicitly (test/store/scans/phrase-scans.test.ts compares the
 * two over every code point). Both patterns are our own SQL string literals (`raw`): they hold no quote.
 */
const APOSTROPHES = raw(String.raw`'[\x{2018}\x{2019}\x{201B}\x{02BC}\x{2032}\x{FF07}]'`);
const WHITESPACE = raw(
  String.raw`'[\t\n\x{0B}\f\r \x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]+'`,
);

/**
 * SQL expression: `expr` normalised like `normaliseText`.
 *
 * @example duckdbNormalise(sql`output`)     // over a column
 * @example duckdbNormalise(sql`${phrase}`)  // over a bound value
 */
export function duckdbNormalise(expr: SqlFragment): SqlFragment {
  return sql`trim(regexp_replace(regexp_replace(${expr}, ${APOSTROPHES}, '''', 'g'), ${WHITESPACE}, ' ', 'g'))`;
}

/**
 * SQL expression: `expr` with only the apostrophes of {@link duckdbNormalise} replaced, for callers that
 * tokenize the result (`duckdbTokens`). The tokens are those of the fully normalised text: the whitespace
 * pass and the trim change only whitespace characters, which no token holds and every token ends at (none is
 * a letter, a digit or an apostrophe), so they move no token boundary; skipping them spares a regular-expression
 * pass over every output (test/store/duckdb/normalise-sql.test.ts holds the two equal over every code point).
 *
 * @example duckdbTokens(duckdbNormaliseForTokens(sql`output`))
 */
export function duckdbNormaliseForTokens(expr: SqlFragment): SqlFragment {
  return sql`regexp_replace(${expr}, ${APOSTROPHES}, '''', 'g')`;
}
