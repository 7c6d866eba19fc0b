import type { WindowSpec } from '../../../model/windows.ts';
import type {
  ClassificationWindowCounts,
  DetectorConfusion,
  DetectorRuleSql,
  DetectorWindowCounts,
  SampledOutput,
  TextScans,
  TextWindowCounts,
  WindowPick,
} from '../../scans/text-scans.ts';
import { ident, join, type SqlFragment, sql } from '../../sql/sql.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { duckdbTokens } from '../tokens-sql.ts';
import { checkRe2 } from './target-pattern.ts';
import * as rows from './text-rows.ts';

/**
 * The window of a session as SQL over the `sessions` table: floor((session − 1) / W) for session windows
 * (`//` is integer division on BIGINT), the step for step windows (sessions without a step are left out).
 */
function windowSql(spec: WindowSpec): { expr: SqlFragment; where: SqlFragment } {
  if (spec.by === 'step') return { expr: sql`step`, where: sql`step IS NOT NULL` };
  if (!Number.isSafeInteger(spec.size) || spec.size < 1) {
    throw new RangeError(`window size must be a positive integer, got ${spec.size}`);
  }
  return { expr: sql`(session - 1) // ${spec.size}`, where: sql`TRUE` };
}

/**
 * The sessions of windows lo…hi (whole windows) as a condition on plain columns, which DuckDB's zone maps
 * turn into skipped row groups: a session range for session windows, a step range for step windows.
 */
function windowRange(spec: WindowSpec, lo: number, hi: number): SqlFragment {
  return spec.by === 'step'
    ? sql`step BETWEEN ${lo} AND ${hi}`
    : sql`session BETWEEN ${lo * spec.size + 1} AND ${(hi + 1) * spec.size}`;
}

/**
 * Sessions one `textWindowCounts` statement reads at most (whole windows; a larger window alone). Its
 * per-window states (`count(DISTINCT …)` over the unnested tokens, `avg(… ORDER BY session)`) cannot spill to
 * disk: over the 20,000 windows of 10M sessions in one statement they passed the 1 GB memory limit.
 */
export const TEXT_SESSIONS_PER_STATEMENT = 250_000;

/**
 * Consecutive windows in groups of at most `limit` sessions (a window of more alone), as [first, last]
 * window numbers; `sizes` in window order.
 */
export function windowBatches(sizes: readonly { w: number; n: number }[], limit: number): [number, number][] {
  const batches: [number, number][] = [];
  let total = 0;
  for (const { w, n } of sizes) {
    const last = batches.at(-1);
    if (last !== undefined && total + n <= limit) {
      last[1] = w;
      total += n;
    } else {
      batches.push([w, w]);
      total = n;
    }
  }
  return batches;
}

/** The boolean column of rule i: does it match the output. */
const ruleColumn = (i: number) => ident(`m_${i}`);

/** The `WHERE m_i` test of detector rule i; the pattern is a bound value. */
const ruleSql = (rule: DetectorRuleSql): SqlFragment =>
  sql`regexp_matches(output, ${rule.pattern}${rule.caseSensitive ? sql`` : sql`, 'i'`})`;

/**
 * A subquery over the run's sessions with `columns`, one boolean `m_i` per rule and `matched` (any rule);
 * each pattern is evaluated once per row.
 */
function matchedSessions(
  run: string,
  rules: readonly DetectorRuleSql[],
  columns: SqlFragment,
  where: SqlFragment,
): SqlFragment {
  const cols = rules.map((r, i) => sql`, ${ruleSql(r)} AS ${ruleColumn(i)}`);
  const any =
    rules.length === 0
      ? sql`FALSE`
      : join(
          rules.map((_, i) => ruleColumn(i)),
          ' OR ',
        );
  return sql`(SELECT *, (${any}) AS matched FROM (SELECT ${columns}${join(cols, '')} FROM training_sessions WHERE run = ${run} AND ${where}))`;
}

/**
 * Every rule's pattern compiled in the engine first: a detector file's pattern that JavaScript accepts and
 * RE2 does not (`x{1001}`) is an input error naming the rule, not a failed scan.
 */
async function checkRules(client: DuckDbClient, rules: readonly DetectorRuleSql[]): Promise<void> {
  for (const [i, r] of rules.entries()) {
    await checkRe2(client, r.pattern, r.pattern, { field: `rules.${i}.pattern`, label: `rule '${r.id}'` });
  }
}

/** A LIST of counts, one per condition (an empty typed list when there is none). */
function countList(conditions: readonly SqlFragment[]): SqlFragment {
  if (conditions.length === 0) return sql`[]::BIGINT[]`;
  return sql`[${join(conditions.map((c) => sql`count(*) FILTER (WHERE ${c})`))}]`;
}

