import { z } from 'zod';
import type { WindowSpec } from '../../../model/windows.ts';
import type { PhraseSeriesOptions, PhraseSeriesScan, PhraseTarget } from '../../scans/phrase-scans.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { type SqlFragment, sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { int, nullableInt } from '../decode.ts';
import { OUTPUT_NORM } from '../derived-columns.ts';
import { packNullable, trainingRows, unpackNullable } from './scan-sql.ts';
import { targetPattern } from './target-pattern.ts';

const TotalsRow = rowDecoder(
  'phraseTotals',
  z.object({
    n: int,
    hits: int,
    occ_n: int,
    first_s: nullableInt,
    last_s: nullableInt,
    stop_s: nullableInt,
    maxk: int,
    maxk_session: nullableInt,
    at_thr: int,
    episodes: int,
  }),
);
const WindowRow = rowDecoder(
  'phraseWindows',
  z.object({ w: int, f: int, l: int, n: int, hits: int, occ_n: int, maxk: int, maxk_session: nullableInt }),
);
const EpisodeRow = rowDecoder('phraseEpisodes', z.object({ f: int, l: int, peak: int, ps: int }));
const AroundRow = rowDecoder(
  'phraseAroundEvents',
  z.object({ session: int, k: int, hit: int.transform((v) => v === 1) }),
);
const EventRow = rowDecoder(
  'phraseEvents',
  z.object({ e: int, m: int, kat: nullableInt, hb: int, sb: int, ha: int, sa: int, fa: nullableInt }),
);

/** The window of a session: its step (sessions without one are left out), or floor((session − 1) / W). */
export function windowIndexSql(spec: WindowSpec): { expr: SqlFragment; where: SqlFragment } {
  return spec.by === 'step'
    ? { expr: sql`assumeNotNull(step)`, where: sql`step IS NOT NULL` }
    : { expr: sql`toInt64(floor((session - 1) / ${spec.size}))`, where: sql`1` };
}

/** The session (smallest) where `k` is largest: max over (k, −session). */
const argMaxK = sql`-tupleElement(max((k, -session)), 2)`;

/**
 * The per-session series of a phrase (or regex) in session order, as rows: `occ` (occurrences in the
 * normalised output), `hit`, `k` (hits among the last N sessions, this one included), `stop_s` (the first hit
 * followed by more than `stopGap` sessions without one, NULL without hits; the same on every row) and `ep` (one id per run of consecutive sessions with
 * k ≥ threshold). 18.16 has no window functions: the run's (session, step, occ) triples — no text — are
 * sorted in one array on the server, the series computed with `arrayCumSum`, and `ARRAY JOIN`ed back.
 */
function series(run: string, pattern: string, o: PhraseSeriesOptions): SqlFragment {
  const n = o.recentWindow;
  const thr = o.threshold;
  // No lambda reads an array it is not given as an argument: 18.16 evaluates such a captured array wrongly
  // (measured). k = cum − cum shifted by N; the stop session comes from the gaps between hit sessions. The
  // pattern is matched in the innermost query, the one 18.16 sends to the shards: only (session, step, occ)
  // leave them, never the text.
  return sql`(SELECT tupleElement(x, 1) AS session, ${unpackNullable(sql`x`, 2)} AS step, tupleElement(x, 4) AS occ,
        occ > 0 AS hit, k, ep, stop_s
      FROM (
        SELECT a, ks,
          arrayMap((c, i) -> i - c, arrayCumSum(arrayMap(v -> toInt64(v >= ${thr}), ks)), arrayEnumerate(ks)) AS eps,
          if(length(hs) = 0, NULL, toNullable(arrayFirst((h, d) -> d > ${o.stopGap}, hs,
            arrayResize(arrayPopFront(arrayDifference(hs)), length(hs), toInt64(9223372036854775807))))) AS stop_s
        FROM (
          SELECT a, hs,
            arrayMap((c, p) -> c - p, cum,
              arraySlice(arrayConcat(arrayResize(CAST([] AS Array(Int64)), ${n}), cum), 1, length(cum))) AS ks
          FROM (
            SELECT a, arrayCumSum(arrayMap(x -> toInt64(tupleElement(x, 4) > 0), a)) AS cum,
              arrayMap(x -> tupleElement(x, 1), arrayFilter(x -> tupleElement(x, 4) > 0, a)) AS hs
            FROM (
              SELECT arraySort(groupArray((session, ${packNullable(sql`step`)}, occ))) AS a
              FROM (SELECT session, step, toInt64(length(extractAll(${OUTPUT_NORM}, ${pattern}))) AS occ
                    FROM sessions FINAL WHERE ${trainingRows(run)})))))
      ARRAY JOIN a AS x, ks AS k, eps AS ep)`;
}

