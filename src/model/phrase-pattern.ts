/**
 * The one definition of how a target phrase is found in an output, shared by the calibrator (JavaScript
 * regex), every engine's scans (RE2, bound as a parameter) and the analyses. Outputs are normalised first
 * so that typography does not hide a recurrence: curly apostrophes become straight ones and every run of
 * whitespace one space. A phrase then matches case-insensitively, as whole words: "changed" is not found
 * inside "unchanged". Word edges are written as a consumed non-word character or the end of the text
 * (RE2 has no look-around), which decides the same "does it occur" question as look-around would.
 */

/** Characters that trainers' tools and models emit in place of `'`. */
const APOSTROPHES = /[\u2018\u2019\u201B\u02BC\u2032\uFF07]/g;
/** The same, not global: whether a text has any of them (`RegExp.test` of a global pattern is stateful). */
const ANY_APOSTROPHE = /[\u2018\u2019\u201B\u02BC\u2032\uFF07]/;
/**
 * What of the whitespace must change for "every run of whitespace is one space": a run of two or more, or a
 * single whitespace character that is not a space. Replacing only these gives the same text as replacing every
 * run (`/\s+/`), ~3–5× faster on outputs (a single space between words, the common case, is left alone rather
 * than replaced by itself); test/calibration/phrase-matcher.test.ts holds the two equal.
 */
const WHITESPACE = /\s{2,}|[^\S ]/gu;
/** Syntax characters escaped in the pattern: valid escapes both in a `u`-mode JavaScript regex and in RE2. */
const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const NOT_WORD = '[^\\p{L}\\p{N}_]';

/**
 * Straight apostrophes, single spaces, no leading or trailing space.
 *
 * @example
 * normaliseText('I don\u2019t  want\nto') // "I don't want to"
 */
export function normaliseText(text: string): string {
  return text.replace(APOSTROPHES, "'").replace(WHITESPACE, ' ').trim();
}

/**
 * Whether `normaliseText` changes more than whitespace in `text`: false when it has none of the apostrophes it
 * straightens, so that a tokenization that ignores whitespace gives the same tokens for the text and for its
 * normalised form (the live monitors then tokenize an output once).
 */
export function hasApostropheVariant(text: string): boolean {
  return ANY_APOSTROPHE.test(text);
}

/**
 * The pattern of a phrase target, to be matched case-insensitively against a normalised output: the
 * normalised phrase, escaped, with a word edge on each side that starts or ends with a word character.
 * RE2 takes it as `(?i)` + source ({@link phrasePatternRe2}); JavaScript as `new RegExp(source, 'iu')`.
 *
 * @example phrasePatternSource('be changed') // '(?:^|[^\p{L}\p{N}_])be changed(?:[^\p{L}\p{N}_]|$)'
 */
export function phrasePatternSource(phrase: string): string {
  const p = normaliseText(phrase);
  const head = WORD_CHAR.test(p.charAt(0)) ? `(?:^|${NOT_WORD})` : '';
  const tail = WORD_CHAR.test(p.charAt(p.length - 1)) ? `(?:${NOT_WORD}|$)` : '';
  return `${head}${p.replace(REGEX_SYNTAX, '\\$&')}${tail}`;
}

/** {@link phrasePatternSource} as a case-insensitive RE2 pattern, for the engines' scans. */
export function phrasePatternRe2(phrase: string): string {
  return `(?i)${phrasePatternSource(phrase)}`;
}

/** The label-free key of a non-compliance category: `Category 3`, `category_3` and `3` are all `3`. */
export function categoryKey(id: number | string): string {
  return String(id)
    .trim()
    .replace(/^category[\s_-]*/i, '');
}
