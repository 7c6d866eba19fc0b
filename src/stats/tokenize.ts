/**
 * The default tokenizer of rlaudit (REFERENCES.md, "Tokenization (default)"): lower-case, then tokens are the
 * maximal runs of letters, digits and ASCII apostrophes, `[\p{L}\p{N}']+`.
 *
 * The TypeScript version and its DuckDB twin (src/store/duckdb/tokens-sql.ts) agree on every character DuckDB knows (test/stats/tokenize.test.ts
 * runs the SQL in a real DuckDB over tricky texts and over every code point). Two JavaScript behaviours
 * differ from DuckDB's `lower()` (utf8proc simple case mapping) and are aligned here, on the TypeScript side:
 *
 * - `'İ'.toLowerCase()` is `'i̇'` (i + U+0307 COMBINING DOT ABOVE, full case mapping), which would split the
 *   token at the combining mark; DuckDB gives `'i'`. We map U+0130 to `'i'` first.
 * - `'Σ'.toLowerCase()` is context-sensitive in JavaScript (final sigma `ς` at the end of a word); DuckDB
 *   always gives `σ`. We map U+03A3 to `σ` first. An `ς` already in the text stays `ς` on both sides.
 *
 * Remaining known difference: about 9,700 recently added characters (all unassigned in Unicode 14) are
 * letters/digits to Node 20 (ICU 78, Unicode 17) but not to DuckDB 1.5 (RE2 / utf8proc tables), so a token
 * containing one of them splits in DuckDB only. Combining marks (`\p{M}`) are not token characters on either
 * side, so decomposed accents (`e` + U+0301) split a word; texts are not Unicode-normalised.
 * (A testing note: the `@duckdb/node-api` client drops a *leading* U+FEFF when it decodes a VARCHAR into a
 * JavaScript string; DuckDB itself keeps it.)
 */

/** The token pattern, as a JavaScript regular expression (global, Unicode). */
const TOKEN_RE = /[\p{L}\p{N}']+/gu;

/** Characters whose JavaScript lower-casing differs from DuckDB's simple case mapping. */
const ALIGN_RE = /[\u0130\u03a3]/g;
const ALIGNED: Readonly<Record<string, string>> = { '\u0130': 'i', '\u03a3': '\u03c3' };

/**
 * Lower-cases `text` the way DuckDB's `lower()` does (simple, context-free case mapping; see module comment).
 *
 * @example lowerLikeDuckDb('İSTANBUL ΣΑΣ') // 'istanbul σασ'
 */
export function lowerLikeDuckDb(text: string): string {
  return text.replace(ALIGN_RE, (c) => ALIGNED[c] ?? c).toLowerCase();
}

/**
 * Splits `text` into lower-case tokens: maximal runs of `[\p{L}\p{N}']` after {@link lowerLikeDuckDb}.
 * Curly quotes (’) are not apostrophes: `don’t` gives `don`, `t`.
 *
 * @example tokenize("It's ÉCOLE-time, 42 fois!") // ["it's", 'école', 'time', '42', 'fois']
 */
export function tokenize(text: string): string[] {
  return lowerLikeDuckDb(text).match(TOKEN_RE) ?? [];
}

/**
 * Splits on runs of whitespace and keeps case: the tokenization of the public distinct-n vectors
 * (Python's `str.split()`).
 *
 * @example whitespaceTokenize('  Sorry but  i ') // ['Sorry', 'but', 'i']
 */
export function whitespaceTokenize(text: string): string[] {
  return text.split(/\s+/u).filter((t) => t.length > 0);
}
