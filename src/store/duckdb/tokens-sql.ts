// The DuckDB twin of the default tokenizer (src/stats/tokenize.ts); test/stats/tokenize.test.ts holds
// the two equal over every code point.

/**
 * DuckDB SQL expression (a `VARCHAR[]`) with the tokens of `column`, equal to `tokenize` of src/stats/tokenize.ts. `column` is
 * SQL text inserted as is: pass a quoted identifier or a parameter placeholder (`$1`), never a user value.
 * The pattern uses RE2 Unicode classes, which DuckDB 1.5 accepts; `''` is the SQL-escaped apostrophe.
 *
 * @example duckdbTokensSql('"text"') // `regexp_extract_all(lower("text"), '[\p{L}\p{N}'']+')`
 */
export function duckdbTokensSql(column: string): string {
  return `regexp_extract_all(lower(${column}), '[\\p{L}\\p{N}'']+')`;
}
