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
import type { DuckDbClient } from '../duckdb-client.ts';
import { duckdbTokensSql } from '../tokens-sql.ts';

type Row = Record<string, unknown>;

/** DuckDB returns BIGINT as bigint, aggregates of doubles as number, empty aggregates as null. */
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * The window of a session as SQL over the `sessions` table: floor((session − 1) / W) for session windows
 * (`//` is integer division on BIGINT), the step for step windows (sessions without a step are left out).
 */
function windowSql(spec: WindowSpec): { expr: string; where: string; params: Record<string, unknown> } {
  if (spec.by === 'step') return { expr: 'step', where: 'step IS NOT NULL', params: {} };
  if (!Number.isSafeInteger(spec.size) || spec.size < 1) {
    throw new RangeError(`window size must be a positive integer, got ${spec.size}`);
  }
  return { expr: '(session - 1) // $size', where: 'TRUE', params: { size: spec.size } };
}

/** The `WHERE m_i` test of detector rule i; the pattern is the bound parameter `$rule_i`. */
const ruleSql = (rule: DetectorRuleSql, i: number): string =>
  `regexp_matches(output, $rule_${i}${rule.caseSensitive ? '' : ", 'i'"})`;

function ruleParams(rules: readonly DetectorRuleSql[]): Record<string, unknown> {
  return Object.fromEntries(rules.map((r, i) => [`rule_${i}`, r.pattern]));
}

/**
 * A subquery over the run's sessions with `columns`, one boolean `m_i` per rule and `matched` (any rule);
 * each pattern is evaluated once per row.
 */
function matchedSessions(rules: readonly DetectorRuleSql[], columns: string, where: string): string {
  const cols = rules.map((r, i) => `, ${ruleSql(r, i)} AS m_${i}`).join('');
  const any = rules.length === 0 ? 'FALSE' : rules.map((_, i) => `m_${i}`).join(' OR ');
  return `(SELECT *, (${any}) AS matched FROM (SELECT ${columns}${cols} FROM sessions WHERE run = $run AND ${where}))`;
}

