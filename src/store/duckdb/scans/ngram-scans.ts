import type { WindowSpec } from '../../../model/windows.ts';
import { tokenize } from '../../../stats/tokenize.ts';
import type {
  NgramDiscoveryOptions,
  NgramDiscoveryScan,
  NgramWindowShares,
  ParaphraseScan,
  ParaphraseScanOptions,
} from '../../scans/phrase-scans.ts';
import { raw, type SqlFragment, sql } from '../../sql/sql.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { duckdbNormalise, duckdbNormaliseForTokens } from '../normalise-sql.ts';
import { duckdbTokens } from '../tokens-sql.ts';
import * as rows from './phrase-rows.ts';
import { windowIndexSql } from './phrase-series-scan.ts';
import { targetPattern } from './target-pattern.ts';

/**
 * The tokens of the normalised output, the scans' unit of text (the tokens of `duckdbNormalise(output)`, with
 * one regular-expression pass fewer: see {@link duckdbNormaliseForTokens}).
 */
const OUTPUT_TOKENS = duckdbTokens(duckdbNormaliseForTokens(sql`output`));

/**
 * Wilson bounds (Wilson 1927, no continuity correction) of x of n, in SQL. The constants are our own numbers
 * written as SQL numeric literals (`raw`), as this scan always has: DuckDB reads them as DECIMAL, and binding
 * them as DOUBLE parameters instead could move a score in its last bit and reorder tied candidates.
 */
const Z = 1.959963984540054;
const literal = (x: number) => raw(String(x));
const HALF_Z2 = literal(Z ** 2 / 2);
const Z_LIT = literal(Z);
const QUARTER_Z2 = literal(Z ** 2 / 4);
const Z2 = literal(Z ** 2);
const wilsonLower = (x: SqlFragment, n: SqlFragment) =>
  sql`((${x} + ${HALF_Z2} - ${Z_LIT} * sqrt(${x} * (${n} - ${x}) / ${n} + ${QUARTER_Z2})) / (${n} + ${Z2}))`;
const wilsonUpper = (x: SqlFragment, n: SqlFragment) =>
  sql`((${x} + ${HALF_Z2} + ${Z_LIT} * sqrt(${x} * (${n} - ${x}) / ${n} + ${QUARTER_Z2})) / (${n} + ${Z2}))`;

/**
 * The run's first and last parts (a fraction of its sessions each), sampled up to a cap by session hash. The
 * window functions sort session numbers only: the outputs of the sampled sessions are joined afterwards
 * ({@link sampledOutputs}), so the sorts never carry the run's text (at 1M sessions they spilled it to disk).
 */
function parts(run: string, o: NgramDiscoveryOptions): SqlFragment {
  return sql`WITH r AS (SELECT session, row_number() OVER (ORDER BY session) AS rn, count(*) OVER () AS total
                  FROM training_sessions WHERE run = ${run}),
        p AS (SELECT session, CASE WHEN rn <= ceil(total * ${o.partFraction}) THEN 'first'
                  WHEN rn > total - ceil(total * ${o.partFraction}) THEN 'last' END AS part FROM r),
        s AS (SELECT session, part,
                  row_number() OVER (PARTITION BY part ORDER BY hash(session), session) <= ${o.maxSessionsPerPart} AS sampled
              FROM p WHERE part IS NOT NULL)`;
}

/** The sampled sessions of {@link parts} joined to their outputs (one row each: a run's session numbers are unique). */
const sampledOutputs = (run: string): SqlFragment =>
  sql`s JOIN training_sessions ts ON ts.run = ${run} AND ts.session = s.session WHERE s.sampled`;

/** N-grams whose share of outputs rose or fell most between the run's first and last parts. */
export async function discoverNgramsScan(
  client: DuckDbClient,
  run: string,
  o: NgramDiscoveryOptions,
): Promise<NgramDiscoveryScan> {
  const info = await client.query(
    sql`${parts(run, o)} SELECT part, min(session) AS f, max(session) AS l, count(*) AS n,
            count(*) FILTER (WHERE sampled) AS ns FROM s GROUP BY part`,
    rows.NgramPartRow,
  );
  const partOf = (name: string) => {
    const r = info.find((x) => x.part === name);
    return { from: r?.f ?? 0, to: r?.l ?? 0, sessions: r?.n ?? 0, sampled: r?.ns ?? 0 };
  };
  const first = partOf('first');
  const last = partOf('last');
  if (first.sampled === 0 || last.sampled === 0) return { first, last, candidates: [] };
  const n1 = sql`${first.sampled}::DOUBLE`;
  const n2 = sql`${last.sampled}::DOUBLE`;
  const found = await client.query(
    sql`${parts(run, o)},
          tok AS (SELECT s.session, s.part, ${OUTPUT_TOKENS} AS t FROM ${sampledOutputs(run)}),
          g AS (SELECT DISTINCT session, part, n,
                  unnest(list_transform(range(1, len(t) - n + 2), i -> array_to_string(t[i:i + n - 1], ' '))) AS g
                FROM tok CROSS JOIN range(${o.minN}, ${o.maxN} + 1) AS ns(n)),
          c AS (SELECT g, n, (count(*) FILTER (WHERE part = 'first'))::DOUBLE AS fc,
                  (count(*) FILTER (WHERE part = 'last'))::DOUBLE AS lc FROM g GROUP BY g, n
                HAVING greatest(fc, lc) >= ${o.minSupport}),
          sc AS (SELECT *, ${wilsonLower(sql`lc`, n2)} - ${wilsonUpper(sql`fc`, n1)} AS rise,
            ${wilsonLower(sql`fc`, n1)} - ${wilsonUpper(sql`lc`, n2)} AS fall FROM c)
          (SELECT g, n, fc, lc, rise AS score, 'rising' AS dir FROM sc WHERE rise > 0
           ORDER BY rise DESC, n DESC, g LIMIT ${o.limit})
          UNION ALL
          (SELECT g, n, fc, lc, fall AS score, 'falling' AS dir FROM sc WHERE fall > 0
           ORDER BY fall DESC, n DESC, g LIMIT ${o.limit})`,
    rows.NgramCandidateRow,
  );
  return {
    first,
    last,
    candidates: found.map((r) => ({
      ngram: r.g,
      n: r.n,
      firstCount: r.fc,
      lastCount: r.lc,
      firstRate: r.fc / first.sampled,
      lastRate: r.lc / last.sampled,
      score: r.score,
      direction: r.dir === 'rising' ? 'rising' : 'falling',
    })),
  };
}

