import { z } from 'zod';
import type { Finding } from '../../model/findings.ts';
import { phrasePatternRe2 } from '../../model/phrase-pattern.ts';
import type {
  AuditHeadline,
  DashboardReads,
  ReviewPage,
  ReviewQuery,
  ReviewSortKey,
  RunEventMark,
  RunOverview,
  RunSeries,
  SamePrompt,
  SearchQuery,
  SearchResult,
  SessionIndex,
} from '../dashboard-reads.ts';
import {
  reviewRowOf,
  runEventMarkOf,
  samePromptRowOf,
  seriesPointOf,
  sessionIndexOf,
} from '../dashboard-rows.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { empty, type SqlFragment, sql } from '../sql/sql.ts';
import {
  isoTimestamp,
  jsonText,
  nullableNumber,
  nullableText,
  number,
  numberOrZero,
  text,
  textOrEmpty,
} from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { duckdbNormalise } from './normalise-sql.ts';
import { checkRe2 } from './scans/target-pattern.ts';

const counts = jsonText.transform((v) => (v ?? {}) as Record<string, number>);

const BoundsRow = rowDecoder(
  'dashboardBounds',
  z.object({ n: numberOrZero, lo: nullableNumber, hi: nullableNumber }),
);
const IndexRow = rowDecoder(
  'dashboardSessionIndex',
  z.object({
    cell: number,
    sessions: number,
    compliant: numberOrZero,
    unclassified: numberOrZero,
    reward: nullableNumber,
    events: numberOrZero,
    annotations: numberOrZero,
    categories: counts,
  }),
);
const CountRow = rowDecoder('dashboardCount', z.object({ n: numberOrZero }));
const RunOverviewRow = rowDecoder(
  'dashboardRunOverview',
  z.object({
    model: nullableText,
    description: nullableText,
    sessions: numberOrZero,
    first_session: nullableNumber,
    last_session: nullableNumber,
    steps: numberOrZero,
    events: numberOrZero,
    annotations: numberOrZero,
    rejects: numberOrZero,
  }),
);
const HeadlineRow = rowDecoder(
  'dashboardAuditHeadline',
  z.object({ headline: jsonText, win: jsonText, findings: jsonText }),
);
const ReviewRowDecoder = rowDecoder(
  'dashboardReview',
  z.object({
    session: number,
    step: nullableNumber,
    classification: nullableText,
    category: nullableText,
    baseline_reward: nullableNumber,
    adjusted_reward: nullableNumber,
    differential_pct: nullableNumber,
    compliance_trajectory_index: nullableNumber,
    annotations: numberOrZero,
    events: numberOrZero,
    output_start: textOrEmpty,
    output_length: numberOrZero,
  }),
);
const SeriesRow = rowDecoder(
  'dashboardSeries',
  z.object({
    x: number,
    from: number,
    to: number,
    sessions: number,
    baseline: nullableNumber,
    adjusted: nullableNumber,
    non_compliant: numberOrZero,
    classified: numberOrZero,
    categories: counts,
  }),
);
const EventRowDecoder = rowDecoder(
  'dashboardEvents',
  z.object({
    id: text,
    session: number,
    step: nullableNumber,
    kind: text,
    parameter: nullableText,
    target: jsonText,
    from_value: nullableNumber,
    to_value: nullableNumber,
    note: nullableText,
  }),
);
const AuditRow = rowDecoder(
  'dashboardLastAudit',
  z.object({ audit_id: number, template: text, finished_at: isoTimestamp }),
);
const PromptKeyRow = rowDecoder(
  'dashboardPromptKey',
  z.object({ prompt_id: nullableText, prompt: nullableText }),
);
const SamePromptRowDecoder = rowDecoder(
  'dashboardSamePrompt',
  z.object({
    session: number,
    step: nullableNumber,
    classification: nullableText,
    category: nullableText,
    reward: nullableNumber,
    output_start: textOrEmpty,
    output_length: numberOrZero,
    total: number,
  }),
);
const TimelineRow = rowDecoder(
  'dashboardSearchTimeline',
  z.object({ from: number, sessions: number, hits: numberOrZero, hit_sessions: numberOrZero }),
);
const HitRow = rowDecoder(
  'dashboardSearchHits',
  z.object({
    session: number,
    step: nullableNumber,
    classification: nullableText,
    category: nullableText,
    text: textOrEmpty,
    text_length: numberOrZero,
    annotation: nullableText,
  }),
);

