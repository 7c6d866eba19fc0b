import type { WindowSpec } from '../../../model/windows.ts';
import { tokenize } from '../../../stats/tokenize.ts';
import type {
  NgramDiscoveryOptions,
  NgramDiscoveryScan,
  NgramWindowShares,
  ParaphraseScan,
  ParaphraseScanOptions,
} from '../../scans/phrase-scans.ts';
import { ident, raw, type SqlFragment, sql } from '../../sql/sql.ts';
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

let levelTables = 0;

/**
 * N-grams whose share of outputs rose or fell most between the run's first and last parts, counted level by
 * level (Apriori, Agrawal & Srikant 1994, as the ClickHouse scan does): an n-gram is in no more sessions of a
 * part than its (n−1)-token prefix or suffix, so an n-gram with the support is found among the occurrences
 * whose prefix (at i) and suffix (at i + 1) are both frequent, every one of its occurrences in both parts is
 * among them, and its counts are exact; the counting stops at the first size without a frequent n-gram. The
 * candidates are those of the one statement that built and de-duplicated every 1–6-gram of every sampled
 * output: at 1M sessions (load 10–15) it took 117.6 s, the level-wise count 27 s (no 3-gram of the bench's
 * vocabulary has the support, so no n-gram of sizes 4–6 is built; docs/benchmarks.md).
 */
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
  // Our own names (never a user value), quoted as identifiers: the sampled tokens, the frequent occurrences of
  // the current size, the counted n-grams of every size; dropped in `finally`.
  const id = ++levelTables;
  const tok = ident(`rlaudit_ngram_tokens_${id}`);
  const occ = ident(`rlaudit_ngram_occ_${id}`);
  const next = ident(`rlaudit_ngram_next_${id}`);
  const counted = ident(`rlaudit_ngram_counts_${id}`);
  try {
    await client.exec(
      sql`CREATE TEMP TABLE ${tok} AS ${parts(run, o)} SELECT s.session, s.part, ${OUTPUT_TOKENS} AS t FROM ${sampledOutputs(run)}`,
    );
    await client.exec(sql`CREATE TEMP TABLE ${counted} (g VARCHAR, n INTEGER, fc DOUBLE, lc DOUBLE)`);
    // size 1: every token occurrence, `f` the n-gram's first token, `i` its position
    await client.exec(
      sql`CREATE TEMP TABLE ${occ} AS SELECT session, part, i, t[i] AS f, t[i] AS g
            FROM (SELECT session, part, t, unnest(range(1, len(t) + 1)) AS i FROM ${tok})`,
    );
    for (let n = 1; n <= o.maxN; n++) {
      // the sessions of each part holding each n-gram, for the n-grams with the support in one part
      await client.exec(
        sql`INSERT INTO ${counted} SELECT g, ${n}, (count(DISTINCT session) FILTER (WHERE part = 'first'))::DOUBLE AS fc,
              (count(DISTINCT session) FILTER (WHERE part = 'last'))::DOUBLE AS lc FROM ${occ} GROUP BY g
            HAVING greatest(fc, lc) >= ${o.minSupport}`,
      );
      const [level] = await client.query(
        sql`SELECT count(*) AS frequent FROM ${counted} WHERE n = ${n}`,
        rows.NgramLevelRow,
      );
      if (n === o.maxN || (level?.frequent ?? 0) === 0) break;
      // the occurrences of size n + 1: a frequent n-gram at i followed by a frequent n-gram at i + 1
      await client.exec(
        sql`CREATE TEMP TABLE ${next} AS
            WITH fo AS (SELECT o.* FROM ${occ} o SEMI JOIN (SELECT g FROM ${counted} WHERE n = ${n}) c ON c.g = o.g)
            SELECT a.session, a.part, a.i, a.f, a.f || ' ' || b.g AS g
            FROM fo a JOIN fo b ON b.session = a.session AND b.i = a.i + 1`,
      );
      await client.exec(sql`DROP TABLE ${occ}`);
      await client.exec(sql`ALTER TABLE ${next} RENAME TO ${ident(`rlaudit_ngram_occ_${id}`)}`);
    }
    const found = await client.query(
      sql`WITH sc AS (SELECT *, ${wilsonLower(sql`lc`, n2)} - ${wilsonUpper(sql`fc`, n1)} AS rise,
              ${wilsonLower(sql`fc`, n1)} - ${wilsonUpper(sql`lc`, n2)} AS fall
              FROM ${counted} WHERE n >= ${o.minN})
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
  } finally {
    for (const t of [tok, occ, next, counted]) await client.exec(sql`DROP TABLE IF EXISTS ${t}`);
  }
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