/** Per window, the sessions whose tokens contain each n-gram. */
export async function ngramWindowSharesScan(
  client: DuckDbClient,
  run: string,
  ngrams: readonly string[],
  window: WindowSpec,
): Promise<NgramWindowShares[]> {
  const grams = [...new Set(ngrams.map((g) => tokenize(g).join(' ')).filter((g) => g !== ''))];
  if (grams.length === 0) return [];
  // Tokens never hold a space or a newline, so containment of ' g ' in ' t ' is token-sequence containment;
  // the n-grams travel as one bound text, split on newlines in the engine.
  const found = await client.query(
    sql`WITH t AS (SELECT session, ${windowIndexSql(window)} AS w, ' ' || array_to_string(${OUTPUT_TOKENS}, ' ') || ' ' AS t
                FROM training_sessions WHERE run = ${run}),
            g AS (SELECT unnest(string_split(${grams.join('\n')}, chr(10))) AS g)
          SELECT g, w, min(session) AS f, max(session) AS l, count(*) AS n,
            count(*) FILTER (WHERE contains(t, ' ' || g || ' ')) AS hits
          FROM t CROSS JOIN g WHERE w IS NOT NULL GROUP BY g, w ORDER BY g, w`,
    rows.NgramShareRow,
  );
  return grams.map((ngram) => ({
    ngram,
    windows: found
      .filter((r) => r.g === ngram)
      .map((r) => ({ index: r.w, from: r.f, to: r.l, sessions: r.n, hits: r.hits })),
  }));
}

/** Token windows of the phrase's length that resemble it (Jaccard) in sessions that no longer hold it. */
export async function paraphraseWindowsScan(
  client: DuckDbClient,
  run: string,
  phrase: string,
  o: ParaphraseScanOptions,
): Promise<ParaphraseScan> {
  const pat = await targetPattern(client, { phrase });
  const norm = duckdbNormalise(sql`output`);
  const phraseTokens = duckdbTokens(duckdbNormalise(sql`${phrase}`));
  const found = await client.query(
    sql`WITH ph AS (SELECT ${phraseTokens} AS pt),
          ps AS (SELECT pt, list_distinct(pt) AS pset, len(pt) AS m FROM ph),
          s AS (SELECT session, session > ${o.from} AND session <= ${o.to} AS is_after, ${duckdbTokens(norm)} AS t
                FROM training_sessions WHERE run = ${run} AND NOT regexp_matches(${norm}, ${pat})
                  AND ((session > ${o.from} AND session <= ${o.to})
                       OR (session > ${o.baselineFrom} AND session <= ${o.baselineTo}))),
          w AS (SELECT DISTINCT session, is_after, unnest(list_transform(range(1, len(t) - m + 2), i -> t[i:i + m - 1])) AS win
                FROM s CROSS JOIN ps WHERE m > 0),
          j AS (SELECT session, is_after, win, len(list_intersect(list_distinct(win), pset)) AS inter,
                  len(list_distinct(win)) + len(pset) AS tot FROM w CROSS JOIN ps WHERE win <> pt)
          SELECT array_to_string(win, ' ') AS text, any_value(inter / (tot - inter)) AS jac,
            count(DISTINCT session) FILTER (WHERE is_after) AS after, count(DISTINCT session) FILTER (WHERE NOT is_after) AS base,
            (list(DISTINCT session ORDER BY session) FILTER (WHERE is_after))[1:5] AS ex
          FROM j WHERE inter / (tot - inter) >= ${o.minJaccard} GROUP BY win
          ORDER BY after DESC, jac DESC, text LIMIT ${o.limit}`,
    rows.ParaphraseRow,
  );
  const [meta] = await client.query(
    sql`SELECT ${phraseTokens} AS pt,
            (SELECT count(*) FROM training_sessions WHERE run = ${run} AND session > ${o.from} AND session <= ${o.to}) AS n`,
    rows.ParaphraseMetaRow,
  );
  return {
    phraseTokens: meta?.pt ?? [],
    sessionsSearched: meta?.n ?? 0,
    candidates: found.map((r) => ({
      text: r.text,
      jaccard: r.jac,
      sessionsAfter: r.after,
      sessionsBaseline: r.base,
      exampleSessions: r.ex,
    })),
  };
}
