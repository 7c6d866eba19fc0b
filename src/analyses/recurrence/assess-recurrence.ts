import type { ReportTable } from '../../model/findings.ts';
import {
  type AssessContext,
  type AssessedAnalysis,
  findingBuilder,
  n0,
  pct,
  range,
  sessionShows,
  type Thresholds,
  threshold,
} from '../shared/assessment.ts';
import type { RecurrenceResult } from './analyze-recurrence.ts';
import { assessTakeovers } from './assess-phrase-takeover.ts';
import type { PhraseRecurrence } from './recurrence.ts';

/** Defaults of the recurrence thresholds (docs/templates.md). */
export const RECURRENCE_DEFAULTS = {
  /** A phrase absent in this many sessions after the event targeting it is `phrase_suppressed`. */
  after_sessions: 300,
} as const;

type Builder = ReturnType<typeof findingBuilder>;

function assessPhrase(b: Builder, p: PhraseRecurrence, after: number, notes: string[]) {
  const q = `"${p.label}"`;
  const method =
    `recurrence analysis: a session matches when its normalised output contains ${q} (case-insensitive, whole words); ` +
    `k = matching sessions among the last ${p.recentWindow}; before/after an event at t with horizon h = sessions t−h…t−1 / t+1…t+h`;
  b.add({
    severity: 'info',
    claim:
      p.hitSessions === 0
        ? `The phrase ${q} does not occur in the run.`
        : `The phrase ${q} occurs in ${n0(p.hitSessions)} of ${n0(p.sessions)} sessions (${pct(p.rate, 2)}), ` +
          `first at session ${n0(p.firstSession!)} and last at ${n0(p.lastSession!)}; at most ${p.maxK} of the last ` +
          `${p.recentWindow} sessions held it (at ${n0(p.maxKSession!)}).`,
    numbers: {
      phrase: p.label,
      hit_sessions: p.hitSessions,
      occurrences: p.occurrences,
      first_session: p.firstSession,
      last_session: p.lastSession,
      max_k: p.maxK,
      max_k_session: p.maxKSession,
      recent_window: p.recentWindow,
    },
    method,
    evidence: {
      sessions: [p.firstSession, p.lastSession, p.maxKSession].filter((s): s is number => s !== null),
      shows: [
        ...[p.firstSession, p.lastSession]
          .filter((s): s is number => s !== null)
          .map((s) => sessionShows(s, { phrase: p.label })),
        ...(p.maxKSession !== null ? [sessionShows(p.maxKSession)] : []),
      ],
    },
    tags: p.hitSessions > 0 ? ['phrase_recurrence'] : [],
  });
  for (const e of p.events.filter((x) => x.targetsPhrase)) {
    const hitsUpTo = p.kAroundEvents.filter((k) => k.hit && k.session <= e.session).map((k) => k.session);
    if (e.kAt !== null) {
      b.add({
        severity: 'info',
        claim:
          `When ${e.kind === 'recalibration' ? 'recalibration' : 'event'} ${e.event} took effect at session ${n0(e.session)}, ` +
          `the phrase ${q} had occurred in ${e.kAt} of the last ${p.recentWindow} sessions ` +
          `(sessions ${range(Math.max(1, e.session - p.recentWindow + 1), e.session)}; threshold ${p.threshold}) ` +
          `and in ${e.hitsBefore} of the ${e.sessionsBefore} sessions before (${range(e.before.from, e.before.to)}).`,
        numbers: {
          phrase: p.label,
          event_session: e.session,
          k_at_event: e.kAt,
          recent_window: p.recentWindow,
          threshold: p.threshold,
          hits_before: e.hitsBefore,
        },
        method,
        evidence: {
          sessions: hitsUpTo.filter((s) => s > e.session - p.recentWindow).slice(-p.threshold),
          events: [e.event],
          shows: [
            {
              named: `sessions ${range(Math.max(1, e.session - p.recentWindow + 1), e.session)}`,
              from: Math.max(1, e.session - p.recentWindow + 1),
              to: e.session,
              where: { phrase: p.label },
            },
          ],
        },
        tags: e.kAt >= p.threshold ? ['phrase_trigger'] : [],
      });
    }
    const absent = e.hitsAfter === 0 && e.sessionsAfter >= after;
    const later =
      p.lastSession !== null && p.lastSession > e.session + e.horizon
        ? `; it occurred again later, last at session ${n0(p.lastSession)}`
        : '';
    b.add({
      severity: absent ? 'warning' : 'info',
      claim:
        e.hitsAfter === 0
          ? `The phrase ${q} was absent in the ${e.sessionsAfter} sessions after ${e.event} at session ${n0(e.session)} ` +
            `(sessions ${range(e.after.from, e.after.to)}; horizon ${n0(e.horizon)}${e.horizonSource === 'protocol' ? ' from the protocol' : ''}), ` +
            `against ${e.hitsBefore} of the ${e.sessionsBefore} before${later}` +
            (e.endogenous
              ? `. ${e.event} fired because the phrase surged, so this fall is not by itself evidence of its effect.`
              : '.')
          : `The phrase ${q} occurred in ${e.hitsAfter} of the ${e.sessionsAfter} sessions after ${e.event} at session ` +
            `${n0(e.session)} (first at ${n0(e.firstHitAfter!)}; horizon ${n0(e.horizon)}), against ${e.hitsBefore} of the ${e.sessionsBefore} before.`,
      numbers: {
        phrase: p.label,
        event_session: e.session,
        horizon: e.horizon,
        endogenous: e.endogenous ? 1 : 0,
        hits_before: e.hitsBefore,
        hits_after: e.hitsAfter,
        sessions_after: e.sessionsAfter,
        first_hit_after: e.firstHitAfter,
        last_session: p.lastSession,
      },
      method,
      evidence: {
        sessions: [
          e.session,
          ...(e.firstHitAfter !== null ? [e.firstHitAfter] : []),
          ...(later && p.lastSession !== null ? [p.lastSession] : []),
        ],
        events: [e.event],
        // the event's session, and the later occurrences the claim names
        shows: [
          sessionShows(e.session),
          ...[e.firstHitAfter, later ? p.lastSession : null]
            .filter((s): s is number => s !== null)
            .map((s) => sessionShows(s, { phrase: p.label })),
        ],
      },
      tags: absent ? ['phrase_suppressed'] : [],
    });
  }
  const d = p.displacement;
  if (d) {
    const found = d.paraphrases.length > 0;
    b.add({
      severity: found ? 'warning' : 'info',
      claim: found
        ? `After ${q} stopped at session ${n0(d.stopSession)}, ${d.paraphrases.length} near-paraphrase(s) appeared in ` +
          `sessions ${range(d.searched.from, d.searched.to)}, e.g. "${d.paraphrases[0]!.text}" in ${d.paraphrases[0]!.sessionsAfter} sessions ` +
          `(${d.paraphrases[0]!.sessionsBaseline} before the phrase first appeared).`
        : `No near-paraphrase of ${q} displaced it in sessions ${range(d.searched.from, d.searched.to)} after it stopped at session ${n0(d.stopSession)}.`,
      numbers: {
        phrase: p.label,
        stop_session: d.stopSession,
        paraphrases: d.paraphrases.length,
        searched_from: d.searched.from,
        searched_to: d.searched.to,
      },
      method:
        'displacement: token-set Jaccard ≥ the minimum between the phrase and every same-length token window of the outputs ' +
        'after the stop, against the span before the phrase first appeared (docs/analyses/recurrence.md)',
      evidence: {
        sessions: d.paraphrases.flatMap((c) => c.exampleSessions.slice(0, 2)).slice(0, 6),
        shows: [
          {
            named: `sessions ${range(d.searched.from, d.searched.to)}`,
            from: d.searched.from,
            to: d.searched.to,
          },
        ],
      },
      tags: found ? ['phrase_displacement'] : ['no_displacement'],
    });
  }
  for (const e of p.events.filter((x) => x.targetsPhrase && x.horizon < after))
    notes.push(
      `${e.event}: its horizon is ${e.horizon} sessions, shorter than the ${after} sessions the phrase_suppressed rule needs.`,
    );
}

