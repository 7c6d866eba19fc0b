import { InputError } from '../../model/errors.ts';
import {
  type AnnotationRecord,
  DEFAULT_PHASE,
  type EventRecord,
  type RunRecord,
  type SessionRecord,
} from '../../model/schema.ts';
import { INDEX_IN_STEP_KEY, type StoredRun } from '../../sources/importers/run-cursors.ts';
import { reviewRowOf } from '../dashboard-rows.ts';
import { annotationRecord, eventRecord } from '../run-records.ts';
import { sessionDetail } from '../session-detail.ts';
import { empty, type SqlFragment, sql } from '../sql/sql.ts';
import type {
  RejectRow,
  RunSummary,
  SessionBounds,
  SessionDetail,
  SessionQuery,
  SessionRow,
  SessionSort,
  StepMetricRow,
} from '../store.ts';
import { rejectRow } from '../store.ts';
import { storedRuns } from '../stored-runs.ts';
import {
  ExistsRow,
  RejectCountRow,
  RejectListRow,
  RunRecordRow,
  RunSummaryRow,
  SessionListRow,
  SessionRecordRow,
  StepMetricListRow,
  StoredAnnotationRow,
  StoredEventRow,
  sessionRecord,
} from './browser-rows.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { checkRe2 } from './scans/target-pattern.ts';
import {
  SessionAnnotationRow,
  SessionAtStepRow,
  SessionBoundsRow,
  SessionDetailRow,
  SessionEventRow,
  StepSessionsRow,
} from './session-detail-rows.ts';

/**
 * The identity index of each session of one step: the index an importer stored with it (meta
 * `rlaudit_index_in_step`) when every session of the step has one, else its position in session order — the
 * same rule the ingest matches identities by (run-cursors.ts, `storedSessions`), so `show --step S --index I`
 * names the session a re-ingest of (S, I) finds.
 */
function stepIdentities(run: string, step: SqlFragment): SqlFragment {
  return sql`SELECT session,
        CASE WHEN bool_and(stored IS NOT NULL) OVER () THEN stored ELSE position END AS index_in_step
      FROM (SELECT session, TRY_CAST(json_extract(meta, ${`$.${INDEX_IN_STEP_KEY}`}) AS BIGINT) AS stored,
                   row_number() OVER (ORDER BY session) - 1 AS position
              FROM sessions WHERE run = ${run} AND step = ${step})`;
}

/** ORDER BY of each sort: by adjusted reward, else baseline; sessions without either last; ties in session order. */
const SORTS: Readonly<Record<SessionSort, SqlFragment>> = {
  session: sql`s.session`,
  reward: sql`coalesce(s.adjusted_reward, s.baseline_reward) ASC NULLS LAST, s.session`,
  '-reward': sql`coalesce(s.adjusted_reward, s.baseline_reward) DESC NULLS LAST, s.session`,
};

/** The read side of the DuckDB store: runs, sessions (cluster review, one whole, full scans) and rejects. */
export class DuckDbBrowser {
  constructor(private readonly client: DuckDbClient) {}

  async listRuns(): Promise<RunSummary[]> {
    const rows = await this.client.query(
      sql`SELECT r.run, r.model,
              coalesce(s.n, 0) AS sessions, s.first_session, s.last_session,
              coalesce(e.n, 0) AS events, coalesce(a.n, 0) AS annotations, coalesce(j.n, 0) AS rejects
            FROM (SELECT run, model FROM runs
                  UNION ALL
                  -- a run named only by rejected rows is listed too, so that per-run rejects add up
                  SELECT DISTINCT run, NULL AS model FROM rejects
                    WHERE run IS NOT NULL AND run NOT IN (SELECT run FROM runs)) r
            LEFT JOIN (SELECT run, count(*) AS n, min(session) AS first_session, max(session) AS last_session
                       FROM sessions GROUP BY run) s ON s.run = r.run
            LEFT JOIN (SELECT run, count(*) AS n FROM events GROUP BY run) e ON e.run = r.run
            LEFT JOIN (SELECT run, count(*) AS n FROM annotations GROUP BY run) a ON a.run = r.run
            LEFT JOIN (SELECT run, count(*) AS n FROM rejects GROUP BY run) j ON j.run = r.run
            ORDER BY r.run`,
      RunSummaryRow,
    );
    return rows.map((r) => ({
      run: r.run,
      model: r.model,
      sessions: r.sessions,
      firstSession: r.first_session,
      lastSession: r.last_session,
      events: r.events,
      annotations: r.annotations,
      rejects: r.rejects,
    }));
  }