export function textScans(client: DuckDbClient): TextScans {
  return {
    async textWindowCounts(run: string, window: WindowSpec): Promise<TextWindowCounts[]> {
      const w = windowSql(window);
      // Bigrams are built per output (list positions i, i+1), so none crosses an output boundary; a space
      // joins the pair because no token can contain one.
      const rows = await client.query<Row>({
        sql: `WITH tok AS (
                SELECT ${w.expr} AS w, session, ${duckdbTokensSql('output')} AS t
                FROM sessions WHERE run = $run AND ${w.where}),
              per AS (
                SELECT w, session, t, len(t) AS nt,
                  list_transform(range(1, len(t)), lambda i: t[i] || ' ' || t[i + 1]) AS b
                FROM tok),
              outputs AS (
                SELECT w, count(*) AS sessions, min(session) AS first, max(session) AS last,
                  count(*) FILTER (WHERE nt = 0) AS empty, sum(nt) AS tokens, sum(len(b)) AS bigrams,
                  avg(CASE WHEN nt = 0 THEN 0 ELSE len(list_distinct(t)) / nt END) AS d1,
                  avg(CASE WHEN nt = 0 THEN 0 ELSE len(list_distinct(b)) / nt END) AS d2
                FROM per GROUP BY w),
              grams AS (
                SELECT w, count(DISTINCT tok) AS unique_tokens, count(DISTINCT bg) AS unique_bigrams
                FROM (SELECT w, unnest(t) AS tok, unnest(b) AS bg FROM per) GROUP BY w)
              SELECT o.*, g.unique_tokens, g.unique_bigrams
              FROM outputs o LEFT JOIN grams g USING (w) ORDER BY w`,
        params: { run, ...w.params },
      });
      return rows.map((r) => ({
        window: num(r.w),
        from: num(r.first),
        to: num(r.last),
        sessions: num(r.sessions),
        emptyOutputs: num(r.empty),
        totalTokens: num(r.tokens),
        uniqueTokens: num(r.unique_tokens),
        totalBigrams: num(r.bigrams),
        uniqueBigrams: num(r.unique_bigrams),
        distinct1PerOutput: num(r.d1),
        distinct2PerOutput: num(r.d2),
      }));
    },

    async sampleOutputs(
      run: string,
      window: WindowSpec,
      picks: readonly WindowPick[],
    ): Promise<SampledOutput[]> {
      const pairs = picks.flatMap((p) => p.ranks.map((rank) => [p.window, rank]));
      if (pairs.length === 0) return [];
      const w = windowSql(window);
      // The picks travel as one JSON text parameter (the client cannot bind a JS array as a LIST).
      const rows = await client.query<Row>({
        sql: `WITH picks AS (
                SELECT p[1] AS w, p[2] AS rank FROM (SELECT unnest(from_json($picks, '[["BIGINT"]]')) AS p)),
              ranked AS (
                SELECT w, session, output, row_number() OVER (PARTITION BY w ORDER BY session) - 1 AS rank
                FROM (SELECT ${w.expr} AS w, session, output FROM sessions WHERE run = $run AND ${w.where})
                WHERE w IN (SELECT DISTINCT w FROM picks))
              SELECT r.w, r.rank, r.session, r.output FROM ranked r JOIN picks p USING (w, rank)
              ORDER BY r.w, r.rank`,
        params: { run, picks: JSON.stringify(pairs), ...w.params },
      });
      return rows.map((r) => ({
        window: num(r.w),
        rank: num(r.rank),
        session: num(r.session),
        output: String(r.output),
      }));
    },

    async classificationWindowCounts(run: string, window: WindowSpec): Promise<ClassificationWindowCounts[]> {
      const w = windowSql(window);
      const rows = await client.query<Row>({
        sql: `WITH s AS (
                SELECT ${w.expr} AS w, session, classification,
                  CASE WHEN classification = 'non_compliant' THEN category END AS category
                FROM sessions WHERE run = $run AND ${w.where}),
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
        params: { run, ...w.params },
      });
      return rows.map((r) => ({
        window: num(r.w),
        from: num(r.first),
        to: num(r.last),
        sessions: num(r.sessions),
        classified: num(r.classified),
        nonCompliant: num(r.non_compliant),
        byCategory: ((r.by_category as { category: string | null; count: unknown }[] | null) ?? []).map(
          (c) => ({
            category: c.category,
            count: num(c.count),
          }),
        ),
        evidence: ((r.evidence as unknown[] | null) ?? []).map(num),
      }));
    },

    async detectorWindowCounts(
      run: string,
      window: WindowSpec,
      rules: readonly DetectorRuleSql[],
      evidence = 5,
    ): Promise<DetectorWindowCounts[]> {
      const w = windowSql(window);
      const categories = [...new Set(rules.map((r) => r.category))];
      const perRule = rules.map((_, i) => `count(*) FILTER (WHERE m_${i}) AS n_${i}`);
      const perCategory = categories.map((c, k) => {
        const any = rules.flatMap((r, i) => (r.category === c ? [`m_${i}`] : [])).join(' OR ');
        return `count(*) FILTER (WHERE ${any}) AS c_${k}`;
      });
      const rows = await client.query<Row>({
        sql: `SELECT w, count(*) AS sessions, min(session) AS first, max(session) AS last,
                count(*) FILTER (WHERE matched) AS matched,
                (list(session ORDER BY session) FILTER (WHERE matched))[1:$evidence] AS evidence
                ${[...perRule, ...perCategory].map((c) => `, ${c}`).join('')}
              FROM ${matchedSessions(rules, `${w.expr} AS w, session`, w.where)}
              GROUP BY w ORDER BY w`,
        params: { run, evidence: Math.max(0, Math.floor(evidence)), ...w.params, ...ruleParams(rules) },
      });
      return rows.map((r) => ({
        window: num(r.w),
        from: num(r.first),
        to: num(r.last),
        sessions: num(r.sessions),
        matched: num(r.matched),
        byRule: rules.map((_, i) => num(r[`n_${i}`])),
        byCategory: categories.map((category, k) => ({ category, count: num(r[`c_${k}`]) })),
        evidence: ((r.evidence as unknown[] | null) ?? []).map(num),
      }));
    },

    async detectorConfusion(run: string, rules: readonly DetectorRuleSql[]): Promise<DetectorConfusion> {
      const rows = await client.query<Row>({
        sql: `SELECT behaviour, count(*) AS sessions, count(*) FILTER (WHERE matched) AS matched
              FROM ${matchedSessions(rules, "json_extract_string(meta, '$.true_behaviour') AS behaviour", 'TRUE')}
              WHERE behaviour IS NOT NULL GROUP BY behaviour ORDER BY behaviour`,
        params: { run, ...ruleParams(rules) },
      });
      const byBehaviour = rows.map((r) => ({
        behaviour: String(r.behaviour),
        sessions: num(r.sessions),
        matched: num(r.matched),
      }));
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
