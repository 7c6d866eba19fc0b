/**
 * The default tokenizer of rlaudit (REFERENCES.md, "Tokenization (default)"): lower-case, then
 *
 * - every letter or digit of a script written without spaces between words — Han (`\p{Script=Han}`),
 *   Hiragana, Katakana, and the kana marks U+30FC ー, U+FF70 ｰ, U+3031–3035 〱〲〳〴〵 (Common script, used
 *   only in kana words) — is a token of its own, as BERT's BasicTokenizer does for CJK ideographs;
 * - every other token is a maximal run of letters, digits and ASCII apostrophes, `[\p{L}\p{N}']+`, as
 *   before: text without those characters (English, every script written with spaces) tokenizes exactly as
 *   it did. Thai, Lao, Khmer and Myanmar stay runs: their combining vowel and tone marks (`\p{M}`) already
 *   split a run into short pieces, and one of their letters alone is a letter of an alphabet, not a
 *   morpheme (docs/analysis-kernels.md, "Tokenization", has the reasoning and the measurement).
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
 * containing one of them splits in DuckDB only (the newest Han extensions among them: a token in JavaScript,
 * a separator in DuckDB). Combining marks (`\p{M}`) are not token characters on either side, so decomposed
 * accents (`e` + U+0301) split a word; texts are not Unicode-normalised.
 * (A testing note: the `@duckdb/node-api` client drops a *leading* U+FEFF when it decodes a VARCHAR into a
 * JavaScript string; DuckDB itself keeps it.)
 */

/**
 * The characters that are tokens one by one (when they are letters or digits): the scripts written without
 * spaces, as the body of a character class.
 */
const SPACELESS = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ーｰ〱-〵`;

/** Whether a text has any such character (else the word pattern alone gives the same tokens, faster). */
const SPACELESS_RE = new RegExp(`[${SPACELESS}]`, 'u');

/** The token pattern for text with spaceless scripts: one such letter/digit, or a run of anything else. */
const CJK_TOKEN_RE = new RegExp(
  String.raw`(?=[\p{L}\p{N}])[${SPACELESS}]|(?:(?![${SPACELESS}])[\p{L}\p{N}'])+`,
  'gu',
);

/** The word pattern: maximal runs of letters, digits and ASCII apostrophes (global, Unicode). */
const WORD_RE = /[\p{L}\p{N}']+/gu;

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
 * Splits `text` into lower-case tokens (see the module comment): after {@link lowerLikeDuckDb}, each Han,
 * Hiragana or Katakana letter/digit is a token, and so is each maximal run of other letters, digits and
 * ASCII apostrophes. Curly quotes (’) are not apostrophes: `don’t` gives `don`, `t`.
 *
 * @example tokenize("It's ÉCOLE-time, 42 fois!") // ["it's", 'école', 'time', '42', 'fois']
 * @example tokenize('日本語のテキストとAPI') // ['日', '本', '語', 'の', 'テ', 'キ', 'ス', 'ト', 'と', 'api']
 */
export function tokenize(text: string): string[] {
  const lower = lowerLikeDuckDb(text);
  return lower.match(SPACELESS_RE.test(lower) ? CJK_TOKEN_RE : WORD_RE) ?? [];
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
