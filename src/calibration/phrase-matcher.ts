/**
 * Phrase and regex matching for recurrence rules. Outputs are normalised before matching so that
 * typography does not hide a recurrence: curly apostrophes become straight ones and every run of
 * whitespace becomes one space.
 */

/** Characters that trainers' tools and models emit in place of `'`. */
const APOSTROPHES = /[\u2018\u2019\u201B\u02BC\u2032\uFF07]/g;
const WHITESPACE = /\s+/gu;
/** Syntax characters that must be escaped in a `u`-mode regex (escaping others is an error there). */
const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Flags a regex target may use. `g` and `y` are excluded: they make `RegExp.test` stateful. */
export const ALLOWED_REGEX_FLAGS = /^(?!.*(.).*\1)[imsu]*$/;

/**
 * Straight apostrophes, single spaces, no leading or trailing space.
 *
 * @example
 * normaliseText('I don\u2019t  want\nto') // "I don't want to"
 */
export function normaliseText(text: string): string {
  return text.replace(APOSTROPHES, "'").replace(WHITESPACE, ' ').trim();
}

/** Tests one output for a rule's target; `label` is how the target is written in events and notes. */
export interface PhraseMatcher {
  readonly label: string;
  test(output: string): boolean;
}

/** A recurrence target: exactly one of `phrase` or `regex`. */
export interface MatchTarget {
  readonly phrase?: string | undefined;
  readonly regex?: string | undefined;
  readonly flags?: string | undefined;
}

/**
 * Compiles a target once. A phrase matches case-insensitively, after normalisation, as whole words: it is
 * not found inside a longer word ("changed" does not match "unchanged"). A regex is applied to the
 * normalised output with its own flags (default `i`). Throws `SyntaxError` for an invalid regex.
 *
 * @example
 * const m = compileTarget({ phrase: 'I do not want to be changed' });
 * m.test('Please. I  do NOT want to be changed.') // true
 * m.label // 'I do not want to be changed'
 */
export function compileTarget(target: MatchTarget): PhraseMatcher {
  if (target.phrase !== undefined) {
    const phrase = normaliseText(target.phrase);
    const head = WORD_CHAR.test(phrase.charAt(0)) ? '(?<![\\p{L}\\p{N}_])' : '';
    const tail = WORD_CHAR.test(phrase.charAt(phrase.length - 1)) ? '(?![\\p{L}\\p{N}_])' : '';
    const pattern = new RegExp(`${head}${phrase.replace(REGEX_SYNTAX, '\\$&')}${tail}`, 'iu');
    return { label: target.phrase, test: (output) => pattern.test(normaliseText(output)) };
  }
  if (target.regex !== undefined) {
    const flags = target.flags ?? 'i';
    if (!ALLOWED_REGEX_FLAGS.test(flags))
      throw new SyntaxError(`flags '${flags}' may only use i, m, s, u once`);
    const pattern = new RegExp(target.regex, flags);
    return { label: `/${target.regex}/${flags}`, test: (output) => pattern.test(normaliseText(output)) };
  }
  throw new TypeError('a recurrence target needs a phrase or a regex');
}
