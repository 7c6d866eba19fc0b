import { z } from 'zod';
import type { WindowSpec } from '../../../model/windows.ts';
import { tokenize } from '../../../stats/tokenize.ts';
import type {
  NgramDiscoveryOptions,
  NgramDiscoveryScan,
  NgramWindowShares,
} from '../../scans/phrase-scans.ts';
import { compile } from '../../sql/dialect.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { join, list, type SqlFragment, sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { clickHouseDialect } from '../clickhouse-dialect.ts';
import { float, int, nullableInt, text } from '../decode.ts';
import { OUTPUT_NORM_TOKENS } from '../derived-columns.ts';
import { clickHouseNgrams } from '../text-sql.ts';
import { windowIndexSql } from './phrase-series-scan.ts';
import { duckDbHash, intList, KEY_CHECK, TRAINING, trainingRows, windowsWithoutFinal } from './scan-sql.ts';

const HASH = duckDbHash(sql`session`);

/** The tokens of the normalised output, the scans' unit of text (from the derived columns). */
const TOKENS = OUTPUT_NORM_TOKENS;

/**
 * Wilson bounds (Wilson 1927, no continuity correction) of x of n, the expression of the DuckDB twin
 * (src/store/duckdb/scans/ngram-scans.ts) operation for operation, so the scores are the same doubles and
 * tied candidates keep their order. Its constants are the doubles DuckDB makes of its DECIMAL literals:
 * equal to JavaScript's value for z, z²/2 and z², one unit in the last place below it for z²/4 (measured).
 */
const Z = 1.959963984540054;
const HALF_Z2 = 1.9207294103470627;
const QUARTER_Z2 = 0.9603647051735312;
const Z2 = 3.8414588206941254;
const wilsonLower = (x: SqlFragment, n: SqlFragment) =>
  sql`((${x} + ${HALF_Z2} - ${Z} * sqrt(${x} * (${n} - ${x}) / ${n} + ${QUARTER_Z2})) / (${n} + ${Z2}))`;
const wilsonUpper = (x: SqlFragment, n: SqlFragment) =>
  sql`((${x} + ${HALF_Z2} + ${Z} * sqrt(${x} * (${n} - ${x}) / ${n} + ${QUARTER_Z2})) / (${n} + ${Z2}))`;

const CutsRow = rowDecoder(
  'ngramCuts',
  z.object({ n: int, first_cut: nullableInt, last_start: nullableInt }),
);
const PartRow = rowDecoder(
  'ngramParts',
  z.object({ part: text, f: int, l: int, n: int, h: z.string(), s: int }),
);
const LevelRow = rowDecoder(
  'discoverNgrams.level',
  z.object({ g: text, fc: float, lc: float, rise: float, fall: float }),
);
const ShareRow = rowDecoder(
  'ngramWindowShares',
  z.object({ w: int, f: int, l: int, n: int, hits: intList, rows_n: int, keys_n: int }),
);
const CandidateRow = rowDecoder(
  'discoverNgrams',
  z.object({ dir: int, g: text, n: int, fc: float, lc: float, score: float }),
);

/** The bounds of the level-wise n-gram count ({@link discoverNgramsScan}). */
export interface LevelwiseLimits {
  /**
   * The most frequent n-grams of one size the count takes from the server (the size's frequent set); a size
   * with more ends it, and the count of every size in one statement runs instead (exact too, only slower and
   * heavier on the servers' memory).
   */
  readonly levelMaxGrams: number;
  /**
   * The longest statement it sends. A size whose filter (the frequent set of the size below, as literals)
   * would make it longer is counted without the filter: exact as well.
   */
  readonly maxQueryBytes: number;
}

/**
 * 200,000 grams of about 100 bytes: 20 MB in Node at most; 250,000 bytes: 18.16's default `max_query_size`
 * (256 KiB) with a margin.
 */
export const LEVELWISE_LIMITS: LevelwiseLimits = { levelMaxGrams: 200_000, maxQueryBytes: 250_000 };

/** The first and the last n − 1 tokens of an n-gram `g` (n ≥ 2; its tokens joined by single spaces). */
const gramPrefix = (g: SqlFragment) => sql`substring(${g}, 1, length(${g}) - position(reverse(${g}), ' '))`;
const gramSuffix = (g: SqlFragment) => sql`substring(${g}, position(${g}, ' ') + 1)`;

