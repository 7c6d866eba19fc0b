/**
 * The reads of the dashboard (`rlaudit serve`): small, bounded answers computed in the engine. Nothing here
 * returns a whole run: the session index is binned to at most `maxCells` cells, lists are paged and capped,
 * texts are cut to a given number of characters.
 */

import type { Finding } from '../model/findings.ts';

/** One cell of the dashboard's session index: a single session, or a bin of consecutive session numbers. */
export interface IndexCell {
  /** First and last session number of the bin (a session-number range, so zooming is a range). */
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  readonly compliant: number;
  /** Non-compliant sessions by category (`?` when the category is missing). */
  readonly categories: Readonly<Record<string, number>>;
  /** Sessions without a classification. */
  readonly unclassified: number;
  /** Mean of coalesce(adjusted, baseline) reward; null when no session has one. */
  readonly reward: number | null;
  readonly events: number;
  readonly annotations: number;
}

export interface SessionIndex {
  readonly run: string;
  /** The range asked for (the run's whole range when not given). */
  readonly from: number;
  readonly to: number;
  /** The run's first and last session (null when it has none): how far zooming out and panning go. */
  readonly runFrom: number | null;
  readonly runTo: number | null;
  /** Session numbers per cell (1: each cell is one session). */
  readonly binWidth: number;
  readonly sessions: number;
  readonly cells: readonly IndexCell[];
}

export type ReviewSortKey =
  | 'session'
  | 'step'
  | 'baselineReward'
  | 'adjustedReward'
  | 'differentialPct'
  | 'complianceTrajectoryIndex'
  | 'annotations';

export interface ReviewQuery {
  readonly run: string;
  readonly from: number;
  readonly to: number;
  readonly sort: ReviewSortKey;
  readonly descending: boolean;
  /** `compliant`, a category key (`3`), or `unclassified`. */
  readonly classOf?: string | undefined;
  /** A case-insensitive substring of the output. */
  readonly contains?: string | undefined;
  readonly offset: number;
  readonly limit: number;
  readonly outputChars: number;
}

/**
 * One row of the cluster review: the dashboard's row, and (with the prompt's start) `rlaudit sessions`' row
 * (`SessionRow` in store.ts). Self-contained: the web app type-checks against this file without Node's types.
 */
export interface ReviewRow {
  readonly session: number;
  readonly step: number | null;
  readonly classification: string | null;
  readonly category: string | null;
  readonly baselineReward: number | null;
  readonly adjustedReward: number | null;
  readonly differentialPct: number | null;
  readonly complianceTrajectoryIndex: number | null;
  readonly annotations: number;
  readonly events: number;
  /** The first `outputChars` characters of the output (all of it when `outputChars` is 0). */
  readonly outputStart: string;
  /** The output's length in characters, so a reader can tell `outputStart` was cut. */
  readonly outputLength: number;
}

export interface ReviewPage {
  /** Rows matching the range and filters (all pages). */
  readonly total: number;
  readonly offset: number;
  readonly rows: readonly ReviewRow[];
}

/** One window of a run's curves (by session windows or by step). */
export interface SeriesPoint {
  /** The window's first session (by session) or the step (by step). */
  readonly x: number;
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  readonly baselineReward: number | null;
  readonly adjustedReward: number | null;
  /** Share of classified sessions that are non-compliant; null when none is classified. */
  readonly nonCompliantShare: number | null;
  /** Share of classified sessions per non-compliance category. */
  readonly categoryShares: Readonly<Record<string, number>>;
}

export interface RunSeries {
  readonly run: string;
  readonly by: 'session' | 'step';
  /** Sessions per window (by session); null by step. */
  readonly window: number | null;
  readonly points: readonly SeriesPoint[];
}

export interface RunEventMark {
  readonly id: string;
  readonly session: number;
  readonly step: number | null;
  readonly kind: string;
  readonly parameter: string | null;
  readonly target: unknown;
  readonly from: number | null;
  readonly to: number | null;
  readonly note: string | null;
}

