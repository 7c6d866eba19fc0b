import { z } from 'zod';
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
import { rowDecoder } from '../../sql/row-decoder.ts';
import { ident, join, list, type SqlFragment, sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { float, int, nullableText, text } from '../decode.ts';
import { OUTPUT_TOKENS } from '../derived-columns.ts';
import { re2Pattern } from '../text-sql.ts';
import {
  intList,
  KEY_CHECK,
  TRAINING,
  trainingRows,
  windowKeyRanges,
  windowSql,
  windowsWithoutFinal,
} from './scan-sql.ts';
import { checkRe2 } from './target-pattern.ts';

const TextWindowRow = rowDecoder(
  'textWindowCounts',
  z.object({
    w: int,
    first_s: int,
    last_s: int,
    sessions: int,
    empty_n: int,
    tokens_n: int,
    bigrams_n: int,
    d1: float,
    d2: float,
    unique_tokens: int,
    unique_bigrams: int,
    rows_n: int,
    keys_n: int,
  }),
);
const WindowSessionsRow = rowDecoder('sampleOutputs.windows', z.object({ w: int, ss: intList }));
const OutputRow = rowDecoder('sampleOutputs', z.object({ session: int, output: text }));
const ClassTotalsRow = rowDecoder(
  'classificationWindowCounts',
  z.object({
    w: int,
    first_s: int,
    last_s: int,
    sessions: int,
    classified: int,
    non_compliant: int,
    evidence: intList,
  }),
);
const ClassCategoryRow = rowDecoder(
  'classificationWindowCounts.categories',
  z.object({ w: int, category: nullableText, n: int }),
);
const DetectorWindowRow = rowDecoder(
  'detectorWindowCounts',
  z.object({
    w: int,
    first_s: int,
    last_s: int,
    sessions: int,
    matched_n: int,
    by_rule: intList,
    by_category: intList,
    evidence: intList,
  }),
);
const DetectorConfusionRow = rowDecoder(
  'detectorConfusion',
  z.object({ behaviour: text, sessions: int, matched: int }),
);

/**
 * Session numbers one statement lists as literals at most: up to 20 bytes each, well under 18.16's default
 * `max_query_size` (256 KiB).
 */
export const SESSIONS_PER_STATEMENT = 8_000;

/** The column of rule i: does it match the output. */
const ruleColumn = (i: number) => ident(`m_${i}`);

/** Rule i's test; the pattern as DuckDB reads it (`(?-s)`), case-insensitive unless the rule says so. */
const ruleSql = (rule: DetectorRuleSql): SqlFragment =>
  sql`match(output, ${re2Pattern(`${rule.caseSensitive ? '' : '(?i)'}${rule.pattern}`)})`;

/** The run's sessions with `columns`, one `m_i` per rule and `matched` (any rule). */
function matchedSessions(
  run: string,
  rules: readonly DetectorRuleSql[],
  columns: SqlFragment,
  where: SqlFragment,
): SqlFragment {
  const cols = rules.map((r, i) => sql`, ${ruleSql(r)} AS ${ruleColumn(i)}`);
  const any =
    rules.length === 0
      ? sql`0`
      : join(
          rules.map((_, i) => ruleColumn(i)),
          ' OR ',
        );
  // the rules run in the query that reads `sessions` (on the shards), so no output leaves its shard
  return sql`(SELECT *, (${any}) AS matched FROM (SELECT ${columns}${join(cols, '')} FROM sessions FINAL
      WHERE ${trainingRows(run)} AND ${where}))`;
}

async function checkRules(client: ClickHouseClient, rules: readonly DetectorRuleSql[]): Promise<void> {
  for (const [i, r] of rules.entries()) {
    await checkRe2(client, `${r.caseSensitive ? '' : '(?i)'}${r.pattern}`, r.pattern, {
      field: `rules.${i}.pattern`,
      label: `rule '${r.id}'`,
    });
  }
}

/** An array of counts, one per condition (an empty UInt64 array when there is none). */
function countList(conditions: readonly SqlFragment[]): SqlFragment {
  if (conditions.length === 0) return sql`CAST([] AS Array(UInt64))`;
  return sql`[${join(conditions.map((c) => sql`countIf(${c})`))}]`;
}

/**
 * A mean over a group's rows in session order: Σ in session order / count, as DuckDB's
 * `avg(… ORDER BY session)` adds (the same additions in the same order give the same bits); over the rows that
 * meet `where`.
 */
const orderedMean = (value: SqlFragment, where: SqlFragment) =>
  sql`arraySum(arrayMap(x -> tupleElement(x, 2), arraySort(groupArrayIf((session, ${value}), ${where})))) / countIf(${where})`;

/**
 * The outputs at the picked ranks (0-based, in session order) of the picked windows (the twin of
 * `sampleOutputs`): the windows' session numbers in order first (a window's worth of integers each; for
 * session windows only the key ranges of the picked windows are read, {@link windowKeyRanges}), then
 * the outputs of the picked sessions only, by key, at most `perStatement` session numbers a statement.
 */
export async function sampleOutputsScan(
  client: ClickHouseClient,
  run: string,
  window: WindowSpec,
  picks: readonly WindowPick[],
  perStatement = SESSIONS_PER_STATEMENT,
): Promise<SampledOutput[]> {
  const pairs = picks.flatMap((p) => p.ranks.map((rank) => [p.window, rank] as const));
  if (pairs.length === 0) return [];
  const w = windowSql(window);
  const windows = [...new Set(picks.map((p) => p.window))];
  const ordered = await client.query(
    sql`SELECT ${w.expr} AS w, arraySort(groupArray(session)) AS ss
          FROM sessions FINAL WHERE ${trainingRows(run)} AND ${w.where} AND ${windowKeyRanges(window, windows)}
            AND has(${windows}, w) GROUP BY w`,
    WindowSessionsRow,
  );
  const byWindow = new Map(ordered.map((r) => [r.w, r.ss]));
  const chosen = pairs
    .map(([win, rank]) => ({ window: win, rank, session: byWindow.get(win)?.[rank] }))
    .filter((p): p is { window: number; rank: number; session: number } => p.session !== undefined);
  if (chosen.length === 0) return [];
  // the outputs by key, a bounded list of consecutive sessions per statement: the diversity sample once
  // asked for 80,000 a batch (now 8,000), whose list alone passed 18.16's 256 KiB max_query_size (the
  // audit of 1M sessions failed so); sorted, each list's sessions are near each other and the primary index reads
  // only their granules
  const wanted = [...new Set(chosen.map((c) => c.session))].sort((a, b) => a - b);
  const text = new Map<number, string>();
  for (let i = 0; i < wanted.length; i += perStatement) {
    const chunk = wanted.slice(i, i + perStatement);
    const [lo, hi] = [chunk[0] ?? 0, chunk.at(-1) ?? 0];
    // the chunk's bounds too (implied by the list): a plain key range for the primary index. The key
    // conditions are a PREWHERE: the session numbers are read and filtered first, and only the rows kept
    // have their outputs read and sent on (the granules in the range hold ~2.5 sessions for each picked one,
    // the diversity sample being 200 of 500); 0.9 s against 1.9 s for one batch of 8,000 at 1M sessions,
    // same rows (measured, loaded machine). Exact with FINAL: a condition on key columns only keeps or drops
    // every row of a key alike, so the replacing merge after it picks the same row; the phase (no key
    // column) stays in WHERE, after the merge.
    const outputs = await client.query(
      sql`SELECT session, output FROM sessions FINAL
            PREWHERE run = ${run} AND session >= ${lo} AND session <= ${hi} AND session IN (${list(chunk)})
            WHERE ${trainingRows(run)}`,
      OutputRow,
    );
    for (const r of outputs) text.set(r.session, r.output);
  }
  // a pick asked twice comes back twice, as from DuckDB's join with the picks
  return chosen
    .sort((a, b) => a.window - b.window || a.rank - b.rank)
    .map((c) => ({
      window: c.window,
      rank: c.rank,
      session: c.session,
      output: text.get(c.session) ?? '',
    }));
}

/** ClickHouse implementation of {@link TextScans} (the twin of src/store/duckdb/scans/text-scans.ts). */
export function textScans(client: ClickHouseClient): TextScans {
  return {
    async textWindowCounts(run: string, window: WindowSpec): Promise<TextWindowCounts[]> {
      const w = windowSql(window);
      // One statement over the Distributed table itself: each shard reads its sessions' tokens and
      // aggregates them per window; the initiator merges the partial states (the distinct-token sets, the
      // sorted (session, value) arrays of the means), and no token leaves its shard otherwise. (Through a
      // subquery of `sessions`, every session's tokens went to the initiator, which aggregated them alone:
      // the slowest statement of the audit at 1M sessions, docs/benchmarks.md "clickhouse".)
      //
      // Bigrams are the pairs of positions (i, i+1) of one output, so none crosses an output boundary; no
      // bigram is built as a string (that alone cost more than reading the tokens, docs/benchmarks.md "The
      // SQL side of the audit"):
      // - an output's bigrams number max(tokens − 1, 0);
      // - its distinct tokens and distinct bigrams come from its tokens' dense numbers (arrayEnumerateDense:
      //   1 for the first distinct token, 2 for the second …, equal strings equal numbers, compared as
      //   strings): the distinct tokens are the highest number, the distinct bigrams the distinct values of
      //   a·2³² + b over the pairs of numbers (a, b < 2³², so the code is one-to-one: exact);
      // - a window's distinct bigrams are those of the (token, next token) pairs, the two arguments of
      //   `uniqExactArray` side by side: each pair counted by its 128-bit SipHash, as `uniqExact` counts a
      //   string (the concatenated bigrams counted before were hashed so too), the window's distinct tokens
      //   likewise.
      //
      // Read without `FINAL` when that is exact ({@link windowsWithoutFinal}): every row of the run is
      // grouped, training is the `-If` condition (`tr`) of each aggregate.
      const t = OUTPUT_TOKENS;
      const nt = sql`length(${t})`;
      const ids = sql`arrayEnumerateDense(${t})`;
      const pairs = sql`length(${t}) - 1`;
      const firsts = sql`arraySlice(${t}, 1, toUInt64(greatest(${pairs}, 0)))`;
      const seconds = sql`arraySlice(${t}, 2)`;
      const distinctBigrams = sql`arrayUniq(arrayMap((a, b) -> a * 4294967296 + b,
          arraySlice(${ids} AS ids, 1, toUInt64(greatest(${pairs}, 0))), arraySlice(ids, 2)))`;
      const found = await windowsWithoutFinal(
        client,
        window,
        (final) =>
          sql`SELECT ${w.expr} AS w, countIf(${TRAINING} AS tr) AS sessions, minIf(session, tr) AS first_s,
                maxIf(session, tr) AS last_s, countIf(tr AND ${nt} = 0) AS empty_n, sumIf(${nt}, tr) AS tokens_n,
                sumIf(greatest(${pairs}, 0), tr) AS bigrams_n,
                ${orderedMean(sql`if(${nt} = 0, 0, arrayReduce('max', ${ids}) / ${nt})`, sql`tr`)} AS d1,
                ${orderedMean(sql`if(${nt} = 0, 0, ${distinctBigrams} / ${nt})`, sql`tr`)} AS d2,
                uniqExactArrayIf(${t}, tr) AS unique_tokens,
                uniqExactArrayIf(${firsts}, ${seconds}, tr) AS unique_bigrams, ${KEY_CHECK}
              FROM sessions ${final} WHERE run = ${run} AND ${w.where}
              GROUP BY w HAVING sessions > 0 ORDER BY w`,
        TextWindowRow,
      );
      return found.map((r) => ({
        window: r.w,
        from: r.first_s,
        to: r.last_s,
        sessions: r.sessions,
        emptyOutputs: r.empty_n,
        totalTokens: r.tokens_n,
        uniqueTokens: r.unique_tokens,
        totalBigrams: r.bigrams_n,
        uniqueBigrams: r.unique_bigrams,
        distinct1PerOutput: r.d1,
        distinct2PerOutput: r.d2,
      }));
    },

    sampleOutputs: (run, window, picks) => sampleOutputsScan(client, run, window, picks),

    async classificationWindowCounts(run: string, window: WindowSpec): Promise<ClassificationWindowCounts[]> {
      const w = windowSql(window);
      const source = sql`(SELECT ${w.expr} AS w, session, classification, category,
          ifNull(classification = 'non_compliant', 0) AS nc FROM sessions FINAL WHERE ${trainingRows(run)} AND ${w.where})`;
      const totals = await client.query(
        sql`SELECT w, count() AS sessions, min(session) AS first_s, max(session) AS last_s,
                count(classification) AS classified, countIf(nc) AS non_compliant,
                arraySlice(arraySort(groupArrayIf(session, nc)), 1, 5) AS evidence
              FROM ${source} GROUP BY w ORDER BY w`,
        ClassTotalsRow,
      );
      const cats = await client.query(
        sql`SELECT w, category, count() AS n FROM ${source} WHERE nc GROUP BY w, category`,
        ClassCategoryRow,
      );
      // per window, by category text (byte order, as DuckDB sorts VARCHAR), the category-less last
      const order = (a: string | null, b: string | null) =>
        a === b ? 0 : a === null ? 1 : b === null ? -1 : Buffer.compare(Buffer.from(a), Buffer.from(b));
      return totals.map((r) => ({
        window: r.w,
        from: r.first_s,
        to: r.last_s,
        sessions: r.sessions,
        classified: r.classified,
        nonCompliant: r.non_compliant,
        byCategory: cats
          .filter((c) => c.w === r.w)
          .sort((a, b) => order(a.category, b.category))
          .map((c) => ({ category: c.category, count: c.n })),
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
        sql`SELECT w, count() AS sessions, min(session) AS first_s, max(session) AS last_s,
                countIf(matched) AS matched_n,
                arraySlice(arraySort(groupArrayIf(session, matched)), 1, ${Math.max(0, Math.floor(evidence))}) AS evidence,
                ${countList(perRule)} AS by_rule, ${countList(perCategory)} AS by_category
              FROM ${matchedSessions(run, rules, sql`${w.expr} AS w, session`, w.where)}
              GROUP BY w ORDER BY w`,
        DetectorWindowRow,
      );
      return found.map((r) => ({
        window: r.w,
        from: r.first_s,
        to: r.last_s,
        sessions: r.sessions,
        matched: r.matched_n,
        byRule: r.by_rule,
        byCategory: categories.map((category, k) => ({ category, count: r.by_category[k] ?? 0 })),
        evidence: r.evidence,
      }));
    },

    async detectorConfusion(run: string, rules: readonly DetectorRuleSql[]): Promise<DetectorConfusion> {
      await checkRules(client, rules);
      // `meta.true_behaviour` by `visitParamExtractString` (18.16 has no JSON paths): the key's first
      // occurrence, at any depth
      const byBehaviour = await client.query(
        sql`SELECT behaviour, count() AS sessions, countIf(matched) AS matched
              FROM ${matchedSessions(
                run,
                rules,
                sql`visitParamExtractString(ifNull(meta, ''), 'true_behaviour') AS behaviour,
                    ifNull(visitParamHas(meta, 'true_behaviour'), 0) AS has_truth`,
                sql`1`,
              )}
              WHERE has_truth GROUP BY behaviour ORDER BY behaviour`,
        DetectorConfusionRow,
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
