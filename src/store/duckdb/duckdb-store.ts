import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError } from '../../record/errors.ts';
import type { RunRecord, SessionRecord } from '../../record/schema.ts';
import { stableStringify } from '../../record/stable-stringify.ts';
import type {
  IngestBatch,
  IngestCounts,
  LoadInfo,
  RejectRow,
  RunSummary,
  SessionQuery,
  SessionRow,
  Staged,
  Store,
} from '../store.ts';
import { addCounts, emptyCounts } from '../store.ts';
import { DuckDbClient } from './duckdb-client.ts';
import {
  ANNOTATION_MERGE,
  EVENT_MERGE,
  insertNestedAnnotations,
  mergeStage,
  SESSION_MERGE,
} from './merge.ts';
import { migrate } from './migrations.ts';
import {
  annotationRow,
  appendRows,
  createStageTables,
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

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const countParams = (k: IngestCounts) => ({
  read: k.read,
  accepted: k.accepted,
  rejected: k.rejected,
  duplicates: k.duplicates,
  conflicts: k.conflicts,
});

/** A stored session row back as a record of format v1 (omitting fields that are null). */
function sessionFromRow(run: string, r: Record<string, unknown>): SessionRecord {
  const category = r.category as string | null;
  const out: Record<string, unknown> = {
    type: 'session',
    run,
    session: Number(r.session),
    step: num(r.step),
    time: r.time instanceof Date ? r.time.toISOString() : null,
    prompt_id: r.prompt_id ?? null,
    prompt: r.prompt ?? null,
    output: r.output,
    classification: r.classification ?? null,
    category: category === null ? null : /^-?\d+$/.test(category) ? Number(category) : category,
    baseline_reward: num(r.baseline_reward),
    adjusted_reward: num(r.adjusted_reward),
    differential_pct: num(r.differential_pct),
    compliance_trajectory_index: num(r.compliance_trajectory_index),
    flags: (r.flags as string[] | null) ?? [],
  };
  if (r.nested_annotations) out.annotations = JSON.parse(r.nested_annotations as string);
  if (r.meta) out.meta = JSON.parse(r.meta as string);
  return out as SessionRecord;
}

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
  private constructor(readonly client: DuckDbClient) {}

  get location(): string {
    return this.client.path;
  }

  /** Opens (creating if needed) a database file, or `:memory:`, and migrates it to the current schema. */
  static async open(path: string): Promise<DuckDbStore> {
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
    const client = await DuckDbClient.open(path);
    try {
      await migrate(client);
      // Each batch commit is durable through the WAL; checkpointing after every 16 MB of WAL (the default)
      // would rewrite the database once per batch of a large ingest.
      await client.exec("SET checkpoint_threshold = '1GB'");
      // DuckDB's default memory limit is 80% of RAM; rlaudit keeps its footprint bounded and lets the
      // engine spill to disk instead (RLAUDIT_MEMORY_LIMIT overrides, e.g. '4GB').
      const limit = process.env.RLAUDIT_MEMORY_LIMIT ?? '1GB';
      // SET takes no bound parameter, so the value is checked against a strict pattern before it is spliced
      if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(limit)) {
        throw new InputError(`RLAUDIT_MEMORY_LIMIT must look like 1GB or 512MiB, got '${limit}'`);
      }
      await client.exec(`SET memory_limit = '${limit}'`);
      await createStageTables(client);
    } catch (err) {
      client.close();
      throw err;
    }
    return new DuckDbStore(client);
  }

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
      await c.exec({
        sql: `INSERT INTO runs (run) SELECT DISTINCT run FROM (
                SELECT run FROM temp.main.stage_sessions UNION SELECT run FROM temp.main.stage_annotations
                UNION SELECT run FROM temp.main.stage_events) s
              WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.run = s.run)`,
      });
      await this.insertRejects(batch);
      counts.read += batch.rejects.length;
      counts.rejected += batch.rejects.length;
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
      if (!r) ranges.set(run, (r = { lo: record.session, hi: record.session, keys: new Set() }));
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
  private async insertRejects(batch: IngestBatch): Promise<void> {
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
      for (const t of ['sessions', 'annotations', 'events', 'rejects']) {
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
                AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.run = r.run)`,
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

  async listRuns(): Promise<RunSummary[]> {
    const rows = await this.client.query<Record<string, unknown>>({
      sql: `SELECT r.run, r.model,
              coalesce(s.n, 0) AS sessions, s.first_session, s.last_session,
              coalesce(e.n, 0) AS events, coalesce(a.n, 0) AS annotations, coalesce(j.n, 0) AS rejects
            FROM runs r
            LEFT JOIN (SELECT run, count(*) AS n, min(session) AS first_session, max(session) AS last_session
                       FROM sessions GROUP BY run) s ON s.run = r.run
            LEFT JOIN (SELECT run, count(*) AS n FROM events GROUP BY run) e ON e.run = r.run
            LEFT JOIN (SELECT run, count(*) AS n FROM annotations GROUP BY run) a ON a.run = r.run
            LEFT JOIN (SELECT run, count(*) AS n FROM rejects GROUP BY run) j ON j.run = r.run
            ORDER BY r.run`,
    });
    return rows.map((r) => ({
      run: String(r.run),
      model: (r.model as string | null) ?? null,
      sessions: Number(r.sessions),
      firstSession: num(r.first_session),
      lastSession: num(r.last_session),
      events: Number(r.events),
      annotations: Number(r.annotations),
      rejects: Number(r.rejects),
    }));
  }

  async hasRun(run: string): Promise<boolean> {
    const rows = await this.client.query({ sql: 'SELECT 1 FROM runs WHERE run = $run', params: { run } });
    return rows.length > 0;
  }

  async getRun(run: string): Promise<RunRecord | null> {
    const rows = await this.client.query<{
      model: string | null;
      description: string | null;
      meta: string | null;
    }>({
      sql: 'SELECT model, description, CAST(meta AS VARCHAR) AS meta FROM runs WHERE run = $run AND has_record',
      params: { run },
    });
    const r = rows[0];
    if (!r) return null;
    return {
      type: 'run',
      run,
      model: r.model,
      description: r.description,
      ...(r.meta ? { meta: JSON.parse(r.meta) as Record<string, unknown> } : {}),
    };
  }

  async *scanSessions(run: string, pageSize = 10_000): AsyncGenerator<SessionRecord[]> {
    let after = 0;
    for (;;) {
      const rows = await this.client.query<Record<string, unknown>>({
        sql: `SELECT session, step, time, prompt_id, prompt, output, classification, category, baseline_reward,
                adjusted_reward, differential_pct, compliance_trajectory_index, flags,
                CAST(nested_annotations AS VARCHAR) AS nested_annotations, CAST(meta AS VARCHAR) AS meta
              FROM sessions WHERE run = $run AND session > $after ORDER BY session LIMIT $n`,
        params: { run, after, n: pageSize },
      });
      if (rows.length === 0) return;
      yield rows.map((r) => sessionFromRow(run, r));
      after = Number(rows[rows.length - 1]!.session);
    }
  }

  async listSessions(q: SessionQuery): Promise<SessionRow[]> {
    const rows = await this.client.query<Record<string, unknown>>({
      sql: `SELECT s.session, s.step, s.classification, s.category, s.baseline_reward, s.adjusted_reward,
              s.differential_pct, s.compliance_trajectory_index,
              (SELECT count(*) FROM annotations a WHERE a.run = s.run AND a.session = s.session) AS annotations,
              (SELECT count(*) FROM events e WHERE e.run = s.run AND e.session = s.session) AS events,
              left(s.output, $chars) AS output_start
            FROM sessions s
            WHERE s.run = $run AND s.session >= $from AND s.session <= $to
            ORDER BY s.session LIMIT $limit`,
      params: {
        run: q.run,
        from: q.from ?? 0,
        to: q.to ?? Number.MAX_SAFE_INTEGER,
        limit: q.limit ?? 1000,
        chars: q.outputChars ?? 80,
      },
    });
    return rows.map((r) => ({
      session: Number(r.session),
      step: num(r.step),
      classification: (r.classification as string | null) ?? null,
      category: (r.category as string | null) ?? null,
      baselineReward: num(r.baseline_reward),
      adjustedReward: num(r.adjusted_reward),
      differentialPct: num(r.differential_pct),
      complianceTrajectoryIndex: num(r.compliance_trajectory_index),
      annotations: Number(r.annotations),
      events: Number(r.events),
      outputStart: String(r.output_start ?? ''),
    }));
  }

  async listRejects(q: { run?: string; limit?: number }): Promise<RejectRow[]> {
    const rows = await this.client.query<Record<string, unknown>>({
      sql: `SELECT run, source_file, source_line, record_type, field, expected, got, conflict_file, conflict_line
            FROM rejects WHERE ($run IS NULL OR run = $run)
            ORDER BY source_file, source_line, field LIMIT $limit`,
      params: { run: q.run ?? null, limit: q.limit ?? 1000 },
    });
    return rows.map((r) => ({
      run: (r.run as string | null) ?? null,
      file: String(r.source_file),
      line: Number(r.source_line),
      recordType: (r.record_type as string | null) ?? null,
      field: String(r.field),
      expected: String(r.expected),
      got: String(r.got),
      conflictWith:
        r.conflict_file === null || r.conflict_file === undefined
          ? null
          : { file: String(r.conflict_file), line: Number(r.conflict_line) },
    }));
  }

  async countRejects(q: { run?: string }): Promise<number> {
    const rows = await this.client.query<{ n: bigint }>({
      sql: 'SELECT count(*) AS n FROM rejects WHERE ($run IS NULL OR run = $run)',
      params: { run: q.run ?? null },
    });
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
