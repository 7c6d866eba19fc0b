import { z } from 'zod';
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
import { rowDecoder } from '../sql/row-decoder.ts';
import { empty, list, type SqlFragment, sql } from '../sql/sql.ts';
import type {
  SessionBounds,
  SessionDetail,
  SessionQuery,
  SessionRow,
  SessionSort,
  StepMetricRow,
} from '../store.ts';
import { storedRuns } from '../stored-runs.ts';
import type { ClickHouseClient } from './clickhouse-client.ts';
import { isoOfMicros } from './clickhouse-rows.ts';
import { float, int, nullableInt, nullableText, text } from './decode.ts';
import { checkRe2 } from './scans/target-pattern.ts';

/**
 * The read side of the ClickHouse store that the commands besides the analyses need: runs, the cluster
 * review, one session whole, full scans, step metrics. Every read of a record table is `FINAL` (exact before
 * the replacing merges); ClickHouse 18.16 has no correlated subqueries and no window functions, so what
 * DuckDB computes with them (per-session counts, a session's index within its step) is a second small
 * query or is done here over the rows of one step. The answers are the DuckDB store's, field for field
 * (src/store/duckdb/duckdb-browser.ts; test/store/clickhouse/clickhouse-conformance.test.ts).
 */

const nullableFloat = float.nullable();
const flags = z.array(z.string());
/** JSON text of an object, or null. */
const jsonObject = nullableText.transform((v) =>
  v === null ? null : (JSON.parse(v) as Record<string, unknown>),
);
const jsonValue = nullableText.transform((v): unknown => (v === null ? null : JSON.parse(v)));
const micros = nullableInt.transform(isoOfMicros);
/** A category stored as text; a number-like one was a number in the record (browser-rows.ts). */
const category = nullableText.transform((c) => (c === null ? null : /^-?\d+$/.test(c) ? Number(c) : c));

const RunRecordRow = rowDecoder(
  'getRun',
  z.object({ model: nullableText, description: nullableText, meta: jsonValue }),
);
const ExistsRow = rowDecoder('hasRun', z.object({ n: int }));
const SessionRecordRow = rowDecoder(
  'scanSessions',
  z.object({
    session: int,
    step: nullableInt,
    time: micros,
    prompt_id: nullableText,
    prompt: nullableText,
    output: text,
    classification: nullableText,
    category,
    baseline_reward: nullableFloat,
    adjusted_reward: nullableFloat,
    differential_pct: nullableFloat,
    compliance_trajectory_index: nullableFloat,
    flags,
    nested_annotations: jsonValue,
    meta: jsonValue,
    phase: nullableText,
    checkpoint: nullableText,
  }),
);
const SessionListRow = rowDecoder(
  'listSessions',
  z.object({
    session: int,
    step: nullableInt,
    classification: nullableText,
    category: nullableText,
    baseline_reward: nullableFloat,
    adjusted_reward: nullableFloat,
    differential_pct: nullableFloat,
    compliance_trajectory_index: nullableFloat,
    output_start: text,
    output_length: int,
    prompt_start: nullableText,
    prompt_length: nullableInt,
    phase: text,
  }),
);
const CountBySessionRow = rowDecoder('countsBySession', z.object({ session: int, n: int }));
const StepMemberRow = rowDecoder('stepSessions', z.object({ session: int, meta: nullableText }));
const StoredSessionRow = rowDecoder(
  'storedSessions',
  z.object({ run: text, step: nullableInt, session: int, meta: nullableText }),
);
const SessionDetailRow = rowDecoder(
  'getSession',
  z.object({
    session: int,
    step: nullableInt,
    time: micros,
    phase: text,
    checkpoint: nullableText,
    prompt_id: nullableText,
    prompt: nullableText,
    output: text,
    classification: nullableText,
    category,
    baseline_reward: nullableFloat,
    adjusted_reward: nullableFloat,
    differential_pct: nullableFloat,
    compliance_trajectory_index: nullableFloat,
    flags,
    meta: jsonObject,
  }),
);
const AnnotationRow = rowDecoder(
  'sessionAnnotations',
  z.object({ id: text, author: nullableText, time: micros, classification: nullableText, flags, text }),
);
const EventRow = rowDecoder(
  'sessionEvents',
  z.object({
    id: text,
    kind: text,
    parameter: text,
    target: jsonObject,
    from_value: nullableFloat,
    to_value: nullableFloat,
    change_pct: nullableFloat,
    trigger: jsonObject,
    recommended_by: nullableText,
    note: nullableText,
    time: micros,
  }),
);
const BoundsRow = rowDecoder(
  'sessionBounds',
  z.object({
    sessions: int,
    first_session: int,
    last_session: int,
    n_before: int,
    session_before: int,
    n_after: int,
    session_after: int,
    steps: int,
    n_steps: int,
    first_step: int,
    last_step: int,
    n_step_before: int,
    step_before: int,
    n_step_after: int,
    step_after: int,
    sessions_at_step: int,
  }),
);
const StoredAnnotationRow = rowDecoder(
  'scanRunRecords.annotations',
  z.object({
    id: text,
    session: int,
    author: nullableText,
    text,
    time: micros,
    classification: nullableText,
    flags,
    meta: jsonValue,
  }),
);
const StoredEventRow = rowDecoder(
  'scanRunRecords.events',
  z.object({
    id: text,
    session: int,
    kind: text,
    parameter: text,
    target: jsonValue,
    from_value: nullableFloat,
    to_value: nullableFloat,
    change_pct: nullableFloat,
    trigger: jsonValue,
    recommended_by: nullableText,
    note: nullableText,
    time: micros,
    meta: jsonValue,
  }),
);
const StepMetricRowDecoder = rowDecoder('listStepMetrics', z.object({ step: int, name: text, value: float }));

