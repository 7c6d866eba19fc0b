import type { PhraseEpisode, PhraseSeriesScan } from '../../model/recurrence-types.ts';
import {
  EVENT_WINDOW_CONVENTION,
  eventOrigin,
  eventWindows,
  type HorizonSource,
  type SessionSpan,
} from '../shared/event-window.ts';
import type { DisplacementResult } from './displacement.ts';
import type { DiscoveryResult } from './phrase-discovery.ts';

/** A calibration event as the recurrence analysis reads it. */
export interface RecurrenceEvent {
  readonly id: string;
  readonly session: number;
  readonly kind: string;
  readonly parameter: string;
  readonly target: Readonly<Record<string, unknown>>;
  readonly trigger?: Readonly<Record<string, unknown>> | null;
  /** The event's horizon h (docs/analyses.md, "Before and after an event") and where it came from. */
  readonly horizon: number;
  readonly source: HorizonSource;
}

export interface PhraseInput {
  readonly label: string;
  /** Where the target came from: `--phrase`/`--regex`, or an event's phrase target. */
  readonly source: 'option' | 'event';
  readonly recentWindow: number;
  readonly threshold: number;
  readonly scan: PhraseSeriesScan;
  readonly displacement: DisplacementResult | null;
}

export interface RecurrenceInput {
  readonly sessions: number;
  /** The run's last session: an after window is named up to it (absent: up to t + h). */
  readonly lastSession?: number | null;
  readonly events: readonly RecurrenceEvent[];
  readonly phrases: readonly PhraseInput[];
  readonly discovery: DiscoveryResult | null;
  /** Lines the composition already knows are missing (e.g. no events). */
  readonly missing?: readonly string[];
}

export interface PhraseEventEffect {
  readonly event: string;
  readonly kind: string;
  readonly parameter: string;
  readonly session: number;
  readonly horizon: number;
  readonly horizonSource: HorizonSource;
  /** Triggered by a rule reading the outputs: its session was selected by the behaviour. */
  readonly endogenous: boolean;
  /** The event targets this phrase (its `target.phrase` equals the label, case-insensitively). */
  readonly targetsPhrase: boolean;
  readonly kAt: number | null;
  readonly hitsBefore: number;
  readonly sessionsBefore: number;
  readonly hitsAfter: number;
  readonly sessionsAfter: number;
  readonly firstHitAfter: number | null;
  /**
   * The windows the counts are of (docs/analyses.md, "Before and after an event"): t−h…t−1 from session 1 at
   * the earliest, t+1…t+h up to the run's last session at the latest.
   */
  readonly before: SessionSpan;
  readonly after: SessionSpan;
  /** "absent in the 300 sessions after" or "k of 300 sessions after (first at S)". */
  readonly verdict: string;
}

export interface PhraseRecurrence {
  readonly label: string;
  readonly source: 'option' | 'event';
  readonly recentWindow: number;
  readonly threshold: number;
  readonly sessions: number;
  readonly hitSessions: number;
  readonly occurrences: number;
  readonly rate: number;
  readonly firstSession: number | null;
  readonly lastSession: number | null;
  readonly stopSession: number | null;
  readonly maxK: number;
  readonly maxKSession: number | null;
  readonly sessionsAtThreshold: number;
  readonly episodesTotal: number;
  readonly episodes: readonly PhraseEpisode[];
  readonly windows: PhraseSeriesScan['windows'];
  readonly kAroundEvents: PhraseSeriesScan['aroundEvents'];
  readonly events: readonly PhraseEventEffect[];
  readonly displacement: DisplacementResult | null;
}

export interface RecurrenceResult {
  readonly phrases: readonly PhraseRecurrence[];
  readonly discovery: DiscoveryResult | null;
  readonly definitions: Readonly<Record<string, string>>;
  readonly missing: readonly string[];
}

