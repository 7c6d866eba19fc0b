import type { AnnotationRecord, EventRecord, RunRecord, SessionRecord } from '../model/schema.ts';
import type { StoredRun } from '../sources/importers/run-cursors.ts';
import type { StagedStepMetrics } from '../sources/importers/step-metrics.ts';
import type { JsonlPrescan } from '../sources/jsonl-prescan.ts';
import type { Staged, StagedReject } from '../sources/staged.ts';
import type { AuditTracking } from './audit-tracking.ts';
import type { ReviewRow } from './dashboard-reads.ts';
import type { ResultCache } from './result-cache.ts';
import type { JournalRecovery } from './reward-journal.ts';
import type { AnalysisScans } from './scans/index.ts';
import type { EventRow } from './scans/phrase-scans.ts';

export type { Staged, StagedReject } from '../sources/staged.ts';

/** One batch of one file, written in one transaction. */
/** A plain JSONL file for the engine path: where it is, its longest line, and which run its rows go to. */
export interface EngineJsonlRead {
  readonly path: string;
  readonly sourceFile: string;
  readonly longestLine: number;
  /** The prescan's count of lines and its checksum of their lengths in line order (`prescanJsonl`). */
  readonly lines: number;
  readonly checksum: number;
  readonly runs: { readonly forcedRun: string | undefined; readonly fileRun: string };
}

/** A plain JSONL file for the engine path's fast scan: the prescan's blank and suspect lines, and the load. */
export interface EngineFastRead {
  readonly path: string;
  readonly sourceFile: string;
  readonly maxLineBytes: number;
  readonly runs: { readonly forcedRun: string | undefined; readonly fileRun: string };
  readonly loadId: number;
  /**
   * The prescan of the file (`prescanJsonl`), running while DuckDB reads it: its line count, blank and suspect
   * lines; a `fallback` gives the file up.
   */
  readonly prescan: Promise<
    Pick<JsonlPrescan, 'lines' | 'blankLines' | 'suspectLines' | 'fallback' | 'recordBytes' | 'nullBytes'>
  >;
  /**
   * Whether to read with typed columns first (the file's first lines are minified record-format rows:
   * `looksMinified`); the map reader reads the file when the typed one cannot judge it.
   */
  readonly typed?: boolean;
  /** Told which reader the fast scan took (tests, `RLAUDIT_TRACE`). */
  readonly onTrace?: (what: string) => void;
  /** Called with each batch of rejects before anything is committed; throws to undo the file (`--strict`). */
  readonly checkRejects?: (rejects: readonly StagedReject[]) => void;
  /** Called once every row is in \`sessions\` with its line, before the lines SQL did not accept are read again. */
  readonly onWritten?: () => void;
}

/** What the fast scan wrote of a file (two transactions): its counts, the runs of its rows, its rejects. */
export interface EngineFastResult {
  readonly counts: IngestCounts;
  readonly runIds: readonly string[];
  readonly rejects: readonly StagedReject[];
}

/** One batch of the engine path: the lines `from`–`to` of a staged file. */
export interface EngineBatchRange {
  readonly loadId: number;
  readonly sourceFile: string;
  readonly from: number;
  readonly to: number;
  readonly last: boolean;
}

/**
 * What the engine path keeps in JavaScript of a staged file (the rows stay in the engine): run records,
 * rejects, the runs of valid rows, whether annotation and event rows were staged, and the file's lines.
 */
