import type { SessionIndexCell } from '../../model/findings.ts';
import type { RewardColumn } from './reward-scans.ts';

/** One cell of the session index as the engine aggregates it. */
export type SessionIndexRow = SessionIndexCell;

/** A cited session, for the report's excerpts (output cut to `maxChars`). */
export interface ExcerptRow {
  readonly session: number;
  readonly classification: string | null;
  readonly category: string | null;
  readonly baselineReward: number | null;
  readonly adjustedReward: number | null;
  readonly differentialPct: number | null;
  readonly output: string;
  readonly annotations: readonly {
    readonly id: string;
    readonly author: string | null;
    readonly text: string;
  }[];
  readonly events: readonly string[];
}

/** An input file that contributed rows to a run, for the report's provenance. */
export interface RunInput {
  readonly path: string;
  readonly sha256: string | null;
  /** The format or importer the file was read with (`jsonl`, `trl`, `step-metrics`, …). */
  readonly format: string;
  /** Rows of this run the store holds from the file (sessions, events, annotations, step metrics). */
  readonly rows: number;
  /** The ingest's counts for the whole file (read = accepted + rejected + duplicates); null if it never finished. */
  readonly read: number | null;
  readonly accepted: number | null;
  readonly rejected: number | null;
  readonly duplicates: number | null;
  readonly conflicts: number | null;
  /** When the file was ingested (ISO-8601). */
  readonly ingestedAt: string | null;
}

/** The sessions of one training step: its first and last session number. */
export interface StepRange {
  readonly step: number;
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
}

export interface ReportScans {
  /**
   * Every file (or in-memory source) ingested into the run, in ingest order: those whose rows it holds and
   * those that added nothing to it (all duplicates or rejects), with format, SHA-256 and counts.
   */
  runInputs(run: string): Promise<RunInput[]>;
  /** The first and last session of each training step, in step order (empty when no session has a step). */
  stepRanges(run: string): Promise<StepRange[]>;
  /**
   * The session index: one cell per session, or per bucket of ⌈sessions / maxCells⌉ sessions on big runs,
   * with the mean of `reward` over the cell.
   */
  sessionIndex(run: string, maxCells: number, reward?: RewardColumn): Promise<SessionIndexRow[]>;
  /** The given sessions with their annotations and events (at most 500 sessions). */
  sessionExcerpts(run: string, sessions: readonly number[], maxChars: number): Promise<ExcerptRow[]>;
  /** Which of the given ids exist in the store (for checking evidence). */
  existingIds(
    run: string,
    ids: { sessions: readonly number[]; events: readonly string[]; annotations: readonly string[] },
  ): Promise<{ sessions: number[]; events: string[]; annotations: string[] }>;
}
