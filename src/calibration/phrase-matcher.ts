/**
 * Phrase and regex matching for recurrence rules, on outputs normalised by `normaliseText`; a phrase's
 * pattern is the one of src/model/phrase-pattern.ts that the engines' scans use too.
 */
import { normaliseText, phrasePatternSource } from '../model/phrase-pattern.ts';

export { normaliseText } from '../model/phrase-pattern.ts';

/** Flags a regex target may use. `g` and `y` are excluded: they make `RegExp.test` stateful. */
export const ALLOWED_REGEX_FLAGS = /^(?!.*(.).*\1)[imsu]*$/;

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
    const pattern = new RegExp(phrasePatternSource(target.phrase), 'iu');
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
