import type { AnnotationRecord, EventRecord, RunRecord, SessionRecord } from '../model/schema.ts';

/** A validated record with the run it belongs to and the 1-based line it came from. */
export interface Staged<R> {
  readonly run: string;
  readonly line: number;
  readonly record: R;
}

/** A row that failed validation (or could not be read), kept with everything needed to find and fix it. */
export interface StagedReject {
  readonly run: string | null;
  readonly line: number;
  readonly recordType: string | null;
  readonly field: string;
  readonly expected: string;
  readonly got: string;
}

/** One batch of a file's rows, validated and sorted by record type. */
export interface StagedItems {
  readonly runs: Staged<RunRecord>[];
  readonly sessions: Staged<SessionRecord>[];
  readonly annotations: Staged<AnnotationRecord>[];
  readonly events: Staged<EventRecord>[];
  readonly rejects: StagedReject[];
  /** The runs that this batch's valid rows belong to. */
  readonly runIds: string[];
}
