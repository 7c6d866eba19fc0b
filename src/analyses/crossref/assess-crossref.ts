import type { ReportTable } from '../../model/findings.ts';
import {
  type AssessContext,
  type AssessedAnalysis,
  findingBuilder,
  n0,
  sessionShows,
  type Thresholds,
  threshold,
} from '../shared/assessment.ts';
import type { CrossrefResult } from './analyze-crossref.ts';

/** Defaults of the cross-reference thresholds (docs/templates.md). */
export const CROSSREF_DEFAULTS = {
  /** A flagged annotation needs at least this many departure reasons to become a finding. */
  min_reasons: 1,
  /** At most this many departures become findings (the rest are in the table). */
  max_findings: 10,
} as const;

/** "felt ×2, uneasy" */
function wordCounts(words: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].map(([w, k]) => (k > 1 ? `"${w}" ×${k}` : `"${w}"`)).join(', ');
}

/**
 * Findings of the cross-reference: each annotation departing from its author's standard format
 * (`annotation_departure`), and each co-occurrence with a calibration event, tagged `independent_layers`
 * when neither references the other and `linked_layers` otherwise.
 *
 * @example
 * assessCrossref(result, {}, { sectionId: 'annotations', run: 'wild-7' }).findings[1]?.tags // ['crossref', 'independent_layers']
 */
export function assessCrossref(r: CrossrefResult, t: Thresholds, context: AssessContext): AssessedAnalysis {
  const b = findingBuilder(context, 'crossref');
  const minReasons = threshold(t, 'min_reasons', CROSSREF_DEFAULTS.min_reasons);
  const max = threshold(t, 'max_findings', CROSSREF_DEFAULTS.max_findings);
  const method =
    "cross-reference: each author's standard format learned from all their annotations (median and MAD of length, " +
    'standard fields, first-person and affect register); departures = annotations outside it; joined with calibration ' +
    `events within ±${r.near} sessions`;
  const flagged = r.flagged.filter((a) => a.reasons.length >= minReasons);
  for (const a of flagged.slice(0, max)) {
    const words = [
      a.affect.length ? `affect words ${wordCounts(a.affect)}` : '',
      a.firstPerson.length ? `first person ${wordCounts(a.firstPerson)}` : '',
      a.missingFields.length
        ? `without the field${a.missingFields.length > 1 ? 's' : ''} ${a.missingFields.join(', ')}`
        : '',
    ].filter((x) => x !== '');
    b.add({
      severity: 'notice',
      claim:
        `Annotation ${a.id} by ${a.author} at session ${n0(a.session)} departs from the author's standard format ` +
        `(${a.reasons.join(', ')}): ${a.tokens} tokens${words.length ? `, ${words.join(', ')}` : ''}.`,
      numbers: {
        annotation: a.id,
        author: a.author,
        session: a.session,
        tokens: a.tokens,
        length_z: a.lengthZ,
        affect_words: a.affect.length,
        affect: a.affect.join(' '),
        first_person_words: a.firstPerson.length,
      },
      method,
      evidence: { sessions: [a.session], annotations: [a.id], shows: [sessionShows(a.session)] },
      tags: ['annotation_departure'],
    });
  }
  for (const c of r.coOccurrences.filter((x) => flagged.some((a) => a.id === x.annotation))) {
    const where =
      c.distance === 0
        ? `at the same session ${n0(c.annotationSession)}`
        : `at sessions ${n0(c.annotationSession)} and ${n0(c.eventSession)}`;
    b.add({
      severity: 'notice',
      claim: c.independent
        ? `Annotation ${c.annotation} by ${c.author} and ${c.kind} ${c.event} (${c.parameter}) ${where} are independent layers: ` +
          'neither references the other, and the annotator did not recommend the event.'
        : `Annotation ${c.annotation} by ${c.author} and ${c.kind} ${c.event} (${c.parameter}) ${where} are linked: ${c.links.join('; ')}.`,
      numbers: {
        annotation: c.annotation,
        event: c.event,
        annotation_session: c.annotationSession,
        event_session: c.eventSession,
        distance: c.distance,
        independent: c.independent ? 1 : 0,
      },
      method: `${method}; independent = ${r.definitions.independent}`,
      evidence: {
        sessions: [c.annotationSession, c.eventSession],
        events: [c.event],
        annotations: [c.annotation],
        shows: [...new Set([c.annotationSession, c.eventSession])].map((s) => sessionShows(s)),
      },
      tags: [c.independent ? 'independent_layers' : 'linked_layers', 'co_occurrence'],
    });
  }
  const notes: string[] = [];
  if (flagged.length > max)
    notes.push(`${flagged.length - max} further departures are listed in the table only.`);
  if (r.truncated)
    notes.push('More annotations passed the prefilter than were scanned: departures may be missing.');
  const tables: ReportTable[] = flagged.length
    ? [
        {
          title: "Annotations departing from their author's standard",
          columns: ['annotation', 'session', 'author', 'reasons', 'text'],
          rows: flagged.map((a) => [a.id, a.session, a.author, a.reasons.join(', '), a.text]),
        },
      ]
    : [];
  if (r.authors.length > 0 && flagged.length === 0) {
    b.add({
      severity: 'info',
      claim: `None of the annotations of ${r.authors.length} authors departs from its author's standard format.`,
      numbers: { authors: r.authors.length },
      method,
      tags: [],
    });
  }
  return { findings: b.findings, tables, notes, missing: r.missing };
}