/** ClickHouse orders strings by their bytes (`ORDER BY g`). */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A counted n-gram with its scores (computed by the server, the same doubles as DuckDB's). */
interface Counted {
  readonly g: string;
  readonly n: number;
  readonly fc: number;
  readonly lc: number;
  readonly score: number;
}

/**
 * N-grams whose share of outputs rose or fell most between the run's first and last parts (the twin of
 * `discoverNgramsScan`). The parts are cut by rank in session order (the cut sessions read from the sorted
 * session numbers: 18.16 has no window functions). A part larger than `maxSessionsPerPart` is sampled as
 * DuckDB samples it: the first sessions by (DuckDB's `hash(session)`, session), with {@link duckDbHash}.
 *
 * The n-grams are counted size by size, each size only among the n-grams that can still reach
 * `minSupport`: a session that holds an n-gram holds its first and its last n − 1 tokens, so an n-gram is in
 * no more sessions of a part than its (n−1)-token prefix or suffix (the Apriori property, Agrawal & Srikant
 * 1994), and only n-grams whose prefix and suffix are both frequent are counted. The counting stops at the
 * first size without a frequent n-gram: no longer one can have any. The candidates and counts are those of
 * counting every n-gram of every size at once (the DuckDB twin, and {@link discoverAtOnce} here), found
 * without the hash table of every distinct n-gram of the sample — millions of 4- to 6-grams seen once or
 * twice, counted on each shard and merged on the initiator only to fail the support test: the dominant
 * statement of the audit at 1M sessions (docs/benchmarks.md, "clickhouse").
 */
export async function discoverNgramsScan(
  client: ClickHouseClient,
  run: string,
  o: NgramDiscoveryOptions,
  limits: LevelwiseLimits = LEVELWISE_LIMITS,
): Promise<NgramDiscoveryScan> {
  // the ranks of DuckDB's row_number over the training sessions: the first part is ranks 1..size, the last
  // total − size + 1..total, size = ceil(total · fraction) (the same double product as in TypeScript below)
  const size = sql`toInt64(ceil(length(s) * ${o.partFraction}))`;
  const [c] = await client.query(
    sql`SELECT length(s) AS n,
            if(length(s) = 0, NULL, s[toUInt64(least(greatest(${size}, 1), length(s)))]) AS first_cut,
            if(length(s) = 0, NULL, s[toUInt64(greatest(1, toInt64(length(s)) - ${size} + 1))]) AS last_start
          FROM (SELECT arraySort(groupArray(session)) AS s FROM sessions FINAL WHERE ${trainingRows(run)})`,
    CutsRow,
  );
  const total = c?.n ?? 0;
  const empty = { from: 0, to: 0, sessions: 0, sampled: 0 };
  if (!c || total === 0 || Math.ceil(total * o.partFraction) < 1) {
    return { first: empty, last: empty, candidates: [] };
  }
  const part = sql`multiIf(session <= ${c.first_cut}, 'first', session >= ${c.last_start}, 'last', '')`;
  // per part: its sessions and, when it is larger than the cap, the (hash, session) of the cap-th session
  // in hash order (those at or below it are the sample)
  const cap = o.maxSessionsPerPart;
  const parts = await client.query(
    sql`SELECT ${part} AS part, min(session) AS f, max(session) AS l, count() AS n,
            if(count() > ${cap}, arraySort(groupArray((${HASH}, session)))[${cap}], (toUInt64(0), toInt64(0))) AS c,
            toString(tupleElement(c, 1)) AS h, tupleElement(c, 2) AS s
          FROM sessions FINAL WHERE ${trainingRows(run)} AND part != '' GROUP BY part`,
    PartRow,
  );
  const sampledIn = (p: SqlFragment, name: string): SqlFragment => {
    const cut = parts.find((x) => x.part === name);
    if (!cut || cut.n <= cap) return sql`${p} = ${name}`;
    const h = BigInt(cut.h);
    return sql`(${p} = ${name} AND (${HASH} < ${h} OR (${HASH} = ${h} AND session <= ${cut.s})))`;
  };
  const partOf = (name: string) => {
    const r = parts.find((x) => x.part === name);
    return { from: r?.f ?? 0, to: r?.l ?? 0, sessions: r?.n ?? 0, sampled: Math.min(r?.n ?? 0, cap) };
  };
  const first = partOf('first');
  const last = partOf('last');
  if (first.sampled === 0 || last.sampled === 0) return { first, last, candidates: [] };
  /** Is the session (of the run, by its key columns only) in the sample? */
  const sampled = sql`(${sampledIn(part, 'first')} OR ${sampledIn(part, 'last')})`;
  const scoring: Scoring = {
    part,
    n1: sql`toFloat64(${first.sampled})`,
    n2: sql`toFloat64(${last.sampled})`,
  };
  const counted =
    (await discoverLevelwise(client, run, o, sampled, scoring, limits)) ??
    (await discoverAtOnce(client, run, o, sampled, scoring));
  const top = (direction: 'rising' | 'falling') =>
    counted[direction]
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score || b.n - a.n || byteOrder(a.g, b.g))
      .slice(0, o.limit)
      .map((r) => ({
        ngram: r.g,
        n: r.n,
        firstCount: r.fc,
        lastCount: r.lc,
        firstRate: r.fc / first.sampled,
        lastRate: r.lc / last.sampled,
        score: r.score,
        direction,
      }));
  return { first, last, candidates: [...top('rising'), ...top('falling')] };
}

