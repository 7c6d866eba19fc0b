import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../model/errors.ts';
import type { AnnotationRecord, EventRecord, RunRecord, SessionRecord } from '../../model/schema.ts';
import type { StoredRun } from '../../sources/importers/run-cursors.ts';
import type { AuditTracking } from '../audit-tracking.ts';
import type { ResultCache } from '../result-cache.ts';
import { type JournalRecovery, journalPaths } from '../reward-journal.ts';
import type { AnalysisScans } from '../scans/index.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { sql } from '../sql/sql.ts';
import type {
  EngineBatchRange,
  EngineFastRead,
  EngineFastResult,
  EngineJsonlRead,
  EngineStagedBatch,
  IngestBatch,
  IngestCounts,
  LoadInfo,
  RejectRow,
  RunSummary,
  SessionBounds,
  SessionDetail,
  SessionQuery,
  SessionRow,
  StepMetricRow,
  StepMetricsBatch,
  Store,
} from '../store.ts';
import { nullableNumber } from './decode.ts';
import { DuckDbAuditTracking } from './duckdb-audit-tracking.ts';
import { DuckDbBrowser } from './duckdb-browser.ts';
import { DuckDbClient } from './duckdb-client.ts';
import { DuckDbIngestWriter } from './duckdb-ingest-writer.ts';
import { DuckDbResultCache } from './duckdb-result-cache.ts';
import { removeUnfinishedFastScans } from './engine-jsonl-fast.ts';
import { pendingRewardJournal, recoverRewardJournal } from './journal-recovery.ts';
import { memoryLimit } from './memory-limit.ts';
import { migrate, SCHEMA_VERSION } from './migrations.ts';
import { duckDbScans } from './scans/index.ts';
import { createStageTables } from './stage-tables.ts';

const SchemaVersionRow = rowDecoder('schemaVersion', z.object({ v: nullableNumber }));

/**
 * The default store: one DuckDB database file holding many runs. Heavy scans run inside DuckDB; only small
 * results come back.
 *
 * @example
 * const store = await DuckDbStore.open('.rlaudit/rlaudit.duckdb');
 * console.log(await store.listRuns());
 * await store.close();
 */
export class DuckDbStore implements Store {
  readonly backend = 'duckdb';
  readonly scans: AnalysisScans;
  readonly audits: AuditTracking;
  readonly results: ResultCache;
  private readonly writer: DuckDbIngestWriter;
  private readonly browser: DuckDbBrowser;
  /** What this open moved into the database from a killed reward service's journal (null: nothing). */
  journalRecovery: JournalRecovery | null = null;
  private constructor(
    readonly client: DuckDbClient,
    /** Checkpoint with a statement before closing (a writable file only). */
    private readonly checkpointFirst = false,
  ) {
    this.scans = duckDbScans(client);
    this.audits = new DuckDbAuditTracking(client);
    this.results = new DuckDbResultCache(client);
    this.writer = new DuckDbIngestWriter(client);
    this.browser = new DuckDbBrowser(client);
  }

  get location(): string {
    return this.client.path;
  }

  /**
   * Opens (creating if needed) a database file, or `:memory:`, and migrates it to the current schema.
   * `readOnly` opens an existing file in DuckDB's read-only mode (the dashboard): nothing is migrated or
   * written, and a file of an older schema is refused with what to run. `checkpointBeforeClose`: see `close`.
   */
  static async open(
    path: string,
    options: {
      readonly writes?: boolean;
      readonly readOnly?: boolean;
      readonly checkpointBeforeClose?: boolean;
      /**
       * DuckDB's threads once the file is open (default: one per core). The reward service takes 1: its
       * statements are moves of about a thousand rows behind its answers, which gain little from a second
       * thread and would take the core its event loop and the trainer answer on (docs/benchmarks.md).
       */
      readonly threads?: number;
    } = {},
  ): Promise<DuckDbStore> {
    if (options.readOnly) return DuckDbStore.openReadOnly(path);
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
    const client = await DuckDbClient.open(path, options);
    try {
      await migrate(client);
      // Each batch commit is durable through the WAL; checkpointing after every 16 MB of WAL (the default)
      // would rewrite the database once per batch of a large ingest.
      await client.exec(sql`SET checkpoint_threshold = '1GB'`);
      // DuckDB's default memory limit is 80% of RAM; rlaudit keeps its footprint bounded and lets the
      // engine spill to disk instead (RLAUDIT_MEMORY_LIMIT overrides, e.g. '4GB').
      await client.exec(sql`SET memory_limit = ${memoryLimit().sql}`);
      await createStageTables(client);
      if (options.writes !== false) await markInterrupted(client);
      // a killed reward service's acknowledged sessions go in before this command reads or writes anything
      const recovered = path === ':memory:' ? null : await recoverRewardJournal(client, path);
      if (recovered !== null && recovered.sessions > 0) {
        process.stderr.write(
          `rlaudit: moved ${recovered.sessions} acknowledged session(s) and ${recovered.events} event(s) that a ` +
            `stopped reward service had left in its journal into ${path}\n`,
        );
      }
      // after the recovery, which may move a whole journal in with every thread
      if (options.threads !== undefined) {
        if (!Number.isInteger(options.threads) || options.threads < 1) {
          throw new Error(`DuckDbStore.open: threads must be a positive integer, not ${options.threads}`);
        }
        await client.exec(sql`SET threads = ${options.threads}`);
      }
      const store = new DuckDbStore(client, path !== ':memory:' && options.checkpointBeforeClose === true);
      store.journalRecovery = recovered;
      return store;
    } catch (err) {
      client.close();
      throw err;
    }
  }

