/**
 * The phrase targets and the series the recurrence scans return (src/store/scans/phrase-scans.ts): in the
 * model layer, which store and analyses both build on.
 */

/** A recurrence target: a phrase (case-insensitive, whole words, after normalisation) or an RE2 regex. */
export type PhraseTarget = { readonly phrase: string } | { readonly regex: string };

/** One window of a phrase series; maxK is the largest "k of last N" in the window (the downsampled series). */
export interface PhraseWindowRow {
  readonly index: number;
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  readonly hitSessions: number;
  readonly occurrences: number;
  readonly maxK: number;
  readonly maxKSession: number | null;
}

export interface PhraseEpisode {
  readonly from: number;
  readonly to: number;
  readonly peakK: number;
  readonly peakSession: number;
}

export interface PhraseEventRow {
  readonly session: number;
  /** k of last N at the event's session (null when the session is not in the run). */
  readonly kAt: number | null;
  readonly hitsBefore: number;
  readonly sessionsBefore: number;
  readonly hitsAfter: number;
  readonly sessionsAfter: number;
  readonly firstHitAfter: number | null;
}

export interface PhraseSeriesScan {
  readonly target: PhraseTarget;
  readonly sessions: number;
  readonly hitSessions: number;
  readonly occurrences: number;
  readonly firstSession: number | null;
  readonly lastSession: number | null;
  readonly stopSession: number | null;
  readonly maxK: number;
  readonly maxKSession: number | null;
  readonly sessionsAtThreshold: number;
  readonly episodesTotal: number;
  readonly episodes: readonly PhraseEpisode[];
  readonly windows: readonly PhraseWindowRow[];
  /** Exact k for the sessions within ±around of each event, in session order. */
  readonly aroundEvents: readonly { readonly session: number; readonly k: number; readonly hit: boolean }[];
  readonly events: readonly PhraseEventRow[];
}

export interface PartInfo {
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  readonly sampled: number;
}

export interface NgramCandidate {
  readonly ngram: string;
  readonly n: number;
  readonly firstCount: number;
  readonly lastCount: number;
  readonly firstRate: number;
  readonly lastRate: number;
  /** Rising: Wilson lower(last) − Wilson upper(first); falling: Wilson lower(first) − Wilson upper(last). */
  readonly score: number;
  readonly direction: 'rising' | 'falling';
}

export interface NgramDiscoveryScan {
  readonly first: PartInfo;
  readonly last: PartInfo;
  readonly candidates: readonly NgramCandidate[];
}

export interface ParaphraseCandidate {
  /** The token window, tokens joined by spaces. */
  readonly text: string;
  readonly jaccard: number;
  readonly sessionsAfter: number;
  readonly sessionsBaseline: number;
  readonly exampleSessions: readonly number[];
}

export interface ParaphraseScan {
  readonly phraseTokens: readonly string[];
  readonly sessionsSearched: number;
  readonly candidates: readonly ParaphraseCandidate[];
}
