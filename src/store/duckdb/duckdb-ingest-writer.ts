import { z } from 'zod';
import type { RunRecord } from '../../model/schema.ts';
import { stableStringify } from '../../model/stable-stringify.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { ident, sql } from '../sql/sql.ts';
import type {
  EngineBatchRange,
  EngineFastRead,
  EngineFastResult,
  EngineJsonlRead,
  EngineStagedBatch,
  IngestBatch,
  IngestCounts,
  LoadInfo,
  Staged,
  StepMetricsBatch,
} from '../store.ts';
import { addCounts, emptyCounts } from '../store.ts';
import { boolean, nullableNumber, nullableText, number } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { dropEngineScan, ENGINE_SESSIONS, stageJsonlInEngine } from './engine-jsonl.ts';
import { ingestJsonlFast } from './engine-jsonl-fast.ts';
import { finishBatch } from './finish-batch.ts';
import {
  ANNOTATION_MERGE,
  EVENT_MERGE,
  insertNestedAnnotations,
  type MergeSpec,
  mergeStage,
  SESSION_MERGE,
} from './merge.ts';
import { rejectNestedAnnotationIdConflicts } from './nested-annotation-ids.ts';
import {
  annotationRow,
  appendRows,
  eventRow,
  nestedAnnotationRows,
  SESSIONS_TABLE,
  STAGE_ANNOTATIONS,
  STAGE_EVENTS,
  STAGE_SESSIONS,
  STAGES,
  sessionRow,
  sessionTableRow,
} from './stage-tables.ts';
import { writeStepMetrics } from './step-metrics-writer.ts';
import { transaction } from './transaction.ts';

/** The `SET` list of a load's or an ingest's final counts. */
const countsSet = (k: IngestCounts) =>
  sql`read = ${k.read}, accepted = ${k.accepted}, rejected = ${k.rejected}, duplicates = ${k.duplicates}, conflicts = ${k.conflicts}`;

const IdRow = rowDecoder('insertReturningId', z.object({ id: number }));
const CountRow = rowDecoder('sessionsInRange', z.object({ n: number }));
/** The stored run record, to tell a duplicate run line from a conflicting one. */
const StoredRunRow = rowDecoder(
  'storedRun',
  z.object({
    model: nullableText,
    description: nullableText,
    meta: nullableText,
    has_record: boolean,
    abs_path: nullableText,
    source_line: nullableNumber,
  }),
);

/** The ingest side of the DuckDB store: loads, batches (one transaction each), rejects and their undo. */
export class DuckDbIngestWriter {
  constructor(private readonly client: DuckDbClient) {}

  /** Per-step metrics: new (run, step, name) keys are appended; equal stored values are duplicates. */
  writeStepMetrics(batch: StepMetricsBatch): Promise<IngestCounts> {
    return writeStepMetrics(this.client, batch);
  }

  async beginIngest(runOption: string | null): Promise<number> {
    const rows = await this.client.query(
      sql`INSERT INTO ingests (ingest_id, started_at, status, run_option)
            VALUES (nextval('ingest_id_seq'), now(), 'running', ${runOption}) RETURNING ingest_id AS id`,
      IdRow,
    );
    return rows[0]!.id;
  }

  async beginLoad(info: LoadInfo): Promise<number> {
    const rows = await this.client.query(
      sql`INSERT INTO loads (load_id, ingest_id, path, abs_path, format, bytes, status, started_at)
            VALUES (nextval('load_id_seq'), ${info.ingestId}, ${info.path}, ${info.absPath}, ${info.format},
                    ${info.bytes}, 'running', now())
            RETURNING load_id AS id`,
      IdRow,
    );
    return rows[0]!.id;
  }

  writeBatch(staged: IngestBatch): Promise<IngestCounts> {
    return this.writeBatchWith(staged, (fn) => transaction(this.client, fn));
  }