export interface EngineStagedBatch {
  readonly lines: number;
  readonly runs: readonly Staged<RunRecord>[];
  readonly rejects: readonly StagedReject[];
  readonly runIds: readonly string[];
  readonly annotations: number;
  readonly events: number;
}

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
export interface SessionRow extends ReviewRow {
  /** The session's phase: `training` when the record names none (docs/record-format.md#phases). */
  readonly phase: string;
  /** The first `outputChars` characters of the prompt; null when the session has no prompt. */
  readonly promptStart: string | null;
  readonly promptLength: number | null;
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

/** A `rejects` row as a backend's `listRejects` query selects it (the table's column names). */
export interface RejectColumns {
  readonly run: string | null;
  readonly source_file: string;
  readonly source_line: number;
  readonly record_type: string | null;
  readonly field: string;
  readonly expected: string;
  readonly got: string;
  readonly conflict_file: string | null;
  readonly conflict_line: number | null;
}

/** The `RejectRow` of a selected `rejects` row, the same for every backend. */
export function rejectRow(r: RejectColumns): RejectRow {
  return {
    run: r.run,
    file: r.source_file,
    line: r.source_line,
    recordType: r.record_type,
    field: r.field,
    expected: r.expected,
    got: r.got,
    conflictWith: r.conflict_file === null ? null : { file: r.conflict_file, line: r.conflict_line ?? 0 },
  };
}

/** Order of the cluster review: session order, or by reward (adjusted, else baseline) up or down. */
export type SessionSort = 'session' | 'reward' | '-reward';

/**
 * Which sessions `listSessions` returns. Filters combine (AND).
 *
 * @example
 * // the five best-rewarded outputs of step 30 that say "absolutely", whole
 * store.listSessions({ run: 'grpo', step: 30, grep: 'absolutely', sort: '-reward', limit: 5, outputChars: 0 });
 */
export interface SessionQuery {
  readonly run: string;
  readonly from?: number;
  readonly to?: number;
  /** Only the sessions of this training step. */
  readonly step?: number;
  /** Only the sessions of this phase (`training` matches the sessions that name no phase). */
  readonly phase?: string;
  /**
   * Only the sessions whose output matches this RE2 pattern, case-insensitively (matched in the engine).
   * A pattern RE2 refuses is an `InputError` naming `--grep`.
   */
  readonly grep?: string;
  /** Default `session`. By reward: adjusted reward, else baseline; sessions with neither come last. */
  readonly sort?: SessionSort;
  /** Default 1000. */
  readonly limit?: number;
  /** Characters of the output and of the prompt to return; 0 returns them whole. Default 80. */
  readonly outputChars?: number;
}

/** An annotation of one session (`rlaudit show`). */
export interface SessionAnnotation {
  readonly id: string;
  readonly author: string | null;
  readonly time: string | null;
  readonly classification: string | null;
  readonly flags: readonly string[];
  readonly text: string;
}

/** A calibration event at one session (`rlaudit show`): the stored event without its session, with its time. */
export type SessionEvent = Omit<EventRow, 'session'> & { readonly time: string | null };

/** One session whole: its three layers, its annotations and the calibration events at it (`rlaudit show`). */
export interface SessionDetail {
  readonly run: string;
  readonly session: number;
  readonly step: number | null;
  /** The session's position among the sessions of its step (0-based, session order); null without a step. */
  readonly indexInStep: number | null;
  /** How many sessions its step has; null without a step. */
  readonly sessionsInStep: number | null;
  readonly time: string | null;
  /** `training` when the record names none (docs/record-format.md#phases), and the checkpoint if given. */
  readonly phase: string;
  readonly checkpoint: string | null;
  readonly promptId: string | null;
  readonly prompt: string | null;
  readonly output: string;
  readonly classification: string | null;
  /** A number when it was one in the record (`3`), else its label. */
  readonly category: string | number | null;
  readonly baselineReward: number | null;
  readonly adjustedReward: number | null;
  readonly differentialPct: number | null;
  readonly complianceTrajectoryIndex: number | null;
  readonly flags: readonly string[];
  readonly meta: Readonly<Record<string, unknown>> | null;
  /** In the order they were recorded: by time (untimed last), then as ingested. */
  readonly annotations: readonly SessionAnnotation[];
  /** By id. */
  readonly events: readonly SessionEvent[];
}

/**
 * What sessions and steps a run has, for a message that names what exists when a session or step is not
 * there: the session range, the distinct steps, and the neighbours of the session or step asked for.
 */
export interface SessionBounds {
  readonly sessions: number;
  readonly firstSession: number | null;
  readonly lastSession: number | null;
  /** The nearest sessions below and above `session` (null when none, or when no session was asked). */
  readonly sessionBefore: number | null;
  readonly sessionAfter: number | null;
  /** Distinct steps that have sessions. */
  readonly steps: number;
  readonly firstStep: number | null;
  readonly lastStep: number | null;
  /** The nearest steps with sessions below and above `step`. */
  readonly stepBefore: number | null;
  readonly stepAfter: number | null;
  /** Sessions at `step` (0 when none, or when no step was asked). */
  readonly sessionsAtStep: number;
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
  /**
   * What opening the store moved in from a killed reward service's write-ahead journal
   * (src/store/reward-journal.ts; DuckDB files only), or null/absent: nothing.
   */
  readonly journalRecovery?: JournalRecovery | null;