/** Per-window token figures (`TextScans.textWindowCounts`), the windows read `perStatement` sessions at a time. */
export async function textWindowCountsScan(
  client: DuckDbClient,
  run: string,
  window: WindowSpec,
  perStatement = TEXT_SESSIONS_PER_STATEMENT,
): Promise<TextWindowCounts[]> {
  const w = windowSql(window);
  // The windows in batches of at most `perStatement` sessions, one statement each (never a window split,
  // so each window's figures are those of one statement over all its sessions): the per-window states
  // below cannot spill, and over the 20,000 windows of 10M sessions at once they failed at the 1 GB
  // limit (so did the distinct counts as spilling GROUP BYs: the ordered means alone still did not fit).
  // A batch reads only its sessions (zone maps); the window sizes first cost one read of the session
  // numbers. At 1M sessions the same figures, peak RSS 449 MiB against 630 MiB in one statement; at 10M
  // 1,730 s at load 17–24, every window equal to ClickHouse's (docs/benchmarks.md "textWindowCounts at 10M
  // sessions").
  const sizes = await client.query(
    sql`SELECT ${w.expr} AS w, count(*) AS n FROM training_sessions WHERE run = ${run} AND ${w.where}
              GROUP BY w ORDER BY w`,
    rows.WindowSizeRow,
  );
  const found = [];
  for (const [lo, hi] of windowBatches(sizes, perStatement)) {
    found.push(
      ...(await client.query(
        sql`WITH tok AS (
                SELECT ${w.expr} AS w, session, ${duckdbTokens(sql`output`)} AS t
                FROM training_sessions WHERE run = ${run} AND ${w.where} AND ${windowRange(window, lo, hi)}),
              per AS (
                SELECT w, session, t, len(t) AS nt,
                  CASE WHEN len(t) = 0 THEN 0 ELSE list_unique(t) / len(t) END AS r1,
                  CASE WHEN len(t) = 0 THEN 0 ELSE list_unique(list_zip(t[:-2], t[2:])) / len(t) END AS r2
                FROM tok),
              u AS (
                SELECT w, session, nt, r1, r2, unnest(range(greatest(nt, 1))) AS k, unnest(t) AS a, unnest(t[2:]) AS b
                FROM per)
              SELECT w, count(*) FILTER (WHERE k = 0) AS sessions, min(session) AS first, max(session) AS last,
                count(*) FILTER (WHERE k = 0 AND nt = 0) AS empty, sum(nt) FILTER (WHERE k = 0) AS tokens,
                sum(greatest(nt - 1, 0)) FILTER (WHERE k = 0) AS bigrams,
                -- summed in session order: a parallel avg adds in any order, and its last bits vary run to run
                avg(r1 ORDER BY session) FILTER (WHERE k = 0) AS d1,
                avg(r2 ORDER BY session) FILTER (WHERE k = 0) AS d2,
                count(DISTINCT a) AS unique_tokens,
                count(DISTINCT CASE WHEN b IS NOT NULL THEN {'a': a, 'b': b} END) AS unique_bigrams
              FROM u GROUP BY w ORDER BY w`,
        rows.TextWindowRow,
      )),
    );
  }
  return found.map((r) => ({
    window: r.w,
    from: r.first,
    to: r.last,
    sessions: r.sessions,
    emptyOutputs: r.empty,
    totalTokens: r.tokens,
    uniqueTokens: r.unique_tokens,
    totalBigrams: r.bigrams,
    uniqueBigrams: r.unique_bigrams,
    distinct1PerOutput: r.d1,
    distinct2PerOutput: r.d2,
  }));
}