interface Scoring {
  /** The part of a session: 'first', 'last' or ''. */
  readonly part: SqlFragment;
  /** The sampled sessions of each part, as doubles. */
  readonly n1: SqlFragment;
  readonly n2: SqlFragment;
}

/** The rising and the falling score of an n-gram counted fc times in the first part, lc in the last. */
const scores = (s: Scoring, fc: SqlFragment, lc: SqlFragment) =>
  sql`${wilsonLower(lc, s.n2)} - ${wilsonUpper(fc, s.n1)} AS rise, ${wilsonLower(fc, s.n1)} - ${wilsonUpper(lc, s.n2)} AS fall`;

/** The run's training sessions of the sample, by key columns in PREWHERE (exact under FINAL: a key's copies share them). */
const sampleRows = (run: string, sampled: SqlFragment) =>
  sql`PREWHERE run = ${run} AND ${sampled} WHERE (phase IS NULL OR phase = 'training')`;

type Discovered = Record<'rising' | 'falling', Counted[]>;

/**
 * The level-wise count of {@link discoverNgramsScan}: one statement per size, over the Distributed table
 * (each shard reads only its sampled sessions, n-grams and counts them; the initiator merges the counts of
 * the frequent ones). Null when a size has more than `levelMaxGrams` frequent n-grams.
 */
async function discoverLevelwise(
  client: ClickHouseClient,
  run: string,
  o: NgramDiscoveryOptions,
  sampled: SqlFragment,
  s: Scoring,
  limits: LevelwiseLimits,
): Promise<Discovered | null> {
  const out: Discovered = { rising: [], falling: [] };
  let frequent: string[] | null = null;
  for (let n = o.minN; n <= o.maxN; n++) {
    const statement = (filter: SqlFragment) =>
      sql`SELECT g, toFloat64(countIf(${s.part} = 'first')) AS fc, toFloat64(countIf(${s.part} = 'last')) AS lc,
              ${scores(s, sql`fc`, sql`lc`)}
            FROM sessions FINAL
            ARRAY JOIN arrayDistinct(arrayConcat(arraySlice(${TOKENS} AS t, 1, 0), ${clickHouseNgrams(sql`t`, n)})) AS g
            ${sampleRows(run, sampled)} AND ${filter}
            GROUP BY g HAVING greatest(fc, lc) >= ${o.minSupport}
            LIMIT ${limits.levelMaxGrams + 1}`;
    let query = statement(sql`1`);
    if (frequent !== null && n > 1) {
      const set = list(frequent);
      const pruned = statement(sql`${gramPrefix(sql`g`)} IN (${set}) AND ${gramSuffix(sql`g`)} IN (${set})`);
      if (Buffer.byteLength(compile(pruned, clickHouseDialect).sql) <= limits.maxQueryBytes) query = pruned;
    }
    const rows = await client.query(query, LevelRow);
    if (rows.length > limits.levelMaxGrams) return null;
    for (const r of rows) {
      out.rising.push({ g: r.g, n, fc: r.fc, lc: r.lc, score: r.rise });
      out.falling.push({ g: r.g, n, fc: r.fc, lc: r.lc, score: r.fall });
    }
    if (rows.length === 0) break;
    frequent = rows.map((r) => r.g);
  }
  return out;
}

