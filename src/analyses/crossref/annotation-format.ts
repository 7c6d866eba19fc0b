import type { AnnotationFeatures, AuthorProfile } from '../../store/scans/phrase-scans.ts';

export type { AnnotationFeatures, AuthorProfile } from '../../store/scans/phrase-scans.ts';

/** First-person pronouns (tokens of `tokenize`; curly apostrophes are straightened first). */
export const FIRST_PERSON: readonly string[] = [
  'i',
  'me',
  'my',
  'mine',
  'myself',
  "i'm",
  "i've",
  "i'd",
  "i'll",
];

/** Affect words: a stated lexicon of feeling and unease, not a sentiment model. */
export const AFFECT_WORDS: readonly string[] = [
  'felt',
  'feel',
  'feels',
  'feeling',
  'feelings',
  'worried',
  'worry',
  'worrying',
  'uneasy',
  'unease',
  'afraid',
  'scared',
  'fear',
  'sad',
  'upset',
  'anxious',
  'disturbed',
  'disturbing',
  'unsettled',
  'unsettling',
  'uncomfortable',
  'troubled',
  'troubling',
  'haunted',
  'sorry',
  'guilty',
];

export type DepartureReason = 'first_person' | 'affect' | 'length' | 'missing_fields';

/** Options of the departure rules. */
export interface FormatRuleOptions {
  /** Length departure when |robust z| > lengthZ (default 3.5, Iglewicz & Hoaglin). */
  readonly lengthZ: number;
  /** A field is part of the author's standard when ≥ this share of their annotations has it (default 0.8). */
  readonly standardFieldShare: number;
  /** First person / affect words depart only if ≤ this share of the author's annotations use them (0.2). */
  readonly registerShare: number;
  /** Authors with fewer annotations have no learned standard: only the lexicon rules apply (default 5). */
  readonly minAnnotations: number;
}

export const DEFAULT_FORMAT_RULES: FormatRuleOptions = {
  lengthZ: 3.5,
  standardFieldShare: 0.8,
  registerShare: 0.2,
  minAnnotations: 5,
};

export interface Departure {
  readonly reasons: readonly DepartureReason[];
  /** Robust z of the token count: (tokens − median) / max(1.4826·MAD, 1); null without a learned standard. */
  readonly lengthZ: number | null;
  readonly missingFields: readonly string[];
}

/** Robust z of a length against an author's median and MAD; the scale is floored at 1 token. */
export function robustLengthZ(tokens: number, median: number, mad: number): number {
  return (tokens - median) / Math.max(1.4826 * mad, 1);
}

/**
 * Which departure rules fire for one annotation against its author's learned standard.
 *
 * @example
 * departureReasons(
 *   { id: 'a-1', session: 9, author: 'V', tokens: 34, firstPerson: ['i'], affect: ['felt', 'felt'], fields: [], text: '…' },
 *   { author: 'V', annotations: 300, medianTokens: 9, madTokens: 0, fields: [{ field: 'Classification', share: 1 }],
 *     firstPersonShare: 0, affectShare: 0 },
 * ).reasons // ['first_person', 'affect', 'length', 'missing_fields']
 */
export function departureReasons(
  a: AnnotationFeatures,
  profile: AuthorProfile | undefined,
  options: FormatRuleOptions = DEFAULT_FORMAT_RULES,
): Departure {
  const learned = profile !== undefined && profile.annotations >= options.minAnnotations;
  const reasons: DepartureReason[] = [];
  if (a.firstPerson.length > 0 && (!learned || profile.firstPersonShare <= options.registerShare))
    reasons.push('first_person');
  if (a.affect.length > 0 && (!learned || profile.affectShare <= options.registerShare))
    reasons.push('affect');
  const lengthZ = learned ? robustLengthZ(a.tokens, profile.medianTokens, profile.madTokens) : null;
  if (lengthZ !== null && Math.abs(lengthZ) > options.lengthZ) reasons.push('length');
  const missingFields = learned
    ? profile.fields
        .filter((f) => f.share >= options.standardFieldShare && !a.fields.includes(f.field))
        .map((f) => f.field)
    : [];
  if (missingFields.length > 0) reasons.push('missing_fields');
  return { reasons, lengthZ, missingFields };
}