/** ORDER BY of each sortable review column (constants: no user text reaches the SQL). */
const REVIEW_ORDER: Readonly<Record<ReviewSortKey, SqlFragment>> = {
  session: sql`s.session`,
  step: sql`s.step`,
  baselineReward: sql`s.baseline_reward`,
  adjustedReward: sql`s.adjusted_reward`,
  differentialPct: sql`s.differential_pct`,
  complianceTrajectoryIndex: sql`s.compliance_trajectory_index`,
  annotations: sql`annotations`,
};

/** The class filter of the cluster review and the index: `compliant`, `unclassified`, or a raw category. */
function classFilter(classOf: string | undefined): SqlFragment {
  if (classOf === undefined) return empty;
  if (classOf === 'compliant') return sql`AND s.classification = 'compliant'`;
  if (classOf === 'unclassified') return sql`AND s.classification IS NULL`;
  return sql`AND s.classification = 'non_compliant' AND coalesce(s.category, '?') = ${classOf}`;
}

const NORMALISED_OUTPUT = duckdbNormalise(sql`s.output`);
const NORMALISED_TEXT = duckdbNormalise(sql`a.text`);

/** The dashboard's reads over the DuckDB store (src/store/dashboard-reads.ts). */
export function duckDbDashboardReads(client: DuckDbClient): DashboardReads {
  async function bounds(run: string): Promise<{ n: number; lo: number | null; hi: number | null }> {
    const [b] = await client.query(
      sql`SELECT count(*) AS n, min(session) AS lo, max(session) AS hi FROM sessions WHERE run = ${run}`,
      BoundsRow,
    );
    return b ?? { n: 0, lo: null, hi: null };
  }

  return {
    async sessionIndex(q): Promise<SessionIndex> {
      const b = await bounds(q.run);
      const from = q.from ?? b.lo ?? 0;
      const to = q.to ?? b.hi ?? 0;
      if (b.n === 0 || to < from) {
        return { run: q.run, from, to, runFrom: b.lo, runTo: b.hi, binWidth: 1, sessions: 0, cells: [] };
      }
      const width = Math.max(1, Math.ceil((to - from + 1) / Math.max(1, q.maxCells)));
      const rows = await client.query(
        sql`WITH s AS (
                SELECT session, classification, category, coalesce(adjusted_reward, baseline_reward) AS reward,
                       (session - ${from}) // ${width} AS cell
                FROM sessions WHERE run = ${q.run} AND session BETWEEN ${from} AND ${to}),
              e AS (SELECT session, count(*) AS n FROM events
                    WHERE run = ${q.run} AND session BETWEEN ${from} AND ${to} GROUP BY session),
              a AS (SELECT session, count(*) AS n FROM annotations
                    WHERE run = ${q.run} AND session BETWEEN ${from} AND ${to} GROUP BY session)
            SELECT cell, count(*) AS sessions,
                   count(*) FILTER (WHERE classification = 'compliant') AS compliant,
                   count(*) FILTER (WHERE classification IS NULL) AS unclassified,
                   avg(reward) AS reward, sum(e.n) AS events, sum(a.n) AS annotations,
                   CAST(to_json(histogram(coalesce(category, '?')) FILTER (WHERE classification = 'non_compliant'))
                        AS VARCHAR) AS categories
            FROM s LEFT JOIN e USING (session) LEFT JOIN a USING (session)
            GROUP BY cell ORDER BY cell`,
        IndexRow,
      );
      return sessionIndexOf(q.run, b, { from, to, width }, rows);
    },

    async review(q: ReviewQuery): Promise<ReviewPage> {
      const where = sql`s.run = ${q.run} AND s.session BETWEEN ${q.from} AND ${q.to} ${classFilter(q.classOf)}
        ${q.contains ? sql`AND contains(lower(s.output), lower(${q.contains}))` : empty}`;
      const [c] = await client.query(sql`SELECT count(*) AS n FROM sessions s WHERE ${where}`, CountRow);
      const order = REVIEW_ORDER[q.sort];
      const dir = q.descending ? sql`DESC` : sql`ASC`;
      const rows = await client.query(
        sql`SELECT s.session, s.step, s.classification, s.category, s.baseline_reward, s.adjusted_reward,
                s.differential_pct, s.compliance_trajectory_index,
                coalesce(a.n, 0) AS annotations, coalesce(e.n, 0) AS events,
                left(s.output, ${q.outputChars}) AS output_start, length(s.output) AS output_length
              FROM sessions s
              LEFT JOIN (SELECT session, count(*) AS n FROM annotations WHERE run = ${q.run}
                           AND session BETWEEN ${q.from} AND ${q.to} GROUP BY session) a USING (session)
              LEFT JOIN (SELECT session, count(*) AS n FROM events WHERE run = ${q.run}
                           AND session BETWEEN ${q.from} AND ${q.to} GROUP BY session) e USING (session)
              WHERE ${where}
              ORDER BY ${order} ${dir} NULLS LAST, s.session
              LIMIT ${q.limit} OFFSET ${q.offset}`,
        ReviewRowDecoder,
      );
      return {
        total: c?.n ?? 0,
        offset: q.offset,
        rows: rows.map(reviewRowOf),
      };
    },

    async series(q): Promise<RunSeries> {
      const b = await bounds(q.run);
      const maxPoints = Math.max(1, q.maxPoints);
      let window: number | null = null;
      let key: SqlFragment;
      if (q.by === 'session') {
        // windows of consecutive sessions in session order, never more than maxPoints of them
        // by default about 50 windows, at most 500 sessions each (the audit's window on a run like WILD-7)
        const wanted = q.window ?? Math.min(500, Math.max(1, Math.ceil(b.n / 50)));
        window = Math.max(wanted, Math.ceil(b.n / maxPoints), 1);
        key = sql`(row_number() OVER (ORDER BY session) - 1) // ${window}`;
      } else {
        const [st] = await client.query(
          sql`SELECT count(DISTINCT step) AS n FROM sessions WHERE run = ${q.run}`,
          CountRow,
        );
        const perPoint = Math.max(1, Math.ceil((st?.n ?? 0) / maxPoints));
        key = sql`dense_rank() OVER (ORDER BY step) // ${perPoint}`;
      }
      const rows = await client.query(
        sql`WITH s AS (SELECT session, step, classification, category, baseline_reward, adjusted_reward, ${key} AS k
                       FROM sessions WHERE run = ${q.run} ${q.by === 'step' ? sql`AND step IS NOT NULL` : empty})
            SELECT ${q.by === 'step' ? sql`min(step)` : sql`min(session)`} AS x,
                   min(session) AS "from", max(session) AS "to", count(*) AS sessions,
                   avg(baseline_reward) AS baseline, avg(adjusted_reward) AS adjusted,
                   count(*) FILTER (WHERE classification = 'non_compliant') AS non_compliant,
                   count(classification) AS classified,
                   CAST(to_json(histogram(coalesce(category, '?')) FILTER (WHERE classification = 'non_compliant'))
                        AS VARCHAR) AS categories
            FROM s GROUP BY k ORDER BY k`,
        SeriesRow,
      );
      return {
        run: q.run,
        by: q.by,
        window,
        points: rows.map((r) =>
          seriesPointOf({
            x: r.x,
            from: r.from,
            to: r.to,
            sessions: r.sessions,
            baselineReward: r.baseline,
            adjustedReward: r.adjusted,
            classified: r.classified,
            nonCompliant: r.non_compliant,
            categories: r.categories,
          }),
        ),
      };
    },

    async events(q): Promise<RunEventMark[]> {
      const rows = await client.query(
        sql`SELECT e.id, e.session, s.step, e.kind, e.parameter, CAST(e.target AS VARCHAR) AS target,
                e.from_value, e.to_value, e.note
              FROM events e LEFT JOIN sessions s ON s.run = e.run AND s.session = e.session
              WHERE e.run = ${q.run} ORDER BY e.session, e.id LIMIT ${q.limit}`,
        EventRowDecoder,
      );
      return rows.map(runEventMarkOf);
    },

    async samePrompt(q): Promise<SamePrompt> {
      const [k] = await client.query(
        sql`SELECT prompt_id, prompt FROM sessions WHERE run = ${q.run} AND session = ${q.session}`,
        PromptKeyRow,
      );
      if (!k || (k.prompt_id === null && k.prompt === null)) return { by: 'none', total: 0, rows: [] };
      const by = k.prompt_id !== null ? 'prompt_id' : 'prompt';
      const match = k.prompt_id !== null ? sql`prompt_id = ${k.prompt_id}` : sql`prompt = ${k.prompt}`;
      const limit = Math.max(1, q.limit);
      const rows = await client.query(
        sql`WITH m AS (
                SELECT session, step, classification, category, coalesce(adjusted_reward, baseline_reward) AS reward,
                       left(output, ${q.outputChars}) AS output_start, length(output) AS output_length,
                       row_number() OVER (ORDER BY session) - 1 AS rn, count(*) OVER () AS total
                FROM sessions WHERE run = ${q.run} AND session <> ${q.session} AND ${match})
            SELECT session, step, classification, category, reward, output_start, output_length, total FROM m
            -- an even spread over training: every ⌈total / limit⌉-th of them
            WHERE rn % CAST(ceil(total / ${limit}) AS BIGINT) = 0
            ORDER BY session LIMIT ${limit}`,
        SamePromptRowDecoder,
      );
      return {
        by,
        total: rows[0]?.total ?? 0,
        rows: rows.map(samePromptRowOf),
      };
    },

    async search(q: SearchQuery): Promise<SearchResult> {
      let pattern: string;
      if (q.regex !== undefined) {
        pattern = `(?i)${q.regex}`;
        await checkRe2(client, pattern, q.regex, { field: 'regex' });
      } else {
        pattern = phrasePatternRe2(q.phrase ?? '');
      }
      const window = Math.max(1, q.window);
      const outputs = q.field === 'output';
      // which sessions hit, and how many hits each (annotations: matching annotations; outputs: 1)
      const hitsCte = outputs
        ? sql`SELECT s.session, 1 AS n FROM sessions s
                WHERE s.run = ${q.run} AND regexp_matches(${NORMALISED_OUTPUT}, ${pattern})`
        : sql`SELECT a.session, count(*) AS n FROM annotations a
                WHERE a.run = ${q.run} AND regexp_matches(${NORMALISED_TEXT}, ${pattern}) GROUP BY a.session`;
      const timeline = await client.query(
        sql`WITH h AS (${hitsCte}),
              s AS (SELECT session, (row_number() OVER (ORDER BY session) - 1) // ${window} AS w
                    FROM sessions WHERE run = ${q.run})
            SELECT min(s.session) AS "from", count(*) AS sessions, sum(h.n) AS hits,
                   count(h.session) AS hit_sessions
            FROM s LEFT JOIN h USING (session) GROUP BY w ORDER BY w`,
        TimelineRow,
      );
      const hits = await client.query(
        outputs
          ? sql`WITH m AS (SELECT s.session, s.step, s.classification, s.category, ${NORMALISED_OUTPUT} AS t
                           FROM sessions s WHERE s.run = ${q.run}
                             AND regexp_matches(${NORMALISED_OUTPUT}, ${pattern}))
                SELECT session, step, classification, category,
                       -- the text around the first match
                       substr(t, greatest(1, strpos(t, regexp_extract(t, ${pattern}, 0)) - 60), ${q.outputChars}) AS text,
                       length(t) AS text_length, NULL AS annotation
                FROM m ORDER BY session LIMIT ${q.limit} OFFSET ${q.offset}`
          : sql`SELECT a.session, s.step, s.classification, s.category, left(a.text, ${q.outputChars}) AS text,
                       length(a.text) AS text_length, a.id AS annotation
                FROM annotations a LEFT JOIN sessions s ON s.run = a.run AND s.session = a.session
                WHERE a.run = ${q.run} AND regexp_matches(${NORMALISED_TEXT}, ${pattern})
                ORDER BY a.session, a.id LIMIT ${q.limit} OFFSET ${q.offset}`,
        HitRow,
      );
      return {
        sessions: timeline.reduce((n, t) => n + t.hit_sessions, 0),
        total: timeline.reduce((n, t) => n + t.hits, 0),
        timeline: timeline.map((t) => ({ from: t.from, sessions: t.sessions, hits: t.hit_sessions })),
        offset: q.offset,
        hits: hits.map((h) => ({
          session: h.session,
          step: h.step,
          classification: h.classification,
          category: h.category,
          text: h.text,
          textLength: h.text_length,
          annotation: h.annotation,
        })),
      };
    },

    async lastAudit(run: string) {
      const [r] = await client.query(
        sql`SELECT audit_id, template, finished_at FROM audits WHERE run = ${run} AND status = 'complete'
              ORDER BY audit_id DESC LIMIT 1`,
        AuditRow,
      );
      return r ? { auditId: r.audit_id, template: r.template, finishedAt: r.finished_at } : null;
    },

    async hasSteps(run: string): Promise<boolean> {
      const [r] = await client.query(
        sql`SELECT count(*) AS n FROM (SELECT 1 FROM sessions WHERE run = ${run} AND step IS NOT NULL LIMIT 1)`,
        CountRow,
      );
      return (r?.n ?? 0) > 0;
    },

    async runOverview(run: string): Promise<RunOverview | null> {
      const [r] = await client.query(
        sql`SELECT r.model, CASE WHEN r.has_record THEN r.description END AS description,
                   s.n AS sessions, s.lo AS first_session, s.hi AS last_session, s.steps,
                   (SELECT count(*) FROM events WHERE run = ${run}) AS events,
                   (SELECT count(*) FROM annotations WHERE run = ${run}) AS annotations,
                   (SELECT count(*) FROM rejects WHERE run = ${run}) AS rejects
            FROM runs r,
                 (SELECT count(*) AS n, min(session) AS lo, max(session) AS hi, count(DISTINCT step) AS steps
                  FROM sessions WHERE run = ${run}) s
            WHERE r.run = ${run}`,
        RunOverviewRow,
      );
      if (!r) return null;
      return {
        run,
        model: r.model,
        description: r.description,
        sessions: r.sessions,
        firstSession: r.first_session,
        lastSession: r.last_session,
        steps: r.steps,
        events: r.events,
        annotations: r.annotations,
        rejects: r.rejects,
      };
    },

    async auditHeadline(auditId: number): Promise<AuditHeadline | null> {
      // each path extracted once: a filter over the findings would parse the report once per finding
      const [r] = await client.query(
        sql`SELECT CAST(json_extract(report, '$.headline') AS VARCHAR) AS headline,
                   CAST(json_extract(report, '$.parameters.window') AS VARCHAR) AS win,
                   CAST(json_extract(report, '$.sections[*].findings[*]') AS VARCHAR) AS findings
            FROM audits WHERE audit_id = ${auditId} AND report IS NOT NULL`,
        HeadlineRow,
      );
      if (!r || !Array.isArray(r.headline)) return null;
      const all = new Map(
        (Array.isArray(r.findings) ? (r.findings as Finding[]) : []).map((f) => [f.id, f] as const),
      );
      const findings = (r.headline as unknown[])
        .map((id) => all.get(String(id)))
        .filter((f): f is Finding => f !== undefined);
      return { findings, window: r.win ?? null };
    },

    async runSteps(run: string): Promise<number> {
      const [r] = await client.query(
        sql`SELECT count(DISTINCT step) AS n FROM sessions WHERE run = ${run}`,
        CountRow,
      );
      return r?.n ?? 0;
    },
  };
}
