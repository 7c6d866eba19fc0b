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
import { empty, list, type SqlFragment, sql } from '../sql/sql.ts';
import type { ClickHouseClient } from './clickhouse-client.ts';
import { float, int, nullableInt, nullableText, text } from './decode.ts';
import { leftChars } from './scans/scan-sql.ts';
import { checkRe2 } from './scans/target-pattern.ts';
import { clickHouseLower, clickHouseNormalise, re2Pattern } from './text-sql.ts';

/**
 * The dashboard's reads (src/store/dashboard-reads.ts) over the ClickHouse store, with the answers of the
 * DuckDB store's (src/store/duckdb/duckdb-dashboard.ts), JSON for JSON
 * (test/store/clickhouse/dashboard-conformance.test.ts). ClickHouse 18.16 has no window functions and no
 * JSON functions, so:
 *
 * - what DuckDB numbers with `row_number()` / `dense_rank()` is built from one sorted `groupArray`: the
 *   windows of consecutive sessions (series, search timeline) by `ARRAY JOIN`ing the sorted session numbers
 *   with their positions and joining that to the rows by session; the by-step points by cutting the sorted
 *   distinct steps into at most `maxPoints` starts (filtered in the engine), a row's point being how many
 *   starts are ≤ its step (`arrayCount` over that literal array);
 * - what DuckDB joins (events and annotations per session, the step of an event's session) is a second small
 *   query over the sessions of one page, or a `GLOBAL` subquery, so it is right on a cluster of shards;
 * - per-category counts are a second `GROUP BY` of (cell, category), not DuckDB's `histogram`;
 * - `countIf` of a Nullable condition is NULL over a bin where it is NULL on every row (18.16's Null
 *   combinator, measured: a bin of unclassified sessions): conditions are made non-Nullable first;
 * - 18.16 drops a subquery's column that only a lambda reads ("Unknown identifier"): such a column is also
 *   named outside the lambda;
 * - every read of a record table is `FINAL` (exact before the replacing merges, as the rest of the store);
 * - a stored report's headline is taken from the report read whole (18.16 cannot extract a JSON path): once
 *   per audit, as the app keeps it (src/server/dashboard/app.ts).
 */

