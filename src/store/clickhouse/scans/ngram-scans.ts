import { z } from 'zod';
import type { WindowSpec } from '../../../model/windows.ts';
import { tokenize } from '../../../stats/tokenize.ts';
import type {
  NgramDiscoveryOptions,
  NgramDiscoveryScan,
  NgramWindowShares,
} from '../../scans/phrase-scans.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { join, type SqlFragment, sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { float, int, text } from '../decode.ts';
import { OUTPUT_NORM, OUTPUT_NORM_TOKENS, OUTPUT_TOKENS } from '../derived-columns.ts';
import { clickHouseNgrams } from '../text-sql.ts';
import { windowIndexSql } from './phrase-series-scan.ts';
import { duckDbHash, trainingSessions } from './scan-sql.ts';

const HASH = duckDbHash(sql`session`);

/** The tokens of the normalised output, the scans' unit of text (from the derived columns). */
const TOKENS = OUTPUT_NORM_TOKENS;
/** The columns beside `*` that {@link TOKENS} reads. */
const TOKEN_COLUMNS = [OUTPUT_TOKENS, OUTPUT_NORM];

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

const CountRow = rowDecoder('ngramTotal', z.object({ n: int }));
const SessionRow = rowDecoder('ngramCut', z.object({ session: int }));
const CutRow = rowDecoder('ngramSampleCut', z.object({ part: text, h: z.string(), s: int }));
const PartRow = rowDecoder('ngramParts', z.object({ part: text, f: int, l: int, n: int, ns: int }));
const CandidateRow = rowDecoder(
  'discoverNgrams',
  z.object({ dir: int, g: text, n: int, fc: float, lc: float, score: float }),
);
const ShareRow = rowDecoder(
  'ngramWindowShares',
  z.object({ g: text, w: int, f: int, l: int, n: int, hits: int }),
);

/**
 * N-grams whose share of outputs rose or fell most between the run's first and last parts (the twin of
 * `discoverNgramsScan`). The parts are cut by rank in session order: the sessions at the cut ranks are read
 * with `ORDER BY session LIMIT 1 OFFSET r` (no window functions in 18.16). A part larger than
 * `maxSessionsPerPart` is sampled as DuckDB samples it: the first sessions by (DuckDB's `hash(session)`,
 * session), with {@link duckDbHash}.
 */