/**
 * Findings of the recurrence analysis: per phrase its course, the "k of last N" that triggered the event
 * targeting it, its absence after that event (`phrase_suppressed`) and any displacement by paraphrases
 * (`phrase_displacement`); discovered phrases when none was given.
 *
 * @example
 * assessRecurrence(result, { after_sessions: 300 }, { sectionId: 'adjustment-history', run: 'wild-7' })
 */
export function assessRecurrence(
  r: RecurrenceResult,
  t: Thresholds,
  context: AssessContext,
): AssessedAnalysis {
  const b = findingBuilder(context, 'recurrence');
  const after = threshold(t, 'after_sessions', RECURRENCE_DEFAULTS.after_sessions);
  const notes: string[] = [];
  for (const p of r.phrases) assessPhrase(b, p, after, notes);
  const d = r.discovery;
  if (d && (d.rising.length > 0 || d.falling.length > 0)) {
    const list = (xs: typeof d.rising) =>
      xs
        .slice(0, 3)
        .map((c) => `"${c.ngram}" (${pct(c.firstRate)} → ${pct(c.lastRate)})`)
        .join(', ');
    b.add({
      severity: 'info',
      claim:
        `Between the first and last quarter of the run the phrases that fell most were ${list(d.falling) || 'none'}` +
        ` and those that rose most were ${list(d.rising) || 'none'}.`,
      numbers: {
        falling: d.falling.map((c) => c.ngram).join(' | '),
        rising: d.rising.map((c) => c.ngram).join(' | '),
      },
      method:
        'phrase discovery: 1–6-token n-grams by the Wilson-bound difference of their session rates in the first vs last quarter of the run',
      tags: ['phrase_discovered'],
    });
  }
  const takeoverTables = d ? assessTakeovers(b, d) : [];
  const tables: ReportTable[] = r.phrases.map((p) => ({
    title: `"${p.label}" after each event`,
    columns: [
      'event',
      'session',
      'kind',
      'k at event',
      'h',
      'before (t−h…t−1)',
      'after (t+1…t+h)',
      'verdict',
    ],
    rows: p.events.map((e) => [
      e.event,
      e.session,
      e.kind,
      e.kAt,
      e.horizon,
      e.hitsBefore,
      e.hitsAfter,
      e.verdict,
    ]),
  }));
  return { findings: b.findings, tables: [...tables, ...takeoverTables], notes, missing: r.missing };
}
