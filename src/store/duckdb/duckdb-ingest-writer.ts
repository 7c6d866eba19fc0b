import { BIGINT, DOUBLE, type DuckDBValue, VARCHAR } from '@duckdb/node-api';
import type { RunRecord } from '../../model/schema.ts';
import { stableStringify } from '../../model/stable-stringify.ts';
import type { IngestBatch, IngestCounts, LoadInfo, Staged, StepMetricsBatch } from '../store.ts';
import { addCounts, emptyCounts } from '../store.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import {
  ANNOTATION_MERGE,
  EVENT_MERGE,
  insertNestedAnnotations,
  mergeStage,
  SESSION_MERGE,
} from './merge.ts';
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
import { num } from './values.ts';

const countParams = (k: IngestCounts) => ({
  read: k.read,
  accepted: k.accepted,
  rejected: k.rejected,
  duplicates: k.duplicates,
  conflicts: k.conflicts,
});

const STEP_METRICS_TABLE = {
  name: 'step_metrics',
  schema: 'main',
  catalog: null,
  columns: [
    ['run', VARCHAR],
    ['step', BIGINT],
    ['name', VARCHAR],
    ['value', DOUBLE],
    ['load_id', BIGINT],
    ['source_line', BIGINT],
  ],
} as const;

/** The ingest side of the DuckDB store: loads, batches (one transaction each), rejects and their undo. */
export class DuckDbIngestWriter {
  constructor(private readonly client: DuckDbClient) {}

  async beginIngest(runOption: string | null): Promise<number> {
    const rows = await this.client.query<{ id: bigint }>({
      sql: `INSERT INTO ingests (ingest_id, started_at, status, run_option)
            VALUES (nextval('ingest_id_seq'), now(), 'running', $run) RETURNING ingest_id AS id`,
      params: { run: runOption },
    });
    return Number(rows[0]!.id);
  }

  async beginLoad(info: LoadInfo): Promise<number> {
    const rows = await this.client.query<{ id: bigint }>({
      sql: `INSERT INTO loads (load_id, ingest_id, path, abs_path, format, bytes, status, started_at)
            VALUES (nextval('load_id_seq'), $ingest, $path, $abs, $format, $bytes, 'running', now())
            RETURNING load_id AS id`,
      params: {
        ingest: info.ingestId,
        path: info.path,
        abs: info.absPath,
        format: info.format,
        bytes: info.bytes,
      },
    });
    return Number(rows[0]!.id);
  }

