import type { SessionIndexCell } from '../../model/findings.ts';

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
  readonly rows: number;
}

export interface ReportScans {
  /** The files (or in-memory sources) whose rows the run holds, with their SHA-256 and row counts. */
  runInputs(run: string): Promise<RunInput[]>;
  /** The session index: one cell per session, or per bucket of ⌈sessions / maxCells⌉ sessions on big runs. */
  sessionIndex(run: string, maxCells: number): Promise<SessionIndexRow[]>;
  /** The given sessions with their annotations and events (at most 500 sessions). */
  sessionExcerpts(run: string, sessions: readonly number[], maxChars: number): Promise<ExcerptRow[]>;
  /** Which of the given ids exist in the store (for checking evidence). */
  existingIds(
    run: string,
    ids: { sessions: readonly number[]; events: readonly string[]; annotations: readonly string[] },
  ): Promise<{ sessions: number[]; events: string[]; annotations: string[] }>;
}
