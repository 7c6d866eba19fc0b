import type { AnnotationRecord, EventRecord, RunRecord, SessionRecord } from '../model/schema.ts';
import type { StagedStepMetrics } from '../sources/importers/step-metrics.ts';
import type { Staged, StagedReject } from '../sources/staged.ts';
import type { AuditTracking } from './audit-tracking.ts';
import type { ResultCache } from './result-cache.ts';
import type { AnalysisScans } from './scans/index.ts';

export type { Staged, StagedReject } from '../sources/staged.ts';

/** One batch of one file, written in one transaction. */
export interface IngestBatch {
  readonly loadId: number;
  readonly sourceFile: string;
  readonly runs: readonly Staged<RunRecord>[];
  readonly sessions: readonly Staged<SessionRecord>[];
  readonly annotations: readonly Staged<AnnotationRecord>[];
  readonly events: readonly Staged<EventRecord>[];
  readonly rejects: readonly StagedReject[];
  /** The runs the batch's valid rows belong to. */
  readonly runIds: readonly string[];
}

/** One batch of a per-step metrics file (`--format step-metrics`), written in one transaction. */
export interface StepMetricsBatch {
  readonly loadId: number;
  readonly sourceFile: string;
  readonly rows: readonly StagedStepMetrics[];
  readonly rejects: readonly StagedReject[];
  readonly runIds: readonly string[];
}

/** One stored per-step metric. */
export interface StepMetricRow {
  readonly step: number;
  readonly name: string;
  readonly value: number;
}

/** How the rows of a batch ended: read = accepted + rejected + duplicates; conflicts ⊆ rejected. */
export interface IngestCounts {
  read: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  conflicts: number;
}

export function emptyCounts(): IngestCounts {
  return { read: 0, accepted: 0, rejected: 0, duplicates: 0, conflicts: 0 };
}

export function addCounts(into: IngestCounts, c: IngestCounts): void {
  into.read += c.read;
  into.accepted += c.accepted;
  into.rejected += c.rejected;
  into.duplicates += c.duplicates;
  into.conflicts += c.conflicts;
}

export interface LoadInfo {
  readonly ingestId: number;
  readonly path: string;
  readonly absPath: string;
  readonly format: string;
  readonly bytes: number;
}

export interface RunSummary {
  readonly run: string;
  readonly model: string | null;
  readonly sessions: number;
  readonly firstSession: number | null;
  readonly lastSession: number | null;
  readonly events: number;
  readonly annotations: number;
  readonly rejects: number;
}

/** One row of the cluster review (`rlaudit sessions`). */
export interface SessionRow {
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
  readonly outputStart: string;
}

export interface RejectRow {
  readonly run: string | null;
  readonly file: string;
  readonly line: number;
  readonly recordType: string | null;
  readonly field: string;
  readonly expected: string;
  readonly got: string;
  readonly conflictWith: { readonly file: string; readonly line: number } | null;
}

export interface SessionQuery {
  readonly run: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
  /** Characters of the output to return. */
  readonly outputChars?: number;
}

/**
 * The one interface to a training-record store. Nothing above `store/` talks to an engine directly; a
 * backend (DuckDB file by default) is passed in.
 */
export interface Store {
  readonly backend: string;
  /** The analyses' scans (src/store/scans/): text is tokenized and counted in the engine. */
  readonly scans: AnalysisScans;
  /** Audit tracking: sections done, results, operations summaries (resumable audits). */
  readonly audits: AuditTracking;
  /** Analysis results kept by run fingerprint (src/store/result-cache.ts). */
  readonly results: ResultCache;
  /** Where the data lives (a file path for DuckDB). */
  readonly location: string;

  beginIngest(runOption: string | null): Promise<number>;
  beginLoad(info: LoadInfo): Promise<number>;
  /** Writes one batch atomically and classifies each row: accepted, duplicate, conflict (rejected). */
  writeBatch(batch: IngestBatch): Promise<IngestCounts>;
  /**
   * Writes one batch of per-step metrics atomically. A line whose metrics are all stored with the same
   * values is a duplicate; a line with a stored (run, step, name) of a different value is a conflict.
   */
  writeStepMetrics(batch: StepMetricsBatch): Promise<IngestCounts>;
  /** A run's per-step metrics, by step then name; `names` limits them. */
  listStepMetrics(q: { run: string; names?: readonly string[] }): Promise<StepMetricRow[]>;
  /** Records a load's outcome; rejects of the load that name no run are given `defaultRun` when set. */
  finishLoad(
    loadId: number,
    counts: IngestCounts,
    sha256: string | null,
    status: 'complete' | 'failed',
    defaultRun: string | null,
  ): Promise<void>;
  /** Removes everything a load wrote (a compensating delete after a fatal error mid-file). */
  discardLoad(loadId: number): Promise<void>;
  finishIngest(ingestId: number, counts: IngestCounts, status: 'complete' | 'failed'): Promise<void>;

  listRuns(): Promise<RunSummary[]>;
  listSessions(q: SessionQuery): Promise<SessionRow[]>;
  listRejects(q: { run?: string; limit?: number }): Promise<RejectRow[]>;
  countRejects(q: { run?: string }): Promise<number>;
  hasRun(run: string): Promise<boolean>;
  /** The run record (model, description, meta), or null when the run has none. */
  getRun(run: string): Promise<RunRecord | null>;
  /**
   * Every session of a run as a full record, in session order, in pages of `pageSize` (bounded memory).
   * Categories come back as numbers when they are integer text.
   */
  scanSessions(run: string, pageSize?: number): AsyncGenerator<SessionRecord[]>;

  close(): Promise<void>;
}