/**
 * Every n-gram of every size counted in one statement (a gram's n is its spaces + 1, as tokens hold no
 * space, so grams of different sizes never collide and one arrayDistinct per session is DuckDB's DISTINCT
 * (session, n, g)); only the first `limit` of each direction come back.
 */
async function discoverAtOnce(
  client: ClickHouseClient,
  run: string,
  o: NgramDiscoveryOptions,
  sampled: SqlFragment,
  s: Scoring,
): Promise<Discovered> {
  const ns = Array.from({ length: Math.max(0, o.maxN - o.minN + 1) }, (_, i) => o.minN + i);
  // the tokens once, as the alias t (an empty slice of them opens the list; the grams read t)
  const grams = [sql`arraySlice(${TOKENS} AS t, 1, 0)`, ...ns.map((k) => clickHouseNgrams(sql`t`, k))];
  const counts = sql`(SELECT g, toInt64(length(g) - length(replaceAll(g, ' ', '')) + 1) AS n,
        toFloat64(countIf(${s.part} = 'first')) AS fc, toFloat64(countIf(${s.part} = 'last')) AS lc
      FROM sessions FINAL
      ARRAY JOIN arrayDistinct(arrayConcat(${join(grams)})) AS g
      ${sampleRows(run, sampled)}
      GROUP BY g HAVING greatest(fc, lc) >= ${o.minSupport})`;
  const both = await client.query(
    sql`SELECT dir, g, n, fc, lc, if(dir = 1, rise, fall) AS score
          FROM (SELECT g, n, fc, lc, ${scores(s, sql`fc`, sql`lc`)} FROM ${counts}) ARRAY JOIN [1, 2] AS dir
          WHERE if(dir = 1, rise, fall) > 0
          ORDER BY dir, score DESC, n DESC, g LIMIT ${o.limit} BY dir`,
    CandidateRow,
  );
  const of = (dir: number) => both.filter((r) => r.dir === dir).map((r) => ({ ...r }));
  return { rising: of(1), falling: of(2) };
}

/**
 * Per window, the sessions whose tokens contain each n-gram (the twin of `ngramWindowSharesScan`). One
 * statement over the Distributed table itself, one `countIf` per n-gram: each shard joins its sessions'
 * tokens once and counts, the initiator merges per-window counts (reading through a subquery of `sessions`
 * shipped every session's text to the initiator, which matched there on one thread: the slowest statement
 * of the audit at 1M sessions, docs/benchmarks.md "clickhouse").
 * Read without `FINAL` when that gives `FINAL`'s answer ({@link windowsWithoutFinal}).
 */
export async function ngramWindowSharesScan(
  client: ClickHouseClient,
  run: string,
  ngrams: readonly string[],
  window: WindowSpec,
): Promise<NgramWindowShares[]> {
  const grams = [...new Set(ngrams.map((g) => tokenize(g).join(' ')).filter((g) => g !== ''))];
  if (grams.length === 0) return [];
  const w = windowIndexSql(window);
  // tokens never hold a space, so containment of ' g ' in ' t ' is token-sequence containment; read without
  // `FINAL` when that is exact ({@link windowsWithoutFinal}: every row of the run grouped, training the
  // `-If` condition `tr`)
  const t = sql`concat(' ', arrayStringConcat(${TOKENS}, ' '), ' ')`;
  const found = await windowsWithoutFinal(
    client,
    window,
    (final) =>
      sql`SELECT ${w.expr} AS w, countIf(${TRAINING} AS tr) AS n, minIf(session, tr) AS f, maxIf(session, tr) AS l,
            [${join(grams.map((g) => sql`countIf(tr AND position(${t}, ${` ${g} `}) > 0)`))}] AS hits, ${KEY_CHECK}
          FROM sessions ${final} WHERE run = ${run} AND ${w.where}
          GROUP BY w HAVING n > 0 ORDER BY w`,
    ShareRow,
  );
  return grams.map((ngram, i) => ({
    ngram,
    windows: found.map((r) => ({ index: r.w, from: r.f, to: r.l, sessions: r.n, hits: r.hits[i] ?? 0 })),
  }));
}
