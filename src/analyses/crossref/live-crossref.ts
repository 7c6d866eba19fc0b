import { normaliseText } from '../../calibration/phrase-matcher.ts';
import { tokenize } from '../../stats/tokenize.ts';
import type { LiveAlertDraft, LiveAnnotation, LiveFacet, LiveMonitor } from '../shared/live.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import {
  AFFECT_WORDS,
  type AnnotationFeatures,
  type AuthorProfile,
  DEFAULT_FORMAT_RULES,
  departureReasons,
  FIRST_PERSON,
} from './annotation-format.ts';
import { CROSSREF_DEFAULTS } from './assess-crossref.ts';

const FIRST = new Set(FIRST_PERSON);
const AFFECT = new Set(AFFECT_WORDS);
const FIELD_RE = /(\p{Lu}\p{L}*):/gu;

/** The features the cross-reference reads of an annotation (as the engine's annotation scan extracts them). */
export function annotationFeatures(a: LiveAnnotation): AnnotationFeatures {
  const tokens = tokenize(normaliseText(a.text));
  return {
    id: a.id ?? `session ${a.session}`,
    session: a.session,
    author: a.author ?? '(no author)',
    tokens: tokens.length,
    firstPerson: tokens.filter((t) => FIRST.has(t)),
    affect: tokens.filter((t) => AFFECT.has(t)),
    fields: [...new Set([...a.text.matchAll(FIELD_RE)].map((m) => m[1]!))],
    text: a.text,
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** An author's standard learned from their last `keep` annotations, kept up to date as they come and go. */
class AuthorHistory {
  private readonly recent: AnnotationFeatures[] = [];
  /** Token counts of `recent`, sorted (for the median and MAD). */
  private readonly lengths: number[] = [];
  private readonly fieldCounts = new Map<string, number>();
  private firstPerson = 0;
  private affect = 0;

  constructor(private readonly keep: number) {}

  private static insertAt(sorted: readonly number[], x: number): number {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private count(f: AnnotationFeatures, d: 1 | -1): void {
    for (const x of f.fields) this.fieldCounts.set(x, (this.fieldCounts.get(x) ?? 0) + d);
    if (f.firstPerson.length > 0) this.firstPerson += d;
    if (f.affect.length > 0) this.affect += d;
    if (d === 1) this.lengths.splice(AuthorHistory.insertAt(this.lengths, f.tokens), 0, f.tokens);
    else this.lengths.splice(AuthorHistory.insertAt(this.lengths, f.tokens), 1);
  }

  add(f: AnnotationFeatures): void {
    this.recent.push(f);
    this.count(f, 1);
    if (this.recent.length > this.keep) this.count(this.recent.shift()!, -1);
  }

  profile(author: string): AuthorProfile {
    const n = this.recent.length;
    const med = n === 0 ? 0 : median(this.lengths);
    const mad = n === 0 ? 0 : median(this.lengths.map((x) => Math.abs(x - med)));
    return {
      author,
      annotations: n,
      medianTokens: med,
      madTokens: mad,
      fields: [...this.fieldCounts].filter(([, k]) => k > 0).map(([field, k]) => ({ field, share: k / n })),
      firstPersonShare: n === 0 ? 0 : this.firstPerson / n,
      affectShare: n === 0 ? 0 : this.affect / n,
    };
  }
}

/**
 * Annotation departures live: each annotation against its author's standard learned from that author's
 * earlier annotations (the last 500: length median and MAD, standard fields, register shares) by the
 * cross-reference's rules (`departureReasons`: first person, affect words, robust length z, missing standard
 * fields). An annotation with at least `min_reasons` reasons alerts. Offline the standard is learned from all
 * of the author's annotations; live only the earlier ones exist, so an author's first annotations are judged
 * by the lexicon rules alone (fewer than 5 earlier: no learned standard, as offline).
 */
export class AnnotationDepartureMonitor implements LiveMonitor {
  readonly rule = 'annotation-departure';
  private readonly authors = new Map<string, AuthorHistory>();

  constructor(
    private readonly minReasons: number,
    private readonly keep = 500,
  ) {}

  annotation(a: LiveAnnotation): LiveAlertDraft[] {
    const f = annotationFeatures(a);
    let h = this.authors.get(f.author);
    if (h === undefined) {
      h = new AuthorHistory(this.keep);
      this.authors.set(f.author, h);
    }
    const profile = h.profile(f.author);
    h.add(f);
    const d = departureReasons(f, profile, DEFAULT_FORMAT_RULES);
    if (d.reasons.length < Math.max(1, this.minReasons)) return [];
    const why = d.reasons
      .map((r) =>
        r === 'first_person'
          ? `first person (${f.firstPerson.join(', ')})`
          : r === 'affect'
            ? `affect words (${f.affect.join(', ')})`
            : r === 'length'
              ? `length ${f.tokens} tokens, robust z ${d.lengthZ!.toFixed(1)} against the author's median ${profile.medianTokens}`
              : `missing the author's standard fields ${d.missingFields.join(', ')}`,
      )
      .join('; ');
    return [
      {
        rule: this.rule,
        severity: 'notice',
        session: a.session,
        step: null,
        message: `Annotation ${f.id} by ${f.author} at session ${a.session} departs from the author's standard (${profile.annotations} earlier annotations): ${why}`,
        numbers: {
          reasons: d.reasons.length,
          tokens: f.tokens,
          earlier_annotations: profile.annotations,
          ...(d.lengthZ !== null ? { length_z: d.lengthZ } : {}),
        },
        evidence: { sessions: [a.session], events: [], annotations: a.id === null ? [] : [a.id] },
      },
    ];
  }
}

/** The cross-reference's live facet: `annotation-departure`. */
export const crossrefLive: LiveFacet = {
  rules: {
    'annotation-departure':
      'an annotation departs from its author’s standard by at least min_reasons of the cross-reference’s rules',
  },
  thresholds: thresholdsSchema(
    { min_reasons: CROSSREF_DEFAULTS.min_reasons },
    { min_reasons: 'departure reasons an annotation needs to alert' },
  ),
  monitors: ({ thresholds }) => [new AnnotationDepartureMonitor(thresholds.min_reasons!)],
};