const CountRow = rowDecoder('chDashboardCount', z.object({ n: int }));
const BoundsRow = rowDecoder('chDashboardBounds', z.object({ n: int, lo: int, hi: int }));
const CutsRow = rowDecoder('chDashboardCuts', z.object({ cuts: z.array(int) }));
const CellRow = rowDecoder(
  'chDashboardSessionIndex',
  z.object({
    cell: int,
    sessions: int,
    compliant: int,
    unclassified: int,
    rewarded: int,
    mean_reward: float.nullable(),
  }),
);
const CellCountRow = rowDecoder('chDashboardCellCounts', z.object({ cell: int, n: int }));
const CellCategoryRow = rowDecoder('chDashboardCellCategories', z.object({ cell: int, cat: text, n: int }));
const ReviewKeyRow = rowDecoder(
  'chDashboardReview',
  z.object({
    session: int,
    step: nullableInt,
    classification: nullableText,
    category: nullableText,
    baseline_reward: float.nullable(),
    adjusted_reward: float.nullable(),
    differential_pct: float.nullable(),
    compliance_trajectory_index: float.nullable(),
    n_annotations: int,
    n_events: int,
  }),
);
const TextRow = rowDecoder(
  'chDashboardTexts',
  z.object({ session: int, output_start: text, output_length: int }),
);
const SeriesRow = rowDecoder(
  'chDashboardSeries',
  z.object({
    k: int,
    x: int,
    lo: int,
    hi: int,
    sessions: int,
    n_baseline: int,
    baseline: float.nullable(),
    n_adjusted: int,
    adjusted: float.nullable(),
    non_compliant: int,
    classified: int,
  }),
);
const EventRow = rowDecoder(
  'chDashboardEvents',
  z.object({
    id: text,
    session: int,
    kind: text,
    parameter: nullableText,
    target: nullableText,
    from_value: float.nullable(),
    to_value: float.nullable(),
    note: nullableText,
  }),
);
const StepOfRow = rowDecoder('chDashboardSteps', z.object({ session: int, step: nullableInt }));
const PromptKeyRow = rowDecoder(
  'chDashboardPromptKey',
  z.object({ prompt_id: nullableText, prompt: nullableText }),
);
const PickRow = rowDecoder('chDashboardSamePromptPick', z.object({ total: int, picked: z.array(int) }));
const SamePromptRowDecoder = rowDecoder(
  'chDashboardSamePrompt',
  z.object({
    session: int,
    step: nullableInt,
    classification: nullableText,
    category: nullableText,
    reward: float.nullable(),
    output_start: text,
    output_length: int,
  }),
);
const WindowRow = rowDecoder(
  'chDashboardSearchWindows',
  z.object({ w: int, lo: int, sessions: int, hits: int, hit_sessions: int }),
);
const HitRow = rowDecoder(
  'chDashboardSearchHits',
  z.object({ session: int, text: text, text_length: int, annotation: nullableText }),
);
const HitSessionRow = rowDecoder(
  'chDashboardSearchHitSessions',
  z.object({
    session: int,
    step: nullableInt,
    classification: nullableText,
    category: nullableText,
  }),
);
const AuditRow = rowDecoder(
  'chDashboardLastAudit',
  z.object({ audit_id: int, template: text, finished_at: nullableInt }),
);
const OverviewRow = rowDecoder(
  'chDashboardRunOverview',
  z.object({ model: nullableText, description: nullableText, has_record: int }),
);
const SessionSummaryRow = rowDecoder(
  'chDashboardSessionSummary',
  z.object({ n: int, lo: int, hi: int, steps: int }),
);
const ReportRow = rowDecoder('chDashboardReport', z.object({ report: nullableText }));

/** ORDER BY of each sortable review column (constants: no user text reaches the SQL). */
const REVIEW_ORDER: Readonly<Record<ReviewSortKey, SqlFragment>> = {
  session: sql`session`,
  step: sql`step`,
  baselineReward: sql`baseline_reward`,
  adjustedReward: sql`adjusted_reward`,
  differentialPct: sql`differential_pct`,
  complianceTrajectoryIndex: sql`compliance_trajectory_index`,
  annotations: sql`n_annotations`,
};

/** The class filter of the cluster review: `compliant`, `unclassified`, or a raw category. */
function classFilter(classOf: string | undefined): SqlFragment {
  if (classOf === undefined) return empty;
  if (classOf === 'compliant') return sql`AND classification = 'compliant'`;
  if (classOf === 'unclassified') return sql`AND classification IS NULL`;
  return sql`AND classification = 'non_compliant' AND ifNull(category, '?') = ${classOf}`;
}

/**
 * DuckDB `lower()` lowers to an ASCII character only ASCII letters and two others: U+0130 (İ → i) and U+212A
 * (Kelvin sign → k); 18.16's `lowerUTF8` never changes a character's UTF-8 length. So an output without
 * either contains an ASCII text under DuckDB's `lower()` exactly when it contains it ASCII-case-insensitively.
 */
const ASCII_LOWER_SOURCES = String.raw`[\x{130}\x{212A}]`;

/**
 * The sessions of the cluster review: `where`, and the output containing `contains` case-insensitively as
 * DuckDB's `contains(lower(output), lower(x))`. Lowering every output as DuckDB does (`clickHouseLower`) is
 * the costly part of the read (5 s on 100,000 sessions, measured), so for an ASCII text an inner query first
 * keeps the outputs that contain it ASCII-case-insensitively or hold one of {@link ASCII_LOWER_SOURCES}, and
 * the exact test runs on those only (18.16's `AND` evaluates both sides on every row: the inner query is
 * what spares the rest).
 */
