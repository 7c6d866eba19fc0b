import type { RunRecord, SessionRecord } from '../../model/schema.ts';
import type { RejectRow, RunSummary, SessionQuery, SessionRow, StepMetricRow } from '../store.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { num } from './values.ts';

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

/** The read side of the DuckDB store: runs, sessions (cluster review, full scans) and rejects. */
export class DuckDbBrowser {
  constructor(private readonly client: DuckDbClient) {}

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

  async listStepMetrics(q: { run: string; names?: readonly string[] }): Promise<StepMetricRow[]> {
    const rows = await this.client.query<{ step: bigint; name: string; value: number }>({
      sql: `SELECT step, name, value FROM step_metrics
            WHERE run = $run AND ($all OR list_contains(string_split($names, chr(31)), name))
            ORDER BY step, name`,
      // names travel as one bound value, joined with the unit separator (never spliced into the SQL)
      params: { run: q.run, all: q.names === undefined, names: (q.names ?? []).join('\x1f') },
    });
    return rows.map((r) => ({ step: Number(r.step), name: r.name, value: r.value }));
  }
}