  /**
   * A batch's writes, with `inTransaction` running the part that changes the record tables: its own
   * transaction (`writeBatch`), or the caller's (the engine path's fast scan, which writes a file in one).
   */
  private async writeBatchWith(
    staged: IngestBatch,
    inTransaction: (fn: () => Promise<void>) => Promise<void>,
  ): Promise<IngestCounts> {
    const c = this.client;
    const batch = await rejectNestedAnnotationIdConflicts(c, staged);
    for (const s of STAGES) await c.exec(sql`DELETE FROM ${ident('temp', 'main', s.name)}`);
    const direct = await this.canAppendSessionsDirectly(batch);
    if (!direct) await appendRows(c, STAGE_SESSIONS, batch.sessions.map(sessionRow));
    await appendRows(c, STAGE_ANNOTATIONS, [
      ...batch.sessions.flatMap(nestedAnnotationRows),
      ...batch.annotations.map(annotationRow),
    ]);
    await appendRows(c, STAGE_EVENTS, batch.events.map(eventRow));

    const counts = emptyCounts();
    await inTransaction(async () => {
      if (direct) {
        await appendRows(
          c,
          SESSIONS_TABLE,
          batch.sessions.map((s) => sessionTableRow(s, batch.loadId)),
        );
        addCounts(counts, {
          read: batch.sessions.length,
          accepted: batch.sessions.length,
          rejected: 0,
          duplicates: 0,
          conflicts: 0,
        });
        await insertNestedAnnotations(c, batch.loadId);
      } else if (batch.sessions.length > 0) {
        addCounts(counts, await mergeStage(c, SESSION_MERGE, batch.loadId, batch.sourceFile));
        await insertNestedAnnotations(c, batch.loadId);
      }
      if (batch.annotations.length > 0) {
        addCounts(counts, await mergeStage(c, ANNOTATION_MERGE, batch.loadId, batch.sourceFile));
      }
      if (batch.events.length > 0) {
        addCounts(counts, await mergeStage(c, EVENT_MERGE, batch.loadId, batch.sourceFile));
      }
      for (const r of batch.runs) addCounts(counts, await this.mergeRunRecord(r, batch));
      await finishBatch(this.client, batch, counts);
    });
    return counts;
  }

  /** The engine path's fast scan of a record-format JSONL file (src/store/duckdb/engine-jsonl-fast.ts), or null. */
  ingestJsonlFast(q: EngineFastRead): Promise<EngineFastResult | null> {
    return ingestJsonlFast(
      this.client,
      q,
      (batch) => this.writeBatchWith(batch, (fn) => fn()),
      (batch, counts) => finishBatch(this.client, batch, counts),
    );
  }

  /** Stages a record-format JSONL file read by DuckDB (src/store/duckdb/engine-jsonl.ts), or null. */
  stageJsonlInEngine(q: EngineJsonlRead): Promise<EngineStagedBatch | null> {
    return stageJsonlInEngine(this.client, q);
  }

  /**
   * Merges the lines `from`–`to` of what `stageJsonlInEngine` staged in one transaction, with the same rules
   * as `writeBatch`: sessions (the scan's accepted rows and the deferred valid ones), nested and standalone
   * annotations, events, run records, rejects.
   */
  async writeEngineBatch(staged: EngineStagedBatch, range: EngineBatchRange): Promise<IngestCounts> {
    const c = this.client;
    const counts = emptyCounts();
    const lines = sql`source_line BETWEEN ${range.from} AND ${range.to}`;
    const inRange = (line: number) => line >= range.from && line <= range.to;
    const batch = {
      loadId: range.loadId,
      sourceFile: range.sourceFile,
      rejects: staged.rejects.filter((r) => inRange(r.line)),
      runIds: staged.runIds,
    };
    const merge = (spec: MergeSpec) =>
      mergeStage(
        c,
        { ...spec, filter: spec.filter ? sql`${spec.filter} AND ${lines}` : lines },
        range.loadId,
        range.sourceFile,
      );
    await transaction(c, async () => {
      addCounts(counts, await merge({ ...SESSION_MERGE, stage: ENGINE_SESSIONS }));
      await insertNestedAnnotations(c, range.loadId);
      if (staged.annotations > 0) addCounts(counts, await merge(ANNOTATION_MERGE));
      if (staged.events > 0) addCounts(counts, await merge(EVENT_MERGE));
      for (const r of staged.runs)
        if (inRange(r.line)) addCounts(counts, await this.mergeRunRecord(r, batch));
      await finishBatch(c, batch, counts);
    });
    if (range.last) await dropEngineScan(c);
    return counts;
  }

  /**
   * The common case of a fresh ingest: no session key repeats within the batch and no stored session of the
   * batch's runs lies in its session range. Then the batch can be appended straight into `sessions`
   * (inside the batch's transaction) instead of being staged and merged.
   */
  private async canAppendSessionsDirectly(batch: IngestBatch): Promise<boolean> {
    if (batch.sessions.length === 0) return false;
    const ranges = new Map<string, { lo: number; hi: number; keys: Set<number> }>();
    for (const { run, record } of batch.sessions) {
      let r = ranges.get(run);
      if (!r) {
        r = { lo: record.session, hi: record.session, keys: new Set() };
        ranges.set(run, r);
      }
      if (r.keys.has(record.session)) return false;
      r.keys.add(record.session);
      if (record.session < r.lo) r.lo = record.session;
      if (record.session > r.hi) r.hi = record.session;
    }
    for (const [run, { lo, hi }] of ranges) {
      const [row] = await this.client.query(
        sql`SELECT count(*) AS n FROM sessions WHERE run = ${run} AND session BETWEEN ${lo} AND ${hi}`,
        CountRow,
      );
      if (row && row.n > 0) return false;
    }
    return true;
  }