/** ORDER BY of each sort: adjusted reward, else baseline; sessions without either last; ties by session. */
const SORTS: Readonly<Record<SessionSort, SqlFragment>> = {
  session: sql`session`,
  reward: sql`coalesce(adjusted_reward, baseline_reward) ASC NULLS LAST, session`,
  '-reward': sql`coalesce(adjusted_reward, baseline_reward) DESC NULLS LAST, session`,
};

/** The index a session's meta records within its step (`rlaudit_index_in_step`), or null. */
function storedIndex(meta: string | null): number | null {
  if (meta === null) return null;
  const v = (JSON.parse(meta) as Record<string, unknown> | null)?.[INDEX_IN_STEP_KEY];
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

export class ClickHouseReads {
  constructor(private readonly client: ClickHouseClient) {}

  async hasRun(run: string): Promise<boolean> {
    const [r] = await this.client.query(sql`SELECT count() AS n FROM runs WHERE run = ${run}`, ExistsRow);
    return (r?.n ?? 0) > 0;
  }

  async getRun(run: string): Promise<RunRecord | null> {
    const [r] = await this.client.query(
      sql`SELECT model, description, meta FROM (SELECT * FROM runs FINAL WHERE run = ${run}) WHERE has_record = 1`,
      RunRecordRow,
    );
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
                adjusted_reward, differential_pct, compliance_trajectory_index, flags, nested_annotations, meta,
                phase, checkpoint
              FROM sessions FINAL WHERE run = ${run} AND session > ${after} ORDER BY session LIMIT ${pageSize}`,
        SessionRecordRow,
      );
      if (rows.length === 0) return;
      yield rows.map((r) => {
        const { nested_annotations, meta, phase, checkpoint, ...fields } = r;
        const out: Record<string, unknown> = { type: 'session', run, ...fields };
        if (nested_annotations) out.annotations = nested_annotations;
        if (meta) out.meta = meta;
        if (phase !== null) out.phase = phase;
        if (checkpoint !== null)
          out.checkpoint = /^(0|[1-9]\d*)$/.test(checkpoint) ? Number(checkpoint) : checkpoint;
        return out as SessionRecord;
      });
      after = rows[rows.length - 1]!.session;
    }
  }

  async *scanRunRecords(run: string, pageSize = 10_000): AsyncGenerator<(AnnotationRecord | EventRecord)[]> {
    let after = '';
    for (;;) {
      const rows = await this.client.query(
        sql`SELECT id, session, author, text, time, classification, flags, meta
              FROM annotations FINAL WHERE run = ${run} AND nested = 0 AND id > ${after} ORDER BY id LIMIT ${pageSize}`,
        StoredAnnotationRow,
      );
      if (rows.length === 0) break;
      yield rows.map((r) => annotationRecord(run, r));
      after = rows[rows.length - 1]!.id;
    }
    after = '';
    for (;;) {
      const rows = await this.client.query(
        sql`SELECT id, session, kind, parameter, target, from_value, to_value, change_pct, trigger, recommended_by,
                note, time, meta
              FROM events FINAL WHERE run = ${run} AND id > ${after} ORDER BY id LIMIT ${pageSize}`,
        StoredEventRow,
      );
      if (rows.length === 0) return;
      yield rows.map((r) => eventRecord(run, r));
      after = rows[rows.length - 1]!.id;
    }
  }

  async listSessions(q: SessionQuery): Promise<SessionRow[]> {
    const chars = q.outputChars ?? 80;
    const start = (column: SqlFragment) => (chars > 0 ? sql`substringUTF8(${column}, 1, ${chars})` : column);
    const sort = q.sort ?? 'session';
    if (!Object.hasOwn(SORTS, sort)) {
      throw new InputError(`sort must be one of ${Object.keys(SORTS).join(', ')}, got '${sort}'`, {
        field: '--sort',
      });
    }
    let grep = empty;
    if (q.grep !== undefined) {
      const pattern = `(?i)${q.grep}`;
      await checkRe2(this.client, pattern, q.grep, { field: '--grep' });
      grep = sql`AND match(output, ${pattern})`;
    }
    const rows = await this.client.query(
      sql`SELECT session, step, classification, category, baseline_reward, adjusted_reward, differential_pct,
              compliance_trajectory_index,
              ${start(sql`output`)} AS output_start, lengthUTF8(output) AS output_length,
              if(isNull(prompt), NULL, ${start(sql`assumeNotNull(prompt)`)}) AS prompt_start,
              if(isNull(prompt), NULL, lengthUTF8(assumeNotNull(prompt))) AS prompt_length,
              ifNull(phase, ${DEFAULT_PHASE}) AS phase
            FROM (SELECT * FROM sessions FINAL
                  WHERE run = ${q.run} AND session >= ${q.from ?? 0} AND session <= ${q.to ?? Number.MAX_SAFE_INTEGER}
                    ${q.step === undefined ? empty : sql`AND step = ${q.step}`}
                    ${q.phase === undefined ? empty : sql`AND ifNull(phase, ${DEFAULT_PHASE}) = ${q.phase}`}
                    ${grep})
            ORDER BY ${SORTS[sort]} LIMIT ${q.limit ?? 1000}`,
      SessionListRow,
    );
    const sessions = rows.map((r) => r.session);
    const [annotations, events] = await Promise.all([
      this.countsBySession('annotations', q.run, sessions),
      this.countsBySession('events', q.run, sessions),
    ]);
    return rows.map((r) => ({
      ...reviewRowOf({
        ...r,
        annotations: annotations.get(r.session) ?? 0,
        events: events.get(r.session) ?? 0,
      }),
      promptStart: r.prompt_start,
      promptLength: r.prompt_length,
      phase: r.phase,
    }));
  }

  private async countsBySession(
    table: 'annotations' | 'events',
    run: string,
    sessions: readonly number[],
  ): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (let i = 0; i < sessions.length; i += 2000) {
      const part = sessions.slice(i, i + 2000);
      const from = table === 'annotations' ? sql`annotations` : sql`events`;
      const rows = await this.client.query(
        sql`SELECT session, count() AS n FROM ${from} FINAL WHERE run = ${run} AND session IN (${list(part)})
              GROUP BY session`,
        CountBySessionRow,
      );
      for (const r of rows) out.set(r.session, r.n);
    }
    return out;
  }

  /**
   * The identity index of each session of one step (duckdb-browser.ts, `stepIdentities`): the index its meta
   * records when every session of the step has one, else its position in session order.
   */
  private async stepIdentities(run: string, step: number): Promise<{ session: number; index: number }[]> {
    const rows = await this.client.query(
      sql`SELECT session, meta FROM sessions FINAL WHERE run = ${run} AND step = ${step} ORDER BY session`,
      StepMemberRow,
    );
    const stored = rows.map((r) => storedIndex(r.meta));
    const all = stored.every((i) => i !== null);
    return rows.map((r, k) => ({ session: r.session, index: all ? (stored[k] as number) : k }));
  }

  async getSession(q: { run: string; session: number }): Promise<SessionDetail | null> {
    const [s] = await this.client.query(
      sql`SELECT session, step, time, ifNull(phase, 'training') AS phase, checkpoint, prompt_id, prompt, output,
              classification, category, baseline_reward, adjusted_reward, differential_pct,
              compliance_trajectory_index, flags, meta
            FROM sessions FINAL WHERE run = ${q.run} AND session = ${q.session}`,
      SessionDetailRow,
    );
    if (!s) return null;
    let indexInStep: number | null = null;
    let sessionsInStep: number | null = null;
    if (s.step !== null) {
      const ids = await this.stepIdentities(q.run, s.step);
      indexInStep = ids.find((i) => i.session === s.session)?.index ?? null;
      sessionsInStep = ids.length;
    }
    const annotations = await this.client.query(
      sql`SELECT id, author, time, classification, flags, text FROM annotations FINAL
            WHERE run = ${q.run} AND session = ${q.session}
            ORDER BY isNull(time), time, load_id, source_line, id`,
      AnnotationRow,
    );
    const events = await this.client.query(
      sql`SELECT id, kind, parameter, target, from_value, to_value, change_pct, trigger, recommended_by, note, time
            FROM events FINAL WHERE run = ${q.run} AND session = ${q.session} ORDER BY id`,
      EventRow,
    );
    return sessionDetail(q.run, s, { indexInStep, sessionsInStep }, annotations, events);
  }

  async storedSessions(baseRun: string): Promise<StoredRun[]> {
    const prefix = `${baseRun}-part`;
    // the session numbers of the run and its parts come here (as on DuckDB: the ingest's identity index)
    const rows = await this.client.query(
      sql`SELECT run, step, session, meta FROM sessions FINAL
            WHERE run = ${baseRun} OR startsWith(run, ${prefix})
            ORDER BY run, session`,
      StoredSessionRow,
    );
    // each step's sessions in session order (the rows' order), pushed, never copied
    const steps = new Map<
      string,
      { run: string; step: number | null; sessions: number[]; indexes: (number | null)[] }
    >();
    for (const r of rows) {
      const key = `${r.run}\u0000${r.step}`;
      let e = steps.get(key);
      if (e === undefined) {
        e = { run: r.run, step: r.step, sessions: [], indexes: [] };
        steps.set(key, e);
      }
      e.sessions.push(r.session);
      e.indexes.push(storedIndex(r.meta));
    }
    return storedRuns(baseRun, steps.values());
  }

  async sessionAtStep(q: { run: string; step: number; index: number }): Promise<number | null> {
    const ids = await this.stepIdentities(q.run, q.step);
    const hits = ids.filter((i) => i.index === q.index).map((i) => i.session);
    return hits.length > 0 ? Math.min(...hits) : null;
  }

  async sessionBounds(q: { run: string; session?: number; step?: number }): Promise<SessionBounds> {
    // an absent session or step compares with nothing: the conditions are false, the answers null
    const s = q.session ?? null;
    const st = q.step ?? null;
    const below = s === null ? sql`0` : sql`session < ${s}`;
    const above = s === null ? sql`0` : sql`session > ${s}`;
    const stepBelow = st === null ? sql`0` : sql`step < ${st}`;
    const stepAbove = st === null ? sql`0` : sql`step > ${st}`;
    const atStep = st === null ? sql`0` : sql`step = ${st}`;
    const [r] = await this.client.query(
      sql`SELECT count() AS sessions, min(session) AS first_session, max(session) AS last_session,
              countIf(${below}) AS n_before, maxIf(session, ${below}) AS session_before,
              countIf(${above}) AS n_after, minIf(session, ${above}) AS session_after,
              uniqExactIf(assumeNotNull(step), isNotNull(step)) AS steps,
              countIf(isNotNull(step)) AS n_steps,
              minIf(assumeNotNull(step), isNotNull(step)) AS first_step,
              maxIf(assumeNotNull(step), isNotNull(step)) AS last_step,
              countIf(isNotNull(step) AND ${stepBelow}) AS n_step_before,
              maxIf(assumeNotNull(step), isNotNull(step) AND ${stepBelow}) AS step_before,
              countIf(isNotNull(step) AND ${stepAbove}) AS n_step_after,
              minIf(assumeNotNull(step), isNotNull(step) AND ${stepAbove}) AS step_after,
              countIf(isNotNull(step) AND ${atStep}) AS sessions_at_step
            FROM sessions FINAL WHERE run = ${q.run}`,
      BoundsRow,
    );
    const n = r?.sessions ?? 0;
    const when = (count: number | undefined, v: number | undefined) =>
      count && count > 0 ? (v ?? null) : null;
    return {
      sessions: n,
      firstSession: n > 0 ? (r?.first_session ?? null) : null,
      lastSession: n > 0 ? (r?.last_session ?? null) : null,
      sessionBefore: when(r?.n_before, r?.session_before),
      sessionAfter: when(r?.n_after, r?.session_after),
      steps: r?.steps ?? 0,
      firstStep: when(r?.n_steps, r?.first_step),
      lastStep: when(r?.n_steps, r?.last_step),
      stepBefore: when(r?.n_step_before, r?.step_before),
      stepAfter: when(r?.n_step_after, r?.step_after),
      sessionsAtStep: r?.sessions_at_step ?? 0,
    };
  }

  async listStepMetrics(q: { run: string; names?: readonly string[] }): Promise<StepMetricRow[]> {
    if (q.names !== undefined && q.names.length === 0) return [];
    return this.client.query(
      sql`SELECT step, name, value FROM step_metrics FINAL
            WHERE run = ${q.run} ${q.names === undefined ? empty : sql`AND name IN (${list([...q.names])})`}
            ORDER BY step, name`,
      StepMetricRowDecoder,
    );
  }
}