  async writeBatch(batch: IngestBatch): Promise<IngestCounts> {
    const c = this.client;
    for (const s of STAGES) await c.exec(`DELETE FROM temp.main.${s.name}`);
    const direct = await this.canAppendSessionsDirectly(batch);
    if (!direct) await appendRows(c, STAGE_SESSIONS, batch.sessions.map(sessionRow));
    await appendRows(c, STAGE_ANNOTATIONS, [
      ...batch.sessions.flatMap(nestedAnnotationRows),
      ...batch.annotations.map(annotationRow),
    ]);
    await appendRows(c, STAGE_EVENTS, batch.events.map(eventRow));

    const counts = emptyCounts();
    await c.exec('BEGIN TRANSACTION');
    try {
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
      await this.finishBatch(batch, counts);
      await c.exec('COMMIT');
    } catch (err) {
      await c.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
    return counts;
  }

  /**
   * The end of every batch's transaction: each run a valid row belongs to exists in `runs` (a run record may
   * never come), and the batch's rejects are stored and counted.
   */
  private async finishBatch(
    batch: Pick<IngestBatch, 'runIds' | 'rejects' | 'loadId' | 'sourceFile'>,
    counts: IngestCounts,
  ): Promise<void> {
    for (const run of batch.runIds) {
      await this.client.exec({
        sql: 'INSERT INTO runs (run) SELECT $run WHERE NOT EXISTS (SELECT 1 FROM runs WHERE run = $run)',
        params: { run },
      });
    }
    await this.insertRejects(batch);
    counts.read += batch.rejects.length;
    counts.rejected += batch.rejects.length;
  }

  /** Per-step metrics: new (run, step, name) keys are appended; equal stored values are duplicates. */
  async writeStepMetrics(batch: StepMetricsBatch): Promise<IngestCounts> {
    const c = this.client;
    const counts = emptyCounts();
    const key = (run: string, step: number, name: string) => `${run}\u0000${step}\u0000${name}`;
    await c.exec('BEGIN TRANSACTION');
    try {
      const stored = new Map<string, { value: number; file: string | null; line: number }>();
      const ranges = new Map<string, { lo: number; hi: number }>();
      for (const r of batch.rows) {
        const g = ranges.get(r.run);
        ranges.set(
          r.run,
          g ? { lo: Math.min(g.lo, r.step), hi: Math.max(g.hi, r.step) } : { lo: r.step, hi: r.step },
        );
      }
      for (const [run, { lo, hi }] of ranges) {
        const rows = await c.query<{
          step: bigint;
          name: string;
          value: number;
          f: string | null;
          l: bigint;
        }>({
          sql: `SELECT m.step, m.name, m.value, l.abs_path AS f, m.source_line AS l FROM step_metrics m
                LEFT JOIN loads l ON l.load_id = m.load_id WHERE m.run = $run AND m.step BETWEEN $lo AND $hi`,
          params: { run, lo, hi },
        });
        for (const r of rows)
          stored.set(key(run, Number(r.step), r.name), { value: r.value, file: r.f, line: Number(r.l) });
      }
      const fresh: DuckDBValue[][] = [];
      for (const r of batch.rows) {
        counts.read++;
        const prior = r.metrics.map((m) => ({ m, s: stored.get(key(r.run, r.step, m.name)) }));
        const clash = prior.find(({ m, s }) => s !== undefined && s.value !== m.value);
        if (clash) {
          counts.rejected++;
          counts.conflicts++;
          await c.exec({
            sql: `INSERT INTO rejects (run, load_id, source_file, source_line, record_type, field, expected, got,
                                       conflict_file, conflict_line)
                  SELECT $run, $load, $file, $line, 'step_metrics', $field,
                         'the value already stored for this step (a conflict: the stored copy is kept)', $got, $cfile, $cline
                  WHERE NOT EXISTS (SELECT 1 FROM rejects WHERE source_file = $file AND source_line = $line AND field = $field)`,
            params: {
              run: r.run,
              load: batch.loadId,
              file: batch.sourceFile,
              line: r.line,
              field: clash.m.name,
              got: `step ${r.step}: ${clash.m.value} (stored: ${clash.s!.value})`,
              cfile: clash.s!.file,
              cline: clash.s!.line,
            },
          });
          continue;
        }
        if (prior.every(({ s }) => s !== undefined)) {
          counts.duplicates++;
          continue;
        }
        counts.accepted++;
        for (const { m, s } of prior) {
          if (s !== undefined) continue;
          fresh.push([r.run, BigInt(r.step), m.name, m.value, BigInt(batch.loadId), BigInt(r.line)]);
          stored.set(key(r.run, r.step, m.name), { value: m.value, file: batch.sourceFile, line: r.line });
        }
      }
      await appendRows(c, STEP_METRICS_TABLE, fresh);
      await this.finishBatch(batch, counts);
      await c.exec('COMMIT');
    } catch (err) {
      await c.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
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
      const [row] = await this.client.query<{ n: bigint }>({
        sql: 'SELECT count(*) AS n FROM sessions WHERE run = $run AND session BETWEEN $lo AND $hi',
        params: { run, lo, hi },
      });
      if (row && row.n > 0n) return false;
    }
    return true;
  }

  private async mergeRunRecord(r: Staged<RunRecord>, batch: IngestBatch): Promise<IngestCounts> {
    const counts: IngestCounts = { read: 1, accepted: 0, rejected: 0, duplicates: 0, conflicts: 0 };
    const meta = r.record.meta ? stableStringify(r.record.meta) : null;
    const existing = await this.client.query<{
      model: string | null;
      description: string | null;
      meta: string | null;
      has_record: boolean;
      abs_path: string | null;
      source_line: bigint | null;
    }>({
      sql: `SELECT r.model, r.description, CAST(r.meta AS VARCHAR) AS meta, r.has_record, l.abs_path, r.source_line
            FROM runs r LEFT JOIN loads l ON l.load_id = r.load_id WHERE r.run = $run`,
      params: { run: r.run },
    });
    const prev = existing[0];
    const values = {
      run: r.run,
      model: r.record.model ?? null,
      description: r.record.description ?? null,
      meta,
    };
    if (prev === undefined || !prev.has_record) {
      await this.client.exec({
        sql: prev
          ? `UPDATE runs SET model = $model, description = $description, meta = CAST($meta AS JSON), has_record = true,
               load_id = $load, source_line = $line WHERE run = $run`
          : `INSERT INTO runs (run, model, description, meta, has_record, load_id, source_line)
             VALUES ($run, $model, $description, CAST($meta AS JSON), true, $load, $line)`,
        params: { ...values, load: batch.loadId, line: r.line },
      });
      counts.accepted = 1;
    } else if (prev.model === values.model && prev.description === values.description && prev.meta === meta) {
      counts.duplicates = 1;
    } else {
      counts.rejected = 1;
      counts.conflicts = 1;
      await this.client.exec({
        sql: `INSERT INTO rejects (run, load_id, source_file, source_line, record_type, field, expected, got,
                                   conflict_file, conflict_line)
              SELECT $run, $load, $file, $line, 'run', 'run',
                     'the same content as the copy already stored (a conflict: the stored copy is kept)',
                     'run ' || $run || ' with different content', $cfile, $cline
              WHERE NOT EXISTS (SELECT 1 FROM rejects WHERE source_file = $file AND source_line = $line AND field = 'run')`,
        params: {
          run: r.run,
          load: batch.loadId,
          file: batch.sourceFile,
          line: r.line,
          cfile: prev.abs_path,
          cline: num(prev.source_line),
        },
      });
    }
    return counts;
  }

  /** Rejected rows are kept once per (file, line, field, value): re-ingesting a file does not repeat them. */
  private async insertRejects(batch: Pick<IngestBatch, 'rejects' | 'loadId' | 'sourceFile'>): Promise<void> {
    for (const r of batch.rejects) {
      await this.client.exec({
        sql: `INSERT INTO rejects (run, load_id, source_file, source_line, record_type, field, expected, got)
              SELECT $run, $load, $file, $line, $type, $field, $expected, $got
              WHERE NOT EXISTS (SELECT 1 FROM rejects WHERE source_file = $file AND source_line = $line
                                AND field = $field AND got = $got)`,
        params: {
          run: r.run,
          load: batch.loadId,
          file: batch.sourceFile,
          line: r.line,
          type: r.recordType,
          field: r.field,
          expected: r.expected,
          got: r.got,
        },
      });
    }
  }

  async finishLoad(
    loadId: number,
    k: IngestCounts,
    sha256: string | null,
    status: string,
    defaultRun: string | null,
  ): Promise<void> {
    if (defaultRun !== null) {
      await this.client.exec({
        sql: 'UPDATE rejects SET run = $run WHERE load_id = $load AND run IS NULL',
        params: { run: defaultRun, load: loadId },
      });
    }
    await this.client.exec({
      sql: `UPDATE loads SET status = $status, sha256 = $sha, read = $read, accepted = $accepted, rejected = $rejected,
              duplicates = $duplicates, conflicts = $conflicts, finished_at = now() WHERE load_id = $load`,
      params: { status, sha: sha256, load: loadId, ...countParams(k) },
    });
  }

  async discardLoad(loadId: number): Promise<void> {
    await this.client.exec('BEGIN TRANSACTION');
    try {
      for (const t of ['sessions', 'annotations', 'events', 'rejects', 'step_metrics']) {
        await this.client.exec({ sql: `DELETE FROM ${t} WHERE load_id = $load`, params: { load: loadId } });
      }
      await this.client.exec({
        sql: `UPDATE runs SET has_record = false, model = NULL, description = NULL, meta = NULL, load_id = NULL
              WHERE load_id = $load`,
        params: { load: loadId },
      });
      await this.client.exec({
        sql: `DELETE FROM runs r WHERE NOT r.has_record AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.run = r.run)
                AND NOT EXISTS (SELECT 1 FROM events e WHERE e.run = r.run)
                AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.run = r.run)
                AND NOT EXISTS (SELECT 1 FROM step_metrics m WHERE m.run = r.run)`,
      });
      await this.client.exec('COMMIT');
    } catch (err) {
      await this.client.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async finishIngest(ingestId: number, k: IngestCounts, status: string): Promise<void> {
    await this.client.exec({
      sql: `UPDATE ingests SET status = $status, read = $read, accepted = $accepted, rejected = $rejected,
              duplicates = $duplicates, conflicts = $conflicts, finished_at = now() WHERE ingest_id = $id`,
      params: { status, id: ingestId, ...countParams(k) },
    });
  }
}