  private async mergeRunRecord(
    r: Staged<RunRecord>,
    batch: Pick<IngestBatch, 'loadId' | 'sourceFile'>,
  ): Promise<IngestCounts> {
    const counts: IngestCounts = { read: 1, accepted: 0, rejected: 0, duplicates: 0, conflicts: 0 };
    const meta = r.record.meta ? stableStringify(r.record.meta) : null;
    const existing = await this.client.query(
      sql`SELECT r.model, r.description, CAST(r.meta AS VARCHAR) AS meta, r.has_record, l.abs_path, r.source_line
            FROM runs r LEFT JOIN loads l ON l.load_id = r.load_id WHERE r.run = ${r.run}`,
      StoredRunRow,
    );
    const prev = existing[0];
    const model = r.record.model ?? null;
    const description = r.record.description ?? null;
    if (prev === undefined || !prev.has_record) {
      await this.client.exec(
        prev
          ? sql`UPDATE runs SET model = ${model}, description = ${description}, meta = CAST(${meta} AS JSON),
               has_record = true, load_id = ${batch.loadId}, source_line = ${r.line} WHERE run = ${r.run}`
          : sql`INSERT INTO runs (run, model, description, meta, has_record, load_id, source_line)
             VALUES (${r.run}, ${model}, ${description}, CAST(${meta} AS JSON), true, ${batch.loadId}, ${r.line})`,
      );
      counts.accepted = 1;
    } else if (prev.model === model && prev.description === description && prev.meta === meta) {
      counts.duplicates = 1;
    } else {
      counts.rejected = 1;
      counts.conflicts = 1;
      const file = batch.sourceFile;
      await this.client.exec(
        sql`INSERT INTO rejects (run, load_id, source_file, source_line, record_type, field, expected, got,
                                   conflict_file, conflict_line)
              SELECT ${r.run}, ${batch.loadId}, ${file}, ${r.line}, 'run', 'run',
                     'the same content as the copy already stored (a conflict: the stored copy is kept)',
                     'run ' || ${r.run} || ' with different content', ${prev.abs_path}, ${prev.source_line}
              WHERE NOT EXISTS (SELECT 1 FROM rejects WHERE source_file = ${file} AND source_line = ${r.line}
                                AND field = 'run')`,
      );
    }
    return counts;
  }

  async finishLoad(
    loadId: number,
    k: IngestCounts,
    sha256: string | null,
    status: string,
    defaultRun: string | null,
  ): Promise<void> {
    if (defaultRun !== null) {
      await this.client.exec(
        sql`UPDATE rejects SET run = ${defaultRun} WHERE load_id = ${loadId} AND run IS NULL`,
      );
    }
    await this.client.exec(
      sql`UPDATE loads SET status = ${status}, sha256 = ${sha256}, ${countsSet(k)}, finished_at = now()
            WHERE load_id = ${loadId}`,
    );
  }

  async discardLoad(loadId: number): Promise<void> {
    await transaction(this.client, async () => {
      for (const t of ['sessions', 'annotations', 'events', 'rejects', 'step_metrics']) {
        await this.client.exec(sql`DELETE FROM ${ident(t)} WHERE load_id = ${loadId}`);
      }
      await this.client.exec(
        sql`UPDATE runs SET has_record = false, model = NULL, description = NULL, meta = NULL, load_id = NULL
              WHERE load_id = ${loadId}`,
      );
      await this.client.exec(
        sql`DELETE FROM runs r WHERE NOT r.has_record AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.run = r.run)
                AND NOT EXISTS (SELECT 1 FROM events e WHERE e.run = r.run)
                AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.run = r.run)
                AND NOT EXISTS (SELECT 1 FROM step_metrics m WHERE m.run = r.run)`,
      );
    });
  }

  async finishIngest(ingestId: number, k: IngestCounts, status: string): Promise<void> {
    await this.client.exec(
      sql`UPDATE ingests SET status = ${status}, ${countsSet(k)}, finished_at = now() WHERE ingest_id = ${ingestId}`,
    );
  }
}