/**
 * A phrase's (or regex's) series over a run, the twin of src/store/duckdb/scans/phrase-series-scan.ts: the
 * totals, windows, episodes at the threshold and the sessions around each event. Each query recomputes the
 * series (18.16 has no temporary table over stateless HTTP): five passes of the pattern over the run.
 */
export async function phraseSeriesScan(
  client: ClickHouseClient,
  run: string,
  target: PhraseTarget,
  o: PhraseSeriesOptions,
): Promise<PhraseSeriesScan> {
  const pat = await targetPattern(client, target);
  const s = series(run, pat, o);
  const [tot] = await client.query(
    sql`SELECT count() AS n, countIf(hit) AS hits, sum(occ) AS occ_n,
            if(countIf(hit) = 0, NULL, minIf(session, hit)) AS first_s,
            if(countIf(hit) = 0, NULL, maxIf(session, hit)) AS last_s,
            any(stop_s) AS stop_s,
            max(k) AS maxk, if(count() = 0, NULL, ${argMaxK}) AS maxk_session,
            countIf(k >= ${o.threshold}) AS at_thr, uniqExactIf(ep, k >= ${o.threshold}) AS episodes
          FROM ${s}`,
    TotalsRow,
  );
  const w = windowIndexSql(o.window);
  const windows = await client.query(
    sql`SELECT w, min(session) AS f, max(session) AS l, count() AS n, countIf(hit) AS hits, sum(occ) AS occ_n,
            max(k) AS maxk, ${argMaxK} AS maxk_session
          FROM (SELECT *, ${w.expr} AS w FROM ${s} WHERE ${w.where}) GROUP BY w ORDER BY w`,
    WindowRow,
  );
  const episodes = await client.query(
    sql`SELECT min(session) AS f, max(session) AS l, max(k) AS peak, ${argMaxK} AS ps
          FROM ${s} WHERE k >= ${o.threshold} GROUP BY ep ORDER BY f LIMIT ${o.maxEpisodes}`,
    EpisodeRow,
  );
  const eventSessions = [...new Set(o.eventSessions)];
  const around =
    eventSessions.length === 0
      ? []
      : await client.query(
          sql`SELECT session, k, toUInt8(hit) AS hit FROM ${s}
                WHERE arrayExists(e -> session >= e - ${o.around} AND session <= e + ${o.around}, ${eventSessions})
                ORDER BY session`,
          AroundRow,
        );
  // each event with its own M, as one array literal of [session, M] pairs
  const pairKeys = [...new Set(o.eventSessions.map((e, i) => `${e}:${o.horizons?.[i] ?? o.after}`))];
  const pairs = pairKeys.map((p) => p.split(':').map(Number));
  const events =
    pairs.length === 0
      ? []
      : await client.query(
          sql`SELECT e, m, if(countIf(session = e) = 0, NULL, anyIf(k, session = e)) AS kat,
                  countIf(hit AND session < e) AS hb, countIf(session < e) AS sb,
                  countIf(hit AND session > e) AS ha, countIf(session > e) AS sa,
                  if(countIf(hit AND session > e) = 0, NULL, minIf(session, hit AND session > e)) AS fa
                FROM (SELECT session, k, hit, toInt64(p[1]) AS e, toInt64(p[2]) AS m
                      FROM ${s} ARRAY JOIN ${pairs} AS p)
                WHERE session >= e - m AND session <= e + m
                GROUP BY e, m ORDER BY e, m`,
          EventRow,
        );
  const eventRows = new Map(events.map((r) => [`${r.e}:${r.m}`, r]));
  return {
    target,
    sessions: tot?.n ?? 0,
    hitSessions: tot?.hits ?? 0,
    occurrences: tot?.occ_n ?? 0,
    firstSession: tot?.first_s ?? null,
    lastSession: tot?.last_s ?? null,
    stopSession: tot?.stop_s ?? null,
    maxK: tot?.maxk ?? 0,
    maxKSession: tot?.maxk_session ?? null,
    sessionsAtThreshold: tot?.at_thr ?? 0,
    episodesTotal: tot?.episodes ?? 0,
    episodes: episodes.map((r) => ({ from: r.f, to: r.l, peakK: r.peak, peakSession: r.ps })),
    windows: windows.map((r) => ({
      index: r.w,
      from: r.f,
      to: r.l,
      sessions: r.n,
      hitSessions: r.hits,
      occurrences: r.occ_n,
      maxK: r.maxk,
      maxKSession: r.maxk_session,
    })),
    aroundEvents: around,
    events: o.eventSessions.map((session, i) => {
      const r = eventRows.get(`${session}:${o.horizons?.[i] ?? o.after}`);
      return {
        session,
        kAt: r?.kat ?? null,
        hitsBefore: r?.hb ?? 0,
        sessionsBefore: r?.sb ?? 0,
        hitsAfter: r?.ha ?? 0,
        sessionsAfter: r?.sa ?? 0,
        firstHitAfter: r?.fa ?? null,
      };
    }),
  };
}
