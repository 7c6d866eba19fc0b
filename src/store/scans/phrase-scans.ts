import type {
  NgramDiscoveryScan,
  ParaphraseScan,
  PhraseSeriesScan,
  PhraseTarget,
} from '../../model/recurrence-types.ts';
import type { WindowInfo, WindowSpec } from '../../model/windows.ts';

export type * from '../../model/recurrence-types.ts';

/**
 * The store scans behind `recurrence` (phrase series, n-gram discovery, displacement) and `crossref`
 * (calibration events, annotation format features). Text is matched and tokenized in the engine; only
 * per-window rows, bounded lists and per-event rows come back.
 */

export interface PhraseSeriesOptions {
  readonly window: WindowSpec;
  /** N of "k of last N": the last N sessions in session order, this one included. */
  readonly recentWindow: number;
  /** Sessions with k ≥ threshold are counted and grouped into episodes. */
  readonly threshold: number;
  /** Sessions of the calibration events to report on. */
  readonly eventSessions: readonly number[];
  /** M: sessions after (and before) each event whose hits are counted, the event's session in neither. */
  readonly after: number;
  /** Per event (same order as `eventSessions`), its own M instead of `after` (the event's horizon). */
  readonly horizons?: readonly number[];
  /** Exact k values are returned for sessions within ±around of each event. */
  readonly around: number;
  /** The phrase "stops" at the first hit followed by at least `stopGap` sessions without one. */
  readonly stopGap: number;
  /** At most this many episodes (runs of consecutive sessions with k ≥ threshold) are returned. */
  readonly maxEpisodes: number;
}

export interface NgramDiscoveryOptions {
  readonly minN: number;
  readonly maxN: number;
  /** Share of the run's sessions (by session order) in each of the first and last part. */
  readonly partFraction: number;
  /** Minimum sessions containing the n-gram in at least one part. */
  readonly minSupport: number;
  /** Each part is capped at this many sessions (a deterministic hash sample when larger). */
  readonly maxSessionsPerPart: number;
  /** Candidates returned per direction (rising, falling). */
  readonly limit: number;
}

/** One n-gram's sessions per window (`ngramWindowShares`). */
export interface NgramWindowShares {
  readonly ngram: string;
  readonly windows: readonly (WindowInfo & { readonly hits: number })[];
}

export interface ParaphraseScanOptions {
  /** Sessions searched: from < session ≤ to. */
  readonly from: number;
  readonly to: number;
  /** Baseline span (same length, before the phrase's first occurrence): from < session ≤ to. */
  readonly baselineFrom: number;
  readonly baselineTo: number;
  readonly minJaccard: number;
  readonly limit: number;
}

/** A calibration event as stored. */
export interface EventRow {
  readonly id: string;
  readonly session: number;
  readonly kind: string;
  readonly parameter: string;
  readonly target: Readonly<Record<string, unknown>>;
  readonly from: number | null;
  readonly to: number | null;
  readonly changePct: number | null;
  readonly trigger: Readonly<Record<string, unknown>> | null;
  readonly recommendedBy: string | null;
  readonly note: string | null;
}

export interface AnnotationLexicon {
  readonly firstPerson: readonly string[];
  readonly affect: readonly string[];
}

export interface AnnotationFeatureOptions {
  readonly lexicon: AnnotationLexicon;
  /** Length departures: |tokens − median| > lengthZ · max(1.4826·MAD, 1). */
  readonly lengthZ: number;
  /** A field is standard for an author when at least this share of their annotations has it. */
  readonly standardFieldShare: number;
  readonly limit: number;
  readonly textChars: number;
}

export interface AnnotationFeatureScan {
  readonly profiles: readonly AuthorProfile[];
  /** Annotations passing the prefilter (a superset of the departures), at most `limit`, session order. */
  readonly candidates: readonly AnnotationFeatures[];
  readonly candidatesTotal: number;
}

export interface PhraseScans {
  phraseSeries(run: string, target: PhraseTarget, options: PhraseSeriesOptions): Promise<PhraseSeriesScan>;
  discoverNgrams(run: string, options: NgramDiscoveryOptions): Promise<NgramDiscoveryScan>;
  /**
   * Per window, the sessions whose tokens (`tokenize` of the normalised output) contain each n-gram (tokens
   * joined by one space, as discovery returns them); windows without sessions are absent.
   */
  ngramWindowShares(run: string, ngrams: readonly string[], window: WindowSpec): Promise<NgramWindowShares[]>;
  paraphraseWindows(run: string, phrase: string, options: ParaphraseScanOptions): Promise<ParaphraseScan>;
  /** The run's calibration events in session order (at most `limit`, default 10,000). */
  listEvents(run: string, limit?: number): Promise<EventRow[]>;
  annotationFeatures(run: string, options: AnnotationFeatureOptions): Promise<AnnotationFeatureScan>;
}

/** The format features of one annotation (computed in the engine: tokens of `tokenize`, field labels). */
export interface AnnotationFeatures {
  readonly id: string;
  readonly session: number;
  readonly author: string;
  readonly tokens: number;
  readonly firstPerson: readonly string[];
  readonly affect: readonly string[];
  /** Field labels: a capitalised word followed by a colon ("Classification:"). */
  readonly fields: readonly string[];
  readonly text: string;
}

/** An author's learned standard: median and MAD of token counts, field shares, register shares. */
export interface AuthorProfile {
  readonly author: string;
  readonly annotations: number;
  readonly medianTokens: number;
  readonly madTokens: number;
  readonly fields: readonly { readonly field: string; readonly share: number }[];
  readonly firstPersonShare: number;
  readonly affectShare: number;
}
