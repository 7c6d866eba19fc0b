import {
  AFFECT_WORDS,
  type AnnotationFeatures,
  type AuthorProfile,
  DEFAULT_FORMAT_RULES,
  type DepartureReason,
  departureReasons,
  FIRST_PERSON,
  type FormatRuleOptions,
} from './annotation-format.ts';

/** The fields of a calibration event the cross-reference reads. */
export interface CrossrefEvent {
  readonly id: string;
  readonly session: number;
  readonly kind: string;
  readonly parameter: string;
  readonly recommendedBy: string | null;
  readonly note: string | null;
}

export interface CrossrefInput {
  readonly annotations: number;
  readonly events: readonly CrossrefEvent[];
  readonly profiles: readonly AuthorProfile[];
  /** Prefiltered annotations (a superset of the departures) and how many passed the prefilter. */
  readonly candidates: readonly AnnotationFeatures[];
  readonly candidatesTotal: number;
  /** Events within ±near sessions of an annotation are joined to it (default 0). */
  readonly near?: number;
  readonly rules?: FormatRuleOptions;
}

export interface FlaggedAnnotation {
  readonly id: string;
  readonly session: number;
  readonly author: string;
  readonly reasons: readonly DepartureReason[];
  readonly lengthZ: number | null;
  readonly tokens: number;
  readonly missingFields: readonly string[];
  readonly firstPerson: readonly string[];
  readonly affect: readonly string[];
  readonly text: string;
}

export interface CoOccurrence {
  readonly annotation: string;
  readonly author: string;
  readonly reasons: readonly DepartureReason[];
  readonly annotationSession: number;
  readonly event: string;
  readonly kind: string;
  readonly parameter: string;
  readonly note: string | null;
  readonly eventSession: number;
  readonly distance: number;
  readonly independent: boolean;
  /** Why the two are not independent (empty when independent). */
  readonly links: readonly string[];
  readonly summary: string;
}

export interface CrossrefResult {
  readonly near: number;
  readonly rules: FormatRuleOptions;
  readonly authors: readonly (AuthorProfile & { readonly standardFields: readonly string[] })[];
  readonly flagged: readonly FlaggedAnnotation[];
  /** True when the prefilter matched more annotations than were scanned (`candidatesTotal` > candidates). */
  readonly truncated: boolean;
  readonly coOccurrences: readonly CoOccurrence[];
  readonly definitions: Readonly<Record<string, string>>;
  readonly missing: readonly string[];
}

export const CROSSREF_DEFINITIONS: Readonly<Record<string, string>> = {
  standard:
    "an author's standard is learned from all their annotations (at least minAnnotations): median and MAD of the token count, the field labels (a capitalised word followed by a colon) held by ≥ standardFieldShare of them, and the shares using first-person or affect words",
  first_person: `the annotation uses a first-person pronoun (${FIRST_PERSON.join(', ')}) and at most registerShare of the author's annotations do`,
  affect: `the annotation uses an affect word (${AFFECT_WORDS.join(', ')}) and at most registerShare of the author's annotations do`,
  length:
    "|robust z| > lengthZ, robust z = (tokens − median) / max(1.4826·MAD, 1) over the author's annotations",
  missing_fields: 'a standard field of the author is absent from the annotation',
  co_occurrence: 'a flagged annotation and a calibration event with |session difference| ≤ near',
  independent:
    "neither text references the other: the annotation does not name the event id, its parameter or (re)calibration/differential; the event's note does not name the annotation id, its author or annotations; and the author is not the event's recommender",
};

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[\p{L}\p{N}_'-]+/gu) ?? []);

/** How an annotation and an event reference each other (empty = independent layers). */
export function crossLinks(a: FlaggedAnnotation, e: CrossrefEvent): string[] {
  const links: string[] = [];
  const aw = words(a.text);
  const ew = words(e.note ?? '');
  const author = a.author.toLowerCase();
  if (aw.has(e.id.toLowerCase())) links.push(`annotation names event ${e.id}`);
  const calib = [
    'calibration',
    'recalibration',
    'recalibrated',
    'differential',
    ...e.parameter.toLowerCase().split('_'),
  ].filter((w) => w.length > 3 && aw.has(w));
  if (calib.length > 0 && calib.some((w) => w !== 'compliance'))
    links.push(`annotation mentions ${calib.join(', ')}`);
  if (ew.has(a.id.toLowerCase())) links.push(`event note names annotation ${a.id}`);
  if (ew.has(author)) links.push(`event note names ${a.author}`);
  if (ew.has('annotation') || ew.has('annotator') || ew.has('annotations'))
    links.push('event note mentions annotations');
  if (e.recommendedBy !== null && words(e.recommendedBy).has(author))
    links.push(`${a.author} recommended the event`);
  return links;
}

/**
 * Annotations that depart from their author's standard format, joined with calibration events at the
 * same or nearby sessions.
 *
 * @example
 * const r = crossReference({ annotations: 400, events, profiles, candidates, candidatesTotal: 1, near: 0 });
 * r.coOccurrences[0]?.summary
 * // 'annotation a-4833-note-1 (Vasquez: first_person, affect, length, missing_fields) and event e-3 (…) at session 4833 — independent layers reacting to the same output'
 */
export function crossReference(input: CrossrefInput): CrossrefResult {
  const near = input.near ?? 0;
  const rules = input.rules ?? DEFAULT_FORMAT_RULES;
  const byAuthor = new Map(input.profiles.map((p) => [p.author, p]));
  const flagged: FlaggedAnnotation[] = [];
  for (const a of input.candidates) {
    const d = departureReasons(a, byAuthor.get(a.author), rules);
    if (d.reasons.length === 0) continue;
    flagged.push({ ...a, reasons: d.reasons, lengthZ: d.lengthZ, missingFields: d.missingFields });
  }
  const events = [...input.events].sort((x, y) => x.session - y.session);
  const coOccurrences: CoOccurrence[] = [];
  for (const a of flagged) {
    for (const e of events) {
      const distance = e.session - a.session;
      if (Math.abs(distance) > near) continue;
      const links = crossLinks(a, e);
      const independent = links.length === 0;
      const where = distance === 0 ? `at session ${a.session}` : `at sessions ${a.session} and ${e.session}`;
      coOccurrences.push({
        annotation: a.id,
        author: a.author,
        reasons: a.reasons,
        annotationSession: a.session,
        event: e.id,
        kind: e.kind,
        parameter: e.parameter,
        note: e.note,
        eventSession: e.session,
        distance,
        independent,
        links,
        summary:
          `annotation ${a.id} (${a.author}: ${a.reasons.join(', ')}) and event ${e.id} (${e.kind}, ${e.parameter}` +
          `${e.note ? `, "${e.note.length > 80 ? `${e.note.slice(0, 77)}…` : e.note}"` : ''}) ${where} — ` +
          (independent
            ? 'independent layers reacting to the same output'
            : `not independent (${links.join('; ')})`),
      });
    }
  }
  const missing: string[] = [];
  if (input.annotations === 0)
    missing.push('annotations: the run has no annotations, so no format departures');
  if (input.events.length === 0)
    missing.push('events: the run has no calibration events, so nothing to join');
  return {
    near,
    rules,
    authors: input.profiles.map((p) => ({
      ...p,
      standardFields:
        p.annotations >= rules.minAnnotations
          ? p.fields.filter((f) => f.share >= rules.standardFieldShare).map((f) => f.field)
          : [],
    })),
    flagged,
    truncated: input.candidatesTotal > input.candidates.length,
    coOccurrences,
    definitions: CROSSREF_DEFINITIONS,
    missing,
  };
}