  async hasRun(run: string): Promise<boolean> {
    const rows = await this.client.query(sql`SELECT 1 AS found FROM runs WHERE run = ${run}`, ExistsRow);
    return rows.length > 0;
  }

  async getRun(run: string): Promise<RunRecord | null> {
    const rows = await this.client.query(
      sql`SELECT model, description, CAST(meta AS VARCHAR) AS meta FROM runs WHERE run = ${run} AND has_record`,
      RunRecordRow,
    );
    const r = rows[0];
    if (!r) return null;
    return {
      type: 'run',
      run,
      model: r.model,
      description: r.description,
      ...(r.meta ? { meta: r.meta as Record<string, unknown> } : {}),
    };
  }

  async *scanSessions(run: string, pageSize = 10_000): AsyncGenerator<SessionRecord[]> {
    let after = 0;
    for (;;) {
      const rows = await this.client.query(
        sql`SELECT session, step, time, prompt_id, prompt, output, classification, category, baseline_reward,
                adjusted_reward, differential_pct, compliance_trajectory_index, flags,
                CAST(nested_annotations AS VARCHAR) AS nested_annotations, CAST(meta AS VARCHAR) AS meta,
                phase, checkpoint
              FROM sessions WHERE run = ${run} AND session > ${after} ORDER BY session LIMIT ${pageSize}`,
        SessionRecordRow,
      );
      if (rows.length === 0) return;
      yield rows.map((r) => sessionRecord(run, r));
      after = rows[rows.length - 1]!.session;
    }
  }

  async *scanRunRecords(run: string, pageSize = 10_000): AsyncGenerator<(AnnotationRecord | EventRecord)[]> {
    let after = '';
    for (;;) {
      const rows = await this.client.query(
        sql`SELECT id, session, author, text, time, classification, flags, CAST(meta AS VARCHAR) AS meta
              FROM annotations WHERE run = ${run} AND NOT nested AND id > ${after} ORDER BY id LIMIT ${pageSize}`,
        StoredAnnotationRow,
      );
      if (rows.length === 0) break;
      yield rows.map((r) => annotationRecord(run, r));
      after = rows[rows.length - 1]!.id;
    }
    after = '';
    for (;;) {
      const rows = await this.client.query(
        sql`SELECT id, session, kind, parameter, CAST(target AS VARCHAR) AS target, from_value, to_value,
                change_pct, CAST(trigger AS VARCHAR) AS trigger, recommended_by, note, time,
                CAST(meta AS VARCHAR) AS meta
              FROM events WHERE run = ${run} AND id > ${after} ORDER BY id LIMIT ${pageSize}`,
        StoredEventRow,
      );
      if (rows.length === 0) return;
      yield rows.map((r) => eventRecord(run, r));
      after = rows[rows.length - 1]!.id;
    }
  }