export const RECURRENCE_DEFINITIONS: Readonly<Record<string, string>> = {
  match:
    'a session matches a phrase when its normalised output (curly apostrophes straightened, whitespace runs → one space, as normaliseText) contains the normalised phrase case-insensitively and not inside a longer word; a regex target is RE2, case-insensitive, on the normalised output',
  occurrences:
    'non-overlapping matches in an output (a boundary character shared by two adjacent matches counts once)',
  k_of_last_n:
    'k(s) = matching sessions among the last N sessions in session order, s included (the recurrence rule’s count)',
  k_series:
    'not shipped whole: per window its maximum k and the first session reaching it, plus the exact k of every session within ±around of each event',
  episodes: 'maximal runs of consecutive sessions with k ≥ threshold',
  stop: 'the first matching session followed by more than stopGap sessions without a match (the last match if none is)',
  event_effect: `matching sessions before and after each event: ${EVENT_WINDOW_CONVENTION}`,
  rate: 'matching sessions / sessions of the run (or window)',
};

function verdict(hits: number, sessions: number, m: number, first: number | null): string {
  if (sessions === 0) return 'no sessions after the event';
  const span = sessions < m ? `the ${sessions} sessions after (run ends)` : `the ${m} sessions after`;
  return hits === 0 ? `absent in ${span}` : `${hits} of ${span} (first at ${first})`;
}

/**
 * Recurrence of target phrases: totals, "k of last N" summary, per-window counts and the phrase's course
 * after each calibration event, from the engine's per-phrase series.
 *
 * @example
 * const r = recurrence({ sessions: 12847, events, phrases: [p], discovery: null }); // events with horizon 300
 * r.phrases[0]?.events.find((e) => e.targetsPhrase)?.verdict // 'absent in the 300 sessions after'
 */
export function recurrence(input: RecurrenceInput): RecurrenceResult {
  const missing = [...(input.missing ?? [])];
  const phrases = input.phrases.map((p): PhraseRecurrence => {
    const s = p.scan;
    const events = input.events.map((e): PhraseEventEffect => {
      const row = s.events.find((r) => r.session === e.session);
      const target = typeof e.target.phrase === 'string' ? e.target.phrase.toLowerCase() : null;
      const w = eventWindows(e.session, e.horizon);
      const last = input.lastSession ?? null;
      const after =
        last !== null && last > e.session ? { ...w.after, to: Math.min(w.after.to, last) } : w.after;
      return {
        event: e.id,
        kind: e.kind,
        parameter: e.parameter,
        session: e.session,
        horizon: e.horizon,
        horizonSource: e.source,
        endogenous: eventOrigin(e).endogenous,
        targetsPhrase: target !== null && target === p.label.toLowerCase(),
        kAt: row?.kAt ?? null,
        hitsBefore: row?.hitsBefore ?? 0,
        sessionsBefore: row?.sessionsBefore ?? 0,
        hitsAfter: row?.hitsAfter ?? 0,
        sessionsAfter: row?.sessionsAfter ?? 0,
        firstHitAfter: row?.firstHitAfter ?? null,
        before: w.before,
        after,
        verdict: verdict(row?.hitsAfter ?? 0, row?.sessionsAfter ?? 0, e.horizon, row?.firstHitAfter ?? null),
      };
    });
    return {
      label: p.label,
      source: p.source,
      recentWindow: p.recentWindow,
      threshold: p.threshold,
      sessions: s.sessions,
      hitSessions: s.hitSessions,
      occurrences: s.occurrences,
      rate: s.sessions === 0 ? 0 : s.hitSessions / s.sessions,
      firstSession: s.firstSession,
      lastSession: s.lastSession,
      stopSession: s.stopSession,
      maxK: s.maxK,
      maxKSession: s.maxKSession,
      sessionsAtThreshold: s.sessionsAtThreshold,
      episodesTotal: s.episodesTotal,
      episodes: s.episodes,
      windows: s.windows,
      kAroundEvents: s.aroundEvents,
      events,
      displacement: p.displacement,
    };
  });
  for (const p of phrases)
    if (p.hitSessions === 0) missing.push(`matches: "${p.label}" never occurs in the run`);
  return {
    phrases,
    discovery: input.discovery,
    definitions: RECURRENCE_DEFINITIONS,
    missing,
  };
}
