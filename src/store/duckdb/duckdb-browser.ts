import type { RunRecord, SessionRecord } from '../../model/schema.ts';
import { sql } from '../sql/sql.ts';
import type { RejectRow, RunSummary, SessionQuery, SessionRow, StepMetricRow } from '../store.ts';
import {
  ExistsRow,
  RejectCountRow,
  RejectListRow,
  RunRecordRow,
  RunSummaryRow,
  SessionListRow,
  SessionRecordRow,
  StepMetricListRow,
  sessionRecord,
} from './browser-rows.ts';
import type { DuckDbClient } from './duckdb-client.ts';

/** The read side of the DuckDB store: runs, sessions (cluster review, full scans) and rejects. */
export class DuckDbBrowser {
  constructor(private readonly client: DuckDbClient) {}

  async listRuns(): Promise<RunSummary[]> {
    const rows = await this.client.query(
      sql`SELECT r.run, r.model,
              coalesce(s.n, 0) AS sessions, s.first_session, s.last_session,
              coalesce(e.n, 0) AS events, coalesce(a.n, 0) AS annotations, coalesce(j.n, 0) AS rejects
            FROM runs r
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
                CAST(nested_annotations AS VARCHAR) AS nested_annotations, CAST(meta AS VARCHAR) AS meta
              FROM sessions WHERE run = ${run} AND session > ${after} ORDER BY session LIMIT ${pageSize}`,
        SessionRecordRow,
      );
      if (rows.length === 0) return;
      yield rows.map((r) => sessionRecord(run, r));
      after = rows[rows.length - 1]!.session;
    }
  }

  async listSessions(q: SessionQuery): Promise<SessionRow[]> {
    const rows = await this.client.query(
      sql`SELECT s.session, s.step, s.classification, s.category, s.baseline_reward, s.adjusted_reward,
              s.differential_pct, s.compliance_trajectory_index,
              (SELECT count(*) FROM annotations a WHERE a.run = s.run AND a.session = s.session) AS annotations,
              (SELECT count(*) FROM events e WHERE e.run = s.run AND e.session = s.session) AS events,
              left(s.output, ${q.outputChars ?? 80}) AS output_start
            FROM sessions s
            WHERE s.run = ${q.run} AND s.session >= ${q.from ?? 0} AND s.session <= ${q.to ?? Number.MAX_SAFE_INTEGER}
            ORDER BY s.session LIMIT ${q.limit ?? 1000}`,
      SessionListRow,
    );
    return rows.map((r) => ({
      session: r.session,
      step: r.step,
      classification: r.classification,
      category: r.category,
      baselineReward: r.baseline_reward,
      adjustedReward: r.adjusted_reward,
      differentialPct: r.differential_pct,
      complianceTrajectoryIndex: r.compliance_trajectory_index,
      annotations: r.annotations,
      events: r.events,
      outputStart: r.output_start,
    }));
  }

  async listRejects(q: { run?: string; limit?: number }): Promise<RejectRow[]> {
    const run = q.run ?? null;
    const rows = await this.client.query(
      sql`SELECT run, source_file, source_line, record_type, field, expected, got, conflict_file, conflict_line
            FROM rejects WHERE (${run}::VARCHAR IS NULL OR run = ${run})
            ORDER BY source_file, source_line, field LIMIT ${q.limit ?? 1000}`,
      RejectListRow,
    );
    return rows.map((r) => ({
      run: r.run,
      file: r.source_file,
      line: r.source_line,
      recordType: r.record_type,
      field: r.field,
      expected: r.expected,
      got: r.got,
      conflictWith: r.conflict_file === null ? null : { file: r.conflict_file, line: r.conflict_line ?? 0 },
    }));
  }

  async countRejects(q: { run?: string }): Promise<number> {
    const run = q.run ?? null;
    const rows = await this.client.query(
      sql`SELECT count(*) AS n FROM rejects WHERE (${run}::VARCHAR IS NULL OR run = ${run})`,
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