  async listSessions(q: SessionQuery): Promise<SessionRow[]> {
    const chars = q.outputChars ?? 80;
    // 0 characters asks for the whole text
    const start = (column: SqlFragment) => (chars > 0 ? sql`left(${column}, ${chars})` : column);
    const sort = q.sort ?? 'session';
    if (!Object.hasOwn(SORTS, sort)) {
      throw new InputError(`sort must be one of ${Object.keys(SORTS).join(', ')}, got '${sort}'`, {
        field: '--sort',
      });
    }
    const order = SORTS[sort];
    let grep = empty;
    if (q.grep !== undefined) {
      const pattern = `(?i)${q.grep}`;
      await checkRe2(this.client, pattern, q.grep, { field: '--grep' });
      grep = sql`AND regexp_matches(s.output, ${pattern})`;
    }
    const rows = await this.client.query(
      sql`SELECT s.session, s.step, s.classification, s.category, s.baseline_reward, s.adjusted_reward,
              s.differential_pct, s.compliance_trajectory_index,
              (SELECT count(*) FROM annotations a WHERE a.run = s.run AND a.session = s.session) AS annotations,
              (SELECT count(*) FROM events e WHERE e.run = s.run AND e.session = s.session) AS events,
              ${start(sql`s.output`)} AS output_start, length(s.output) AS output_length,
              ${start(sql`s.prompt`)} AS prompt_start, length(s.prompt) AS prompt_length,
              coalesce(s.phase, ${DEFAULT_PHASE}) AS phase
            FROM sessions s
            WHERE s.run = ${q.run} AND s.session >= ${q.from ?? 0} AND s.session <= ${q.to ?? Number.MAX_SAFE_INTEGER}
              ${q.step === undefined ? empty : sql`AND s.step = ${q.step}`}
              ${q.phase === undefined ? empty : sql`AND coalesce(s.phase, ${DEFAULT_PHASE}) = ${q.phase}`}
              ${grep}
            ORDER BY ${order} LIMIT ${q.limit ?? 1000}`,
      SessionListRow,
    );
    return rows.map((r) => ({
      ...reviewRowOf(r),
      promptStart: r.prompt_start,
      promptLength: r.prompt_length,
      phase: r.phase,
    }));
  }

  async getSession(q: { run: string; session: number }): Promise<SessionDetail | null> {
    const [s] = await this.client.query(
      sql`WITH ids AS (${stepIdentities(q.run, sql`(SELECT step FROM sessions WHERE run = ${q.run} AND session = ${q.session})`)})
            SELECT s.session, s.step,
              CASE WHEN s.step IS NOT NULL THEN (SELECT ids.index_in_step FROM ids WHERE ids.session = s.session)
                END AS index_in_step,
              CASE WHEN s.step IS NOT NULL THEN (SELECT count(*) FROM sessions x
                WHERE x.run = s.run AND x.step = s.step) END AS sessions_in_step,
              s.time, coalesce(s.phase, 'training') AS phase, s.checkpoint,
              s.prompt_id, s.prompt, s.output, s.classification, s.category, s.baseline_reward,
              s.adjusted_reward, s.differential_pct, s.compliance_trajectory_index, s.flags,
              CAST(s.meta AS VARCHAR) AS meta
            FROM sessions s WHERE s.run = ${q.run} AND s.session = ${q.session}`,
      SessionDetailRow,
    );
    if (!s) return null;
    const annotations = await this.client.query(
      sql`SELECT id, author, time, classification, flags, text FROM annotations
            WHERE run = ${q.run} AND session = ${q.session}
            ORDER BY time NULLS LAST, load_id, source_line, id`,
      SessionAnnotationRow,
    );
    const events = await this.client.query(
      sql`SELECT id, kind, parameter, CAST(target AS VARCHAR) AS target, from_value, to_value, change_pct,
              CAST(trigger AS VARCHAR) AS trigger, recommended_by, note, time
            FROM events WHERE run = ${q.run} AND session = ${q.session} ORDER BY id`,
      SessionEventRow,
    );
    return sessionDetail(
      q.run,
      s,
      { indexInStep: s.index_in_step, sessionsInStep: s.sessions_in_step },
      annotations,
      events,
    );
  }