  private static async openReadOnly(path: string): Promise<DuckDbStore> {
    const client = await DuckDbClient.open(path, { writes: false, readOnly: true });
    try {
      const [row] = await client
        .query(sql`SELECT max(version) AS v FROM schema_version`, SchemaVersionRow)
        .catch(() => [{ v: null }]);
      const version = row?.v ?? null;
      if (version !== SCHEMA_VERSION) {
        throw new InputError(
          `database schema is version ${version ?? 'none'}, this rlaudit reads version ${SCHEMA_VERSION} and ` +
            'opens it read-only: run a command that writes it (rlaudit audit --run R) once to migrate it',
          { file: path },
        );
      }
      const pending = await pendingRewardJournal(client, path);
      if (pending !== null) {
        process.stderr.write(
          `rlaudit: warning: ${pending.sessions} session(s) a reward service acknowledged are still in its journal ` +
            `(${journalPaths(path).join(', ')}), not in ${path}, so this read-only view does not show them; any ` +
            'command that writes the database (rlaudit serve-reward, ingest, calibrate or audit) moves them in\n',
        );
      }
    } catch (err) {
      client.close();
      throw err;
    }
    return new DuckDbStore(client);
  }

  beginIngest(runOption: string | null): Promise<number> {
    return this.writer.beginIngest(runOption);
  }
  beginLoad(info: LoadInfo): Promise<number> {
    return this.writer.beginLoad(info);
  }
  writeBatch(batch: IngestBatch): Promise<IngestCounts> {
    return this.writer.writeBatch(batch);
  }
  ingestJsonlFast(q: EngineFastRead): Promise<EngineFastResult | null> {
    return this.writer.ingestJsonlFast(q);
  }
  stageJsonlInEngine(q: EngineJsonlRead): Promise<EngineStagedBatch | null> {
    return this.writer.stageJsonlInEngine(q);
  }
  writeEngineBatch(staged: EngineStagedBatch, range: EngineBatchRange): Promise<IngestCounts> {
    return this.writer.writeEngineBatch(staged, range);
  }
  writeStepMetrics(batch: StepMetricsBatch): Promise<IngestCounts> {
    return this.writer.writeStepMetrics(batch);
  }
  listStepMetrics(q: { run: string; names?: readonly string[] }): Promise<StepMetricRow[]> {
    return this.browser.listStepMetrics(q);
  }
  finishLoad(
    loadId: number,
    counts: IngestCounts,
    sha256: string | null,
    status: 'complete' | 'failed',
    defaultRun: string | null,
  ): Promise<void> {
    return this.writer.finishLoad(loadId, counts, sha256, status, defaultRun);
  }
  discardLoad(loadId: number): Promise<void> {
    return this.writer.discardLoad(loadId);
  }
  finishIngest(ingestId: number, counts: IngestCounts, status: 'complete' | 'failed'): Promise<void> {
    return this.writer.finishIngest(ingestId, counts, status);
  }
  listRuns(): Promise<RunSummary[]> {
    return this.browser.listRuns();
  }
  hasRun(run: string): Promise<boolean> {
    return this.browser.hasRun(run);
  }
  getRun(run: string): Promise<RunRecord | null> {
    return this.browser.getRun(run);
  }
  scanSessions(run: string, pageSize?: number): AsyncGenerator<SessionRecord[]> {
    return this.browser.scanSessions(run, pageSize);
  }
  scanRunRecords(run: string, pageSize?: number): AsyncGenerator<(AnnotationRecord | EventRecord)[]> {
    return this.browser.scanRunRecords(run, pageSize);
  }
  listSessions(q: SessionQuery): Promise<SessionRow[]> {
    return this.browser.listSessions(q);
  }
  getSession(q: { run: string; session: number }): Promise<SessionDetail | null> {
    return this.browser.getSession(q);
  }
  storedSessions(baseRun: string): Promise<StoredRun[]> {
    return this.browser.storedSessions(baseRun);
  }
  sessionAtStep(q: { run: string; step: number; index: number }): Promise<number | null> {
    return this.browser.sessionAtStep(q);
  }
  sessionBounds(q: { run: string; session?: number; step?: number }): Promise<SessionBounds> {
    return this.browser.sessionBounds(q);
  }
  listRejects(q: { run?: string; limit?: number }): Promise<RejectRow[]> {
    return this.browser.listRejects(q);
  }
  countRejects(q: { run?: string }): Promise<number> {
    return this.browser.countRejects(q);
  }

  /**
   * Closes the database. DuckDB's close checkpoints whatever the write-ahead log holds, synchronously, on the
   * caller's event loop (up to a second after a hundred thousand rows). A store opened with
   * `checkpointBeforeClose` (a long-lived process that must stay responsive: the watch, which releases the
   * database whenever the trainer pauses) first runs a CHECKPOINT statement, which DuckDB runs on its own
   * threads, so the close has nothing left to write (docs/benchmarks.md).
   */
  async close(): Promise<void> {
    if (this.checkpointFirst) await this.client.exec(sql`CHECKPOINT`).catch(() => undefined);
    this.client.close();
  }
}

/**
 * Ingests and loads still `running` when a process opens the database for writing were killed: DuckDB lets
 * one process at a time open the file, so none can still be going. They become `interrupted` (their
 * committed batches stay; running the same ingest again completes it, docs/ingest.md), and what a fast scan
 * killed between its two commits left goes.
 */
async function markInterrupted(client: DuckDbClient): Promise<void> {
  await removeUnfinishedFastScans(client);
  await client.exec(sql`UPDATE loads SET status = 'interrupted' WHERE status = 'running'`);
  await client.exec(sql`UPDATE ingests SET status = 'interrupted' WHERE status = 'running'`);
}