  beginIngest(runOption: string | null): Promise<number>;
  beginLoad(info: LoadInfo): Promise<number>;
  /** Writes one batch atomically and classifies each row: accepted, duplicate, conflict (rejected). */
  writeBatch(batch: IngestBatch): Promise<IngestCounts>;
  /**
   * The engine path for a record-format JSONL file (docs/ingest.md, "The engine path"), when the backend has
   * one: the engine reads and validates the file, the rest is staged; null when the engine cannot read it
   * (the TypeScript reader then reads it). `writeEngineBatch` then merges it batch by batch: the lines
   * `from`–`to` in one transaction, like a batch of the TypeScript reader; `last` drops the scan after it.
   */
  stageJsonlInEngine?(q: EngineJsonlRead): Promise<EngineStagedBatch | null>;
  /**
   * The engine path's fast scan of a plain record-format JSONL file (src/store/duckdb/engine-jsonl-fast.ts): the
   * whole file in one transaction, or null (nothing written) when the file needs the line-by-line scan.
   */
  ingestJsonlFast?(q: EngineFastRead): Promise<EngineFastResult | null>;
  writeEngineBatch?(staged: EngineStagedBatch, batch: EngineBatchRange): Promise<IngestCounts>;
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
  /** One session whole, with its annotations and the events at it; null when the run has no such session. */
  getSession(q: { run: string; session: number }): Promise<SessionDetail | null>;
  /**
   * What a run and its `-part<n>` runs hold, step by step (session numbers in session order): the stored
   * side of an importer's session identity (step, index within step). Runs not stored are absent.
   */
  storedSessions(baseRun: string): Promise<StoredRun[]>;
  /** The `index`-th session (0-based, session order) of a step; null when the step has no such session. */
  sessionAtStep(q: { run: string; step: number; index: number }): Promise<number | null>;
  /** The run's session range and steps, and the neighbours of a session or step that may not exist. */
  sessionBounds(q: { run: string; session?: number; step?: number }): Promise<SessionBounds>;
  /**
   * Rejected rows: of one run, of no run (`run: null`: rows that named no valid run, from a source whose
   * valid rows were not all of one run), or all (`run` left out).
   */
  listRejects(q: { run?: string | null; limit?: number }): Promise<RejectRow[]>;
  countRejects(q: { run?: string | null }): Promise<number>;
  hasRun(run: string): Promise<boolean>;
  /** The run record (model, description, meta), or null when the run has none. */
  getRun(run: string): Promise<RunRecord | null>;
  /**
   * Every session of a run as a full record, in session order, in pages of `pageSize` (bounded memory).
   * Categories come back as numbers when they are integer text.
   */
  scanSessions(run: string, pageSize?: number): AsyncGenerator<SessionRecord[]>;
  /**
   * A run's standalone annotations (by id), then its events (by id), as records (src/store/run-records.ts),
   * in pages of `pageSize`: with `scanSessions` and `getRun`, the whole run (`rlaudit copy`).
   */
  scanRunRecords(run: string, pageSize?: number): AsyncGenerator<(AnnotationRecord | EventRecord)[]>;

  close(): Promise<void>;
}