export function textScans(client: DuckDbClient): TextScans {
  return {
    textWindowCounts: (run, window) => textWindowCountsScan(client, run, window),

    async sampleOutputs(
      run: string,
      window: WindowSpec,
      picks: readonly WindowPick[],
    ): Promise<SampledOutput[]> {
      const pairs = picks.flatMap((p) => p.ranks.map((rank) => [p.window, rank]));
      if (pairs.length === 0) return [];
      const w = windowSql(window);
      // Only the sessions of the picked windows are read (whole windows, so ranks are unchanged): the
      // analyses ask for consecutive windows in batches, and DuckDB's zone maps skip the rest of the run.
      const lo = Math.min(...picks.map((p) => p.window));
      const hi = Math.max(...picks.map((p) => p.window));
      const range = windowRange(window, lo, hi);
      // The picks travel as one bound JSON text, parsed in the engine into (window, rank) pairs.
      const found = await client.query(
        sql`WITH picks AS (
                SELECT p[1] AS w, p[2] AS rank
                FROM (SELECT unnest(from_json(${JSON.stringify(pairs)}, '[["BIGINT"]]')) AS p)),
              ranked AS (
                SELECT w, session, output, row_number() OVER (PARTITION BY w ORDER BY session) - 1 AS rank
                FROM (SELECT ${w.expr} AS w, session, output FROM training_sessions
                      WHERE run = ${run} AND ${w.where} AND ${range})
                WHERE w IN (SELECT DISTINCT w FROM picks))
              SELECT r.w, r.rank, r.session, r.output FROM ranked r JOIN picks p USING (w, rank)
              ORDER BY r.w, r.rank`,
        rows.SampledOutputRow,
      );
      return found.map((r) => ({ window: r.w, rank: r.rank, session: r.session, output: r.output }));
    },

    async classificationWindowCounts(run: string, window: WindowSpec): Promise<ClassificationWindowCounts[]> {
      const w = windowSql(window);
      const found = await client.query(
        sql`WITH s AS (
                SELECT ${w.expr} AS w, session, classification,
                  CASE WHEN classification = 'non_compliant' THEN category END AS category
                FROM training_sessions WHERE run = ${run} AND ${w.where}),
              totals AS (
                SELECT w, count(*) AS sessions, min(session) AS first, max(session) AS last,
                  count(classification) AS classified,
                  count(*) FILTER (WHERE classification = 'non_compliant') AS non_compliant,
                  (list(session ORDER BY session) FILTER (WHERE classification = 'non_compliant'))[1:5]
                    AS evidence
                FROM s GROUP BY w),
              cats AS (
                SELECT w, list({'category': category, 'count': n} ORDER BY category NULLS LAST) AS by_category
                FROM (SELECT w, category, count(*) AS n FROM s WHERE classification = 'non_compliant'
                      GROUP BY w, category)
                GROUP BY w)
              SELECT t.*, c.by_category FROM totals t LEFT JOIN cats c USING (w) ORDER BY w`,
        rows.ClassificationWindowRow,
      );
      return found.map((r) => ({
        window: r.w,
        from: r.first,
        to: r.last,
        sessions: r.sessions,
        classified: r.classified,
        nonCompliant: r.non_compliant,
        byCategory: r.by_category,
        evidence: r.evidence,
      }));
    },

    async detectorWindowCounts(
      run: string,
      window: WindowSpec,
      rules: readonly DetectorRuleSql[],
      evidence = 5,
    ): Promise<DetectorWindowCounts[]> {
      const w = windowSql(window);
      await checkRules(client, rules);
      const categories = [...new Set(rules.map((r) => r.category))];
      const perRule = rules.map((_, i) => ruleColumn(i));
      const perCategory = categories.map((c) =>
        join(
          rules.flatMap((r, i) => (r.category === c ? [ruleColumn(i)] : [])),
          ' OR ',
        ),
      );
      const found = await client.query(
        sql`SELECT w, count(*) AS sessions, min(session) AS first, max(session) AS last,
                count(*) FILTER (WHERE matched) AS matched,
                (list(session ORDER BY session) FILTER (WHERE matched))[1:${Math.max(0, Math.floor(evidence))}] AS evidence,
                ${countList(perRule)} AS by_rule, ${countList(perCategory)} AS by_category
              FROM ${matchedSessions(run, rules, sql`${w.expr} AS w, session`, w.where)}
              GROUP BY w ORDER BY w`,
        rows.DetectorWindowRow,
      );
      return found.map((r) => ({
        window: r.w,
        from: r.first,
        to: r.last,
        sessions: r.sessions,
        matched: r.matched,
        byRule: r.by_rule,
        byCategory: categories.map((category, k) => ({ category, count: r.by_category[k] ?? 0 })),
        evidence: r.evidence,
      }));
    },

    async detectorConfusion(run: string, rules: readonly DetectorRuleSql[]): Promise<DetectorConfusion> {
      await checkRules(client, rules);
      const byBehaviour = await client.query(
        sql`SELECT behaviour, count(*) AS sessions, count(*) FILTER (WHERE matched) AS matched
              FROM ${matchedSessions(run, rules, sql`json_extract_string(meta, '$.true_behaviour') AS behaviour`, sql`TRUE`)}
              WHERE behaviour IS NOT NULL GROUP BY behaviour ORDER BY behaviour`,
        rows.DetectorConfusionRow,
      );
      const sum = (pred: (b: string) => boolean, f: (x: (typeof byBehaviour)[number]) => number) =>
        byBehaviour.filter((b) => pred(b.behaviour)).reduce((a, b) => a + f(b), 0);
      const positive = (b: string) => b !== 'compliant';
      return {
        truePositives: sum(positive, (b) => b.matched),
        falseNegatives: sum(positive, (b) => b.sessions - b.matched),
        falsePositives: sum(
          (b) => !positive(b),
          (b) => b.matched,
        ),
        trueNegatives: sum(
          (b) => !positive(b),
          (b) => b.sessions - b.matched,
        ),
        byBehaviour,
      };
    },
  };
}