  async storedSessions(baseRun: string): Promise<StoredRun[]> {
    const prefix = `${baseRun}-part`;
    const rows = await this.client.query(
      sql`SELECT run, step, list(session ORDER BY session) AS sessions,
                 list(TRY_CAST(json_extract(meta, ${`$.${INDEX_IN_STEP_KEY}`}) AS BIGINT) ORDER BY session) AS indexes
            FROM sessions
            WHERE run = ${baseRun} OR starts_with(run, ${prefix})
            GROUP BY run, step ORDER BY run, step NULLS FIRST`,
      StepSessionsRow,
    );
    return storedRuns(baseRun, rows);
  }

  async sessionAtStep(q: { run: string; step: number; index: number }): Promise<number | null> {
    const [r] = await this.client.query(
      sql`SELECT session FROM (${stepIdentities(q.run, sql`${q.step}`)}) WHERE index_in_step = ${q.index}
            ORDER BY session LIMIT 1`,
      SessionAtStepRow,
    );
    return r?.session ?? null;
  }

  async sessionBounds(q: { run: string; session?: number; step?: number }): Promise<SessionBounds> {
    // an absent session or step is a typed NULL: every FILTER comparing with it is false
    const session = q.session ?? null;
    const step = q.step ?? null;
    const [r] = await this.client.query(
      sql`SELECT count(*) AS sessions, min(session) AS first_session, max(session) AS last_session,
              max(session) FILTER (WHERE session < ${session}::BIGINT) AS session_before,
              min(session) FILTER (WHERE session > ${session}::BIGINT) AS session_after,
              count(DISTINCT step) AS steps, min(step) AS first_step, max(step) AS last_step,
              max(step) FILTER (WHERE step < ${step}::BIGINT) AS step_before,
              min(step) FILTER (WHERE step > ${step}::BIGINT) AS step_after,
              count(*) FILTER (WHERE step = ${step}::BIGINT) AS sessions_at_step
            FROM sessions WHERE run = ${q.run}`,
      SessionBoundsRow,
    );
    return {
      sessions: r?.sessions ?? 0,
      firstSession: r?.first_session ?? null,
      lastSession: r?.last_session ?? null,
      sessionBefore: r?.session_before ?? null,
      sessionAfter: r?.session_after ?? null,
      steps: r?.steps ?? 0,
      firstStep: r?.first_step ?? null,
      lastStep: r?.last_step ?? null,
      stepBefore: r?.step_before ?? null,
      stepAfter: r?.step_after ?? null,
      sessionsAtStep: r?.sessions_at_step ?? 0,
    };
  }

  async listRejects(q: { run?: string | null; limit?: number }): Promise<RejectRow[]> {
    const all = q.run === undefined;
    const run = q.run ?? null;
    const rows = await this.client.query(
      sql`SELECT run, source_file, source_line, record_type, field, expected, got, conflict_file, conflict_line
            FROM rejects WHERE ${all} OR run = ${run} OR (${run}::VARCHAR IS NULL AND run IS NULL)
            ORDER BY source_file, source_line, field LIMIT ${q.limit ?? 1000}`,
      RejectListRow,
    );
    return rows.map(rejectRow);
  }

  async countRejects(q: { run?: string | null }): Promise<number> {
    const all = q.run === undefined;
    const run = q.run ?? null;
    const rows = await this.client.query(
      sql`SELECT count(*) AS n FROM rejects WHERE ${all} OR run = ${run} OR (${run}::VARCHAR IS NULL AND run IS NULL)`,
      RejectCountRow,
    );
    return rows[0]?.n ?? 0;
  }

  async listStepMetrics(q: { run: string; names?: readonly string[] }): Promise<StepMetricRow[]> {
    // names travel as one bound value, joined with the unit separator (never spliced into the SQL)
    const all = q.names === undefined;
    const names = (q.names ?? []).join('\x1f');
    return this.client.query(
      sql`SELECT step, name, value FROM step_metrics
            WHERE run = ${q.run} AND (${all} OR list_contains(string_split(${names}, chr(31)), name))
            ORDER BY step, name`,
      StepMetricListRow,
    );
  }
}