export async function discoverNgramsScan(
  client: ClickHouseClient,
  run: string,
  o: NgramDiscoveryOptions,
): Promise<NgramDiscoveryScan> {
  const [c] = await client.query(sql`SELECT count() AS n FROM ${trainingSessions(run)}`, CountRow);
  const total = c?.n ?? 0;
  const size = Math.ceil(total * o.partFraction);
  const at = async (rank: number) => {
    const [r] = await client.query(
      sql`SELECT session FROM ${trainingSessions(run)} ORDER BY session LIMIT 1 OFFSET ${rank - 1}`,
      SessionRow,
    );
    return r?.session ?? null;
  };
  const empty = { from: 0, to: 0, sessions: 0, sampled: 0 };
  if (total === 0 || size < 1) return { first: empty, last: empty, candidates: [] };
  const firstCut = await at(Math.min(size, total));
  const lastStart = await at(Math.max(1, total - size + 1));
  const part = sql`multiIf(session <= ${firstCut}, 'first', session >= ${lastStart}, 'last', '')`;
  const parted = sql`(SELECT session, output, output_tokens, output_norm, ${part} AS part FROM ${trainingSessions(run, TOKEN_COLUMNS)})`;
  // the cap: per part, the (hash, session) of the cap-th session in hash order; at or below it is sampled
  const cuts = await client.query(
    sql`SELECT part, toString(tupleElement(c, 1)) AS h, tupleElement(c, 2) AS s FROM (
          SELECT part, arraySort(groupArray((${HASH}, session)))[${o.maxSessionsPerPart}] AS c,
                 count() AS n
          FROM ${parted} WHERE part != '' GROUP BY part) WHERE n > ${o.maxSessionsPerPart}`,
    CutRow,
  );
  const sampledIn = (p: SqlFragment, name: string): SqlFragment => {
    const cut = cuts.find((x) => x.part === name);
    if (!cut) return sql`${p} = ${name}`;
    const h = BigInt(cut.h);
    return sql`(${p} = ${name} AND (${HASH} < ${h} OR (${HASH} = ${h} AND session <= ${cut.s})))`;
  };
  /** Is the session of part `p` (a column or the expression) in the sample? */
  const sampledAt = (p: SqlFragment) => sql`(${sampledIn(p, 'first')} OR ${sampledIn(p, 'last')})`;
  const sampled = sampledAt(sql`part`);
  const info = await client.query(
    sql`SELECT part, min(session) AS f, max(session) AS l, count() AS n, countIf(${sampled}) AS ns
          FROM ${parted} WHERE part != '' GROUP BY part`,
    PartRow,
  );
  const partOf = (name: string) => {
    const r = info.find((x) => x.part === name);
    return { from: r?.f ?? 0, to: r?.l ?? 0, sessions: r?.n ?? 0, sampled: r?.ns ?? 0 };
  };
  const first = partOf('first');
  const last = partOf('last');
  if (first.sampled === 0 || last.sampled === 0) return { first, last, candidates: [] };
  const n1 = sql`toFloat64(${first.sampled})`;
  const n2 = sql`toFloat64(${last.sampled})`;
  const ns = Array.from({ length: Math.max(0, o.maxN - o.minN + 1) }, (_, i) => o.minN + i);
  // every n-gram of every size at once: a gram's n is its spaces + 1 (tokens hold no space), so grams of
  // different sizes never collide and one arrayDistinct per session is DuckDB's DISTINCT (session, n, g)
  const sampledRow = sql`(run = ${run} AND (phase IS NULL OR phase = 'training') AND ${sampledAt(part)})`;
  // The tokens once, as the alias t (an empty slice of them opens the list; the grams read t), and empty
  // for a session out of the sample: 18.16 applies WHERE after ARRAY JOIN and evaluates both branches of
  // `if`, so only an empty t keeps the n-grams of the unsampled sessions from being built (measured: 10× the
  // work at 1M sessions otherwise).
  const grams = [
    sql`arraySlice(if(${sampledRow}, ${TOKENS}, emptyArrayString()) AS t, 1, 0)`,
    ...ns.map((k) => clickHouseNgrams(sql`t`, k)),
  ];
  // One statement, run where the rows are: the innermost query reads the Distributed table itself, so each
  // shard tokenizes, n-grams and counts its own sampled sessions (only the needed columns, filtered before
  // ARRAY JOIN) and the initiator merges the partial counts; reading it through a subquery of `sessions`
  // would ship every session's text to the initiator and count there on one thread (measured: the dominant
  // statement of the audit at 1M sessions, docs/benchmarks.md "ClickHouse at 1M and 10M"). The rising and
  // falling candidates come from one pass too: each counted gram is joined with both directions and the
  // first `limit` of each kept by `LIMIT … BY`.
  const counts = sql`(SELECT g, toInt64(length(g) - length(replaceAll(g, ' ', '')) + 1) AS n,
        toFloat64(countIf(${part} = 'first')) AS fc, toFloat64(countIf(${part} = 'last')) AS lc
      FROM sessions FINAL
      ARRAY JOIN arrayDistinct(arrayConcat(${join(grams)})) AS g
      WHERE ${sampledRow}
      GROUP BY g HAVING greatest(fc, lc) >= ${o.minSupport})`;
  const scored = sql`(SELECT g, n, fc, lc, ${wilsonLower(sql`lc`, n2)} - ${wilsonUpper(sql`fc`, n1)} AS rise,
      ${wilsonLower(sql`fc`, n1)} - ${wilsonUpper(sql`lc`, n2)} AS fall FROM ${counts})`;
  const both = await client.query(
    sql`SELECT dir, g, n, fc, lc, if(dir = 1, rise, fall) AS score FROM ${scored} ARRAY JOIN [1, 2] AS dir
          WHERE if(dir = 1, rise, fall) > 0
          ORDER BY dir, score DESC, n DESC, g LIMIT ${o.limit} BY dir`,
    CandidateRow,
  );
  const rising = both.filter((r) => r.dir === 1);
  const falling = both.filter((r) => r.dir === 2);
  const candidate = (direction: 'rising' | 'falling') => (r: (typeof rising)[number]) => ({
    ngram: r.g,
    n: r.n,
    firstCount: r.fc,
    lastCount: r.lc,
    firstRate: r.fc / first.sampled,
    lastRate: r.lc / last.sampled,
    score: r.score,
    direction,
  });
  return {
    first,
    last,
    candidates: [...rising.map(candidate('rising')), ...falling.map(candidate('falling'))],
  };
}

/** Per window, the sessions whose tokens contain each n-gram (the twin of `ngramWindowSharesScan`). */
export async function ngramWindowSharesScan(
  client: ClickHouseClient,
  run: string,
  ngrams: readonly string[],
  window: WindowSpec,
): Promise<NgramWindowShares[]> {
  const grams = [...new Set(ngrams.map((g) => tokenize(g).join(' ')).filter((g) => g !== ''))];
  if (grams.length === 0) return [];
  const w = windowIndexSql(window);
  // tokens never hold a space, so containment of ' g ' in ' t ' is token-sequence containment
  const found = await client.query(
    sql`SELECT g, w, min(session) AS f, max(session) AS l, count() AS n,
            countIf(position(t, concat(' ', g, ' ')) > 0) AS hits
          FROM (SELECT session, ${w.expr} AS w, concat(' ', arrayStringConcat(${TOKENS}, ' '), ' ') AS t
                FROM ${trainingSessions(run, TOKEN_COLUMNS)} WHERE ${w.where})
          ARRAY JOIN ${grams} AS g
          GROUP BY g, w ORDER BY g, w`,
    ShareRow,
  );
  return grams.map((ngram) => ({
    ngram,
    windows: found
      .filter((r) => r.g === ngram)
      .map((r) => ({ index: r.w, from: r.f, to: r.l, sessions: r.n, hits: r.hits })),
  }));
}