function reviewRows(run: string, where: SqlFragment, contains: string | undefined): SqlFragment {
  if (!contains) return sessionsOf(run, where);
  const exact = sql`position(${clickHouseLower(sql`output`)}, ${clickHouseLower(sql`${contains}`)}) > 0`;
  if (!/^[\x00-\x7f]*$/.test(contains)) return sessionsOf(run, sql`${where} AND ${exact}`);
  const cheap = sql`(positionCaseInsensitive(output, ${contains}) > 0 OR match(output, ${ASCII_LOWER_SOURCES}))`;
  return sql`(SELECT * FROM ${sessionsOf(run, sql`${where} AND ${cheap}`)} WHERE ${exact})`;
}

/** The run's sessions (FINAL: one row per key before merges). */
const sessionsOf = (run: string, where: SqlFragment = empty) =>
  sql`(SELECT * FROM sessions FINAL WHERE run = ${run} ${where})`;

/** `expr` or NULL when `n` (a count) is 0 (ClickHouse's avg over no row is nan, DuckDB's NULL). */
const orNull = (n: SqlFragment, expr: SqlFragment) => sql`if(${n} = 0, NULL, ${expr})`;

/** A JSON object with its keys in code-unit order (DuckDB's `histogram` map prints its keys sorted). */
function sortedCounts(entries: Iterable<readonly [string, number]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

/** Microseconds since the epoch as ISO text, as the DuckDB store's TIMESTAMPTZ decodes. */
const isoOfMicros = (us: number | null) =>
  us === null ? null : new Date(Math.floor(us / 1000)).toISOString();

/**
 * Each session of the run with its window `k` of `size` consecutive sessions in session order (0-based), as
 * DuckDB's `(row_number() OVER (ORDER BY session) - 1) // size`: one sorted `groupArray` of the session
 * numbers, `ARRAY JOIN`ed with its positions, joined to the rows by session. (Counting, per row, the window
 * starts at or below it with `arrayCount` over a literal array took 7.9 s for 100,000 sessions, the join
 * 0.7 s — measured.)
 */
const sessionWindowMap = (run: string, size: number) =>
  sql`(SELECT s AS session, toInt64(intDiv(i - 1, ${size})) AS k
        FROM (SELECT arraySort(groupArray(session)) AS ss FROM sessions FINAL WHERE run = ${run})
        ARRAY JOIN ss AS s, arrayEnumerate(ss) AS i)`;

/** The window of `key` given the sorted window starts (0-based): how many starts are ≤ it, less one. */
const windowOf = (key: SqlFragment, starts: readonly number[]) =>
  sql`toInt64(arrayCount(c -> c <= ${key}, ${starts})) - 1`;

/** The dashboard's reads over a ClickHouse store (one server or the Distributed tables of a cluster). */
export function clickHouseDashboardReads(client: ClickHouseClient): DashboardReads {
  async function bounds(run: string): Promise<{ n: number; lo: number | null; hi: number | null }> {
    const [b] = await client.query(
      sql`SELECT count() AS n, min(session) AS lo, max(session) AS hi FROM sessions FINAL WHERE run = ${run}`,
      BoundsRow,
    );
    if (!b || b.n === 0) return { n: 0, lo: null, hi: null };
    return b;
  }

  /** Output starts and lengths (code points, as DuckDB's `left` and `length`) of some sessions. */
  async function outputStarts(
    run: string,
    sessions: readonly number[],
    chars: number,
  ): Promise<Map<number, { start: string; length: number }>> {
    const out = new Map<number, { start: string; length: number }>();
    if (sessions.length === 0) return out;
    const rows = await client.query(
      sql`SELECT session, ${leftChars(sql`output`, chars)} AS output_start, lengthUTF8(output) AS output_length
            FROM sessions FINAL WHERE run = ${run} AND session IN (${list([...sessions])})`,
      TextRow,
    );
    for (const r of rows) out.set(r.session, { start: r.output_start, length: r.output_length });
    return out;
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
      const inRange = sql`AND session >= ${from} AND session <= ${to}`;
      const cell = sql`toInt64(intDiv(session - ${from}, ${width}))`;
      // events and annotations count only at sessions that exist (DuckDB joins them to the sessions)
      const present = sql`AND session GLOBAL IN (SELECT session FROM sessions FINAL WHERE run = ${q.run} ${inRange})`;
      const [rows, events, annotations, categories] = await Promise.all([
        client.query(
          sql`SELECT ${cell} AS cell, count() AS sessions,
                  countIf(ifNull(classification, '') = 'compliant') AS compliant,
                  countIf(isNull(classification)) AS unclassified,
                  count(reward) AS rewarded, ${orNull(sql`count(reward)`, sql`avg(reward)`)} AS mean_reward
                FROM (SELECT session, classification, ifNull(adjusted_reward, baseline_reward) AS reward
                      FROM ${sessionsOf(q.run, inRange)})
                GROUP BY cell ORDER BY cell`,
          CellRow,
        ),
        client.query(
          sql`SELECT ${cell} AS cell, count() AS n FROM events FINAL
                WHERE run = ${q.run} ${inRange} ${present} GROUP BY cell`,
          CellCountRow,
        ),
        client.query(
          sql`SELECT ${cell} AS cell, count() AS n FROM annotations FINAL
                WHERE run = ${q.run} ${inRange} ${present} GROUP BY cell`,
          CellCountRow,
        ),
        client.query(
          sql`SELECT ${cell} AS cell, ifNull(category, '?') AS cat, count() AS n
                FROM ${sessionsOf(q.run, sql`${inRange} AND classification = 'non_compliant'`)}
                GROUP BY cell, cat`,
          CellCategoryRow,
        ),
      ]);
      const byCell = (rs: { cell: number; n: number }[]) => new Map(rs.map((r) => [r.cell, r.n]));
      const e = byCell(events);
      const a = byCell(annotations);
      const cats = new Map<number, [string, number][]>();
      for (const c of categories) {
        const l = cats.get(c.cell) ?? [];
        l.push([c.cat, c.n]);
        cats.set(c.cell, l);
      }
      return sessionIndexOf(
        q.run,
        b,
        { from, to, width },
        rows.map((r) => ({
          cell: r.cell,
          sessions: r.sessions,
          compliant: r.compliant,
          categories: sortedCounts(cats.get(r.cell) ?? []),
          unclassified: r.unclassified,
          reward: r.rewarded > 0 ? r.mean_reward : null,
          events: e.get(r.cell) ?? 0,
          annotations: a.get(r.cell) ?? 0,
        })),
      );
    },

    async review(q: ReviewQuery): Promise<ReviewPage> {
      const inRange = sql`AND session >= ${q.from} AND session <= ${q.to}`;
      const matching = reviewRows(q.run, sql`${inRange} ${classFilter(q.classOf)}`, q.contains);
      const [c] = await client.query(sql`SELECT count() AS n FROM ${matching}`, CountRow);
      const order = REVIEW_ORDER[q.sort];
      const dir = q.descending ? sql`DESC` : sql`ASC`;
      const perSession = (table: SqlFragment) =>
        sql`(SELECT session, count() AS n FROM ${table} FINAL WHERE run = ${q.run} ${inRange} GROUP BY session)`;
      const rows = await client.query(
        sql`SELECT session, step, classification, category, baseline_reward, adjusted_reward, differential_pct,
                compliance_trajectory_index, n_annotations, n_events
              FROM (SELECT session, step, classification, category, baseline_reward, adjusted_reward,
                           differential_pct, compliance_trajectory_index, n_annotations
                    FROM (SELECT session, step, classification, category, baseline_reward, adjusted_reward,
                                 differential_pct, compliance_trajectory_index FROM ${matching})
                    GLOBAL ANY LEFT JOIN (SELECT session, n AS n_annotations FROM ${perSession(sql`annotations`)})
                    USING session)
              GLOBAL ANY LEFT JOIN (SELECT session, n AS n_events FROM ${perSession(sql`events`)}) USING session
              ORDER BY ${order} ${dir} NULLS LAST, session
              LIMIT ${q.offset}, ${q.limit}`,
        ReviewKeyRow,
      );
      const texts = await outputStarts(
        q.run,
        rows.map((r) => r.session),
        q.outputChars,
      );
      return {
        total: c?.n ?? 0,
        offset: q.offset,
        rows: rows.map((r) => {
          const t = texts.get(r.session);
          return reviewRowOf({
            ...r,
            annotations: r.n_annotations,
            events: r.n_events,
            output_start: t?.start ?? '',
            output_length: t?.length ?? 0,
          });
        }),
      };
    },

    async series(q): Promise<RunSeries> {
      const b = await bounds(q.run);
      const maxPoints = Math.max(1, q.maxPoints);
      let window: number | null = null;
      // the rows (with the window's column), the window's expression, and a column of the key named outside
      // any lambda (18.16 drops a subquery's column that only a lambda reads: "Unknown identifier", measured)
      let from: (where: SqlFragment) => SqlFragment;
      let k: SqlFragment;
      let keyColumn: SqlFragment;
      if (q.by === 'session') {
        if (b.n === 0) return { run: q.run, by: q.by, window: Math.max(q.window ?? 1, 1), points: [] };
        // as DuckDB: windows of consecutive sessions in session order, never more than maxPoints of them
        const wanted = q.window ?? Math.min(500, Math.max(1, Math.ceil(b.n / 50)));
        const size = Math.max(wanted, Math.ceil(b.n / maxPoints), 1);
        window = size;
        from = (where) =>
          sql`${sessionsOf(q.run, where)} GLOBAL ANY INNER JOIN ${sessionWindowMap(q.run, size)} USING session`;
        k = sql`k`;
        keyColumn = sql`session`;
      } else {
        const [st] = await client.query(
          sql`SELECT uniqExactIf(assumeNotNull(step), isNotNull(step)) AS n FROM sessions FINAL WHERE run = ${q.run}`,
          CountRow,
        );
        const perPoint = Math.max(1, Math.ceil((st?.n ?? 0) / maxPoints));
        // DuckDB's key is dense_rank() // perPoint with ranks from 1: a point starts at the steps of rank
        // 1, perPoint, 2·perPoint, … (position i of the sorted distinct steps starts one when i = 1 or
        // i // perPoint differs from (i − 1) // perPoint)
        const [r] = await client.query(
          sql`SELECT arrayFilter((v, i) -> i = 1 OR intDiv(i, ${perPoint}) != intDiv(i - 1, ${perPoint}), d,
                  arrayEnumerate(d)) AS cuts
                FROM (SELECT arraySort(groupUniqArray(assumeNotNull(step))) AS d
                      FROM sessions FINAL WHERE run = ${q.run} AND isNotNull(step))`,
          CutsRow,
        );
        const starts = r?.cuts ?? [];
        if (starts.length === 0) return { run: q.run, by: q.by, window, points: [] };
        from = (where) => sessionsOf(q.run, sql`AND isNotNull(step) ${where}`);
        k = windowOf(sql`assumeNotNull(step)`, starts);
        keyColumn = sql`assumeNotNull(step)`;
      }
      const [rows, categories] = await Promise.all([
        client.query(
          sql`SELECT ${k} AS k, ${q.by === 'step' ? sql`min(assumeNotNull(step))` : sql`min(session)`} AS x,
                  min(session) AS lo, max(session) AS hi, count() AS sessions,
                  count(baseline_reward) AS n_baseline,
                  ${orNull(sql`count(baseline_reward)`, sql`avg(baseline_reward)`)} AS baseline,
                  count(adjusted_reward) AS n_adjusted,
                  ${orNull(sql`count(adjusted_reward)`, sql`avg(adjusted_reward)`)} AS adjusted,
                  countIf(ifNull(classification, '') = 'non_compliant') AS non_compliant,
                  count(classification) AS classified
                FROM ${from(empty)} GROUP BY k ORDER BY k`,
          SeriesRow,
        ),
        client.query(
          sql`SELECT ${k} AS cell, ifNull(category, '?') AS cat, count() AS n, max(${keyColumn}) AS kmax
                FROM ${from(sql`AND classification = 'non_compliant'`)}
                GROUP BY cell, cat`,
          CellCategoryRow,
        ),
      ]);
      const cats = new Map<number, [string, number][]>();
      for (const c of categories) {
        const l = cats.get(c.cell) ?? [];
        l.push([c.cat, c.n]);
        cats.set(c.cell, l);
      }
      return {
        run: q.run,
        by: q.by,
        window,
        points: rows.map((r) =>
          seriesPointOf({
            x: r.x,
            from: r.lo,
            to: r.hi,
            sessions: r.sessions,
            baselineReward: r.n_baseline > 0 ? r.baseline : null,
            adjustedReward: r.n_adjusted > 0 ? r.adjusted : null,
            classified: r.classified,
            nonCompliant: r.non_compliant,
            categories: sortedCounts(cats.get(r.k) ?? []),
          }),
        ),
      };
    },

    async events(q): Promise<RunEventMark[]> {
      const rows = await client.query(
        sql`SELECT id, session, kind, parameter, target, from_value, to_value, note
              FROM events FINAL WHERE run = ${q.run} ORDER BY session, id LIMIT ${q.limit}`,
        EventRow,
      );
      const sessions = [...new Set(rows.map((r) => r.session))];
      const steps = new Map<number, number | null>();
      if (sessions.length > 0) {
        const found = await client.query(
          sql`SELECT session, step FROM sessions FINAL WHERE run = ${q.run} AND session IN (${list(sessions)})`,
          StepOfRow,
        );
        for (const s of found) steps.set(s.session, s.step);
      }
      return rows.map((r) =>
        runEventMarkOf({
          ...r,
          step: steps.get(r.session) ?? null,
          target: r.target === null ? null : (JSON.parse(r.target) as unknown),
        }),
      );
    },

    async samePrompt(q): Promise<SamePrompt> {
      const [k] = await client.query(
        sql`SELECT prompt_id, prompt FROM sessions FINAL WHERE run = ${q.run} AND session = ${q.session}`,
        PromptKeyRow,
      );
      if (!k || (k.prompt_id === null && k.prompt === null)) return { by: 'none', total: 0, rows: [] };
      const by = k.prompt_id !== null ? 'prompt_id' : 'prompt';
      const match = k.prompt_id !== null ? sql`prompt_id = ${k.prompt_id}` : sql`prompt = ${k.prompt}`;
      const limit = Math.max(1, q.limit);
      // an even spread over training: every ⌈total / limit⌉-th of them in session order (as DuckDB)
      const [p] = await client.query(
        // `every` is also selected: 18.16 drops a subquery's column that only a lambda reads (measured)
        sql`SELECT total, every,
                arraySlice(arrayFilter((v, i) -> (i - 1) % every = 0, s, arrayEnumerate(s)), 1, ${limit}) AS picked
              FROM (SELECT total, s, toUInt64(greatest(1, ceil(total / ${limit}))) AS every
                    FROM (SELECT count() AS total, arraySort(groupArray(session)) AS s
                          FROM sessions FINAL WHERE run = ${q.run} AND session != ${q.session} AND ${match}))`,
        PickRow,
      );
      const picked = p?.picked ?? [];
      if (picked.length === 0) return { by, total: 0, rows: [] };
      const rows = await client.query(
        sql`SELECT session, step, classification, category, ifNull(adjusted_reward, baseline_reward) AS reward,
                ${leftChars(sql`output`, q.outputChars)} AS output_start, lengthUTF8(output) AS output_length
              FROM sessions FINAL WHERE run = ${q.run} AND session IN (${list(picked)}) ORDER BY session`,
        SamePromptRowDecoder,
      );
      return {
        by,
        total: p?.total ?? 0,
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
      const re = re2Pattern(pattern);
      const window = Math.max(1, q.window);
      const outputs = q.field === 'output';
      const windowed = (rows: SqlFragment) =>
        sql`${rows} GLOBAL ANY INNER JOIN ${sessionWindowMap(q.run, window)} USING session`;
      const normOutput = clickHouseNormalise(sql`output`);
      const normText = clickHouseNormalise(sql`text`);
      let windows: { w: number; lo: number; sessions: number; hits: number; hit_sessions: number }[] = [];
      if (outputs) {
        windows = await client.query(
          sql`SELECT k AS w, min(session) AS lo, count() AS sessions, sum(hit) AS hits, sum(hit) AS hit_sessions
                  FROM ${windowed(sql`(SELECT session, toUInt64(match(${normOutput}, ${re})) AS hit FROM ${sessionsOf(q.run)})`)}
                  GROUP BY w ORDER BY w`,
          WindowRow,
        );
      } else {
        const [perWindow, hitRows] = await Promise.all([
          client.query(
            sql`SELECT k AS w, min(session) AS lo, count() AS sessions, toUInt64(0) AS hits,
                      toUInt64(0) AS hit_sessions
                    FROM ${windowed(sql`(SELECT session FROM sessions FINAL WHERE run = ${q.run})`)}
                    GROUP BY w ORDER BY w`,
            WindowRow,
          ),
          client.query(
            // (the join keeps only sessions that exist, as DuckDB's join of the hits to the sessions)
            sql`SELECT k AS w, toInt64(0) AS lo, toUInt64(0) AS sessions, count() AS hits,
                      uniqExact(session) AS hit_sessions
                    FROM ${windowed(sql`(SELECT session FROM annotations FINAL WHERE run = ${q.run} AND match(${normText}, ${re}))`)}
                    GROUP BY w`,
            WindowRow,
          ),
        ]);
        const hits = new Map(hitRows.map((h) => [h.w, h]));
        windows = perWindow.map((r) => ({
          ...r,
          hits: hits.get(r.w)?.hits ?? 0,
          hit_sessions: hits.get(r.w)?.hit_sessions ?? 0,
        }));
      }
      // the text around the first match: its first occurrence in the text, 60 characters before it (as DuckDB)
      const firstMatch = sql`extract(t, ${`(${re})`})`;
      const hits = await client.query(
        outputs
          ? sql`SELECT session,
                    arrayStringConcat(arraySlice(extractAll(t, '(?s).'),
                      toUInt64(greatest(1, toInt64(positionUTF8(t, ${firstMatch})) - 60)), ${q.outputChars})) AS text,
                    lengthUTF8(t) AS text_length, CAST(NULL AS Nullable(String)) AS annotation
                  FROM (SELECT session, t FROM (SELECT session, ${normOutput} AS t FROM ${sessionsOf(q.run)})
                        WHERE match(t, ${re}) ORDER BY session LIMIT ${q.offset}, ${q.limit})
                  ORDER BY session`
          : sql`SELECT session, ${leftChars(sql`body`, q.outputChars)} AS text, lengthUTF8(body) AS text_length,
                    annotation
                  FROM (SELECT session, text AS body, id AS annotation FROM annotations FINAL
                        WHERE run = ${q.run} AND match(${normText}, ${re})
                        ORDER BY session, id LIMIT ${q.offset}, ${q.limit})
                  ORDER BY session, annotation`,
        HitRow,
      );
      const hitSessions = [...new Set(hits.map((h) => h.session))];
      const info = new Map<
        number,
        { step: number | null; classification: string | null; category: string | null }
      >();
      if (hitSessions.length > 0) {
        const found = await client.query(
          sql`SELECT session, step, classification, category FROM sessions FINAL
                WHERE run = ${q.run} AND session IN (${list(hitSessions)})`,
          HitSessionRow,
        );
        for (const s of found) info.set(s.session, s);
      }
      return {
        sessions: windows.reduce((n, t) => n + t.hit_sessions, 0),
        total: windows.reduce((n, t) => n + t.hits, 0),
        timeline: windows.map((t) => ({ from: t.lo, sessions: t.sessions, hits: t.hit_sessions })),
        offset: q.offset,
        hits: hits.map((h) => {
          const s = info.get(h.session);
          return {
            session: h.session,
            step: s?.step ?? null,
            classification: s?.classification ?? null,
            category: s?.category ?? null,
            text: h.text,
            textLength: h.text_length,
            annotation: h.annotation,
          };
        }),
      };
    },

    async lastAudit(run: string) {
      const [r] = await client.query(
        sql`SELECT audit_id, template, finished_at
              FROM (SELECT audit_id, template, finished_at, status FROM audits FINAL WHERE run = ${run})
              WHERE status = 'complete' ORDER BY audit_id DESC LIMIT 1`,
        AuditRow,
      );
      return r ? { auditId: r.audit_id, template: r.template, finishedAt: isoOfMicros(r.finished_at) } : null;
    },

    async hasSteps(run: string): Promise<boolean> {
      const [r] = await client.query(
        sql`SELECT count() AS n FROM (SELECT 1 FROM sessions FINAL WHERE run = ${run} AND isNotNull(step) LIMIT 1)`,
        CountRow,
      );
      return (r?.n ?? 0) > 0;
    },

    async runOverview(run: string): Promise<RunOverview | null> {
      const count = (table: SqlFragment) => sql`SELECT count() AS n FROM ${table} FINAL WHERE run = ${run}`;
      const [[r], [s], [e], [a], [j]] = await Promise.all([
        client.query(
          sql`SELECT model, description, has_record FROM runs FINAL WHERE run = ${run} LIMIT 1`,
          OverviewRow,
        ),
        client.query(
          sql`SELECT count() AS n, min(session) AS lo, max(session) AS hi,
                  uniqExactIf(assumeNotNull(step), isNotNull(step)) AS steps
                FROM sessions FINAL WHERE run = ${run}`,
          SessionSummaryRow,
        ),
        client.query(count(sql`events`), CountRow),
        client.query(count(sql`annotations`), CountRow),
        client.query(count(sql`rejects`), CountRow),
      ]);
      if (!r) return null;
      const n = s?.n ?? 0;
      return {
        run,
        model: r.model,
        description: r.has_record ? r.description : null,
        sessions: n,
        firstSession: n > 0 ? (s?.lo ?? null) : null,
        lastSession: n > 0 ? (s?.hi ?? null) : null,
        steps: s?.steps ?? 0,
        events: e?.n ?? 0,
        annotations: a?.n ?? 0,
        rejects: j?.n ?? 0,
      };
    },

    async auditHeadline(auditId: number): Promise<AuditHeadline | null> {
      // 18.16 has no JSON path functions (visitParam* take the first key of a name at any depth): the report
      // is read whole, once per audit (the app keeps the headline), and its headline taken here
      const [r] = await client.query(
        sql`SELECT report FROM audits FINAL WHERE audit_id = ${auditId}`,
        ReportRow,
      );
      if (!r || r.report === null) return null;
      const report = JSON.parse(r.report) as {
        headline?: unknown;
        parameters?: { window?: unknown };
        sections?: { findings?: Finding[] }[];
      } | null;
      if (!report || !Array.isArray(report.headline)) return null;
      const all = new Map(
        (Array.isArray(report.sections) ? report.sections : [])
          .flatMap((s) => (Array.isArray(s?.findings) ? s.findings : []))
          .map((f) => [f.id, f] as const),
      );
      const findings = (report.headline as unknown[])
        .map((id) => all.get(String(id)))
        .filter((f): f is Finding => f !== undefined);
      return { findings, window: report.parameters?.window ?? null };
    },

    async runSteps(run: string): Promise<number> {
      const [r] = await client.query(
        sql`SELECT uniqExactIf(assumeNotNull(step), isNotNull(step)) AS n FROM sessions FINAL WHERE run = ${run}`,
        CountRow,
      );
      return r?.n ?? 0;
    },
  };
}