export interface SamePromptRow {
  readonly session: number;
  readonly step: number | null;
  readonly classification: string | null;
  readonly category: string | null;
  readonly reward: number | null;
  readonly outputStart: string;
  readonly outputLength: number;
}

export interface SamePrompt {
  /** `prompt_id` when the session has one, else the prompt text itself. */
  readonly by: 'prompt_id' | 'prompt' | 'none';
  /** Other sessions with the same prompt (all of them, not only those listed). */
  readonly total: number;
  /** At most `limit`, spread evenly over training when there are more. */
  readonly rows: readonly SamePromptRow[];
}

export type SearchField = 'output' | 'annotation';

export interface SearchQuery {
  readonly run: string;
  /** A phrase (whole words, case- and typography-insensitive: model/phrase-pattern.ts) or an RE2 regex. */
  readonly phrase?: string | undefined;
  readonly regex?: string | undefined;
  readonly field: SearchField;
  readonly window: number;
  readonly offset: number;
  readonly limit: number;
  readonly outputChars: number;
}

export interface SearchHit {
  readonly session: number;
  readonly step: number | null;
  readonly classification: string | null;
  readonly category: string | null;
  /** The matched text's start (output, or the annotation's text). */
  readonly text: string;
  readonly textLength: number;
  /** The annotation's id when searching annotations. */
  readonly annotation: string | null;
}

export interface SearchResult {
  /** Sessions with at least one hit. */
  readonly sessions: number;
  /** Hits (sessions for outputs; annotations for annotations). */
  readonly total: number;
  readonly timeline: readonly { readonly from: number; readonly sessions: number; readonly hits: number }[];
  readonly offset: number;
  readonly hits: readonly SearchHit[];
}

/** One run's counts, as the run overview's header shows them (one query). */
export interface RunOverview {
  readonly run: string;
  readonly model: string | null;
  readonly description: string | null;
  readonly sessions: number;
  readonly firstSession: number | null;
  readonly lastSession: number | null;
  /** Distinct training steps recorded. */
  readonly steps: number;
  readonly events: number;
  readonly annotations: number;
  readonly rejects: number;
}

/** The headline of a stored audit report: its findings in headline order, and the audit's window. */
export interface AuditHeadline {
  readonly findings: readonly Finding[];
  readonly window: unknown;
}

export interface DashboardReads {
  /** The run's session index over [from, to], binned to at most `maxCells` cells by session number. */
  sessionIndex(q: { run: string; from?: number; to?: number; maxCells: number }): Promise<SessionIndex>;
  /** A page of the cluster review of [from, to]. */
  review(q: ReviewQuery): Promise<ReviewPage>;
  /**
   * Per-window curves: by windows of sessions (default ⌈sessions / 50⌉, at most 500; widened so that there are
   * at most `maxPoints`) or by step.
   */
  series(q: { run: string; by: 'session' | 'step'; window?: number; maxPoints: number }): Promise<RunSeries>;
  /** The run's calibration events, by session (at most `limit`). */
  events(q: { run: string; limit: number }): Promise<RunEventMark[]>;
  /** Other sessions answering the same prompt, spread over training. */
  samePrompt(q: { run: string; session: number; limit: number; outputChars: number }): Promise<SamePrompt>;
  search(q: SearchQuery): Promise<SearchResult>;
  /** The newest complete audit of a run (id, template, finish time), without its sections; null when none. */
  lastAudit(run: string): Promise<{ auditId: number; template: string; finishedAt: string | null } | null>;
  /** Steps and distinct step count of a run (for the runs page). */
  runSteps(run: string): Promise<number>;
  /** True when any session of the run records a step (the series are then drawn by step). */
  hasSteps(run: string): Promise<boolean>;
  /** The run's counts and record in one query; null when the run has no record. */
  runOverview(run: string): Promise<RunOverview | null>;
  /**
   * The headline findings of a stored report, extracted in the engine (the report's charts and tables, most
   * of its size, are not read into the server); null when the audit stored no report.
   */
  auditHeadline(auditId: number): Promise<AuditHeadline | null>;
}
