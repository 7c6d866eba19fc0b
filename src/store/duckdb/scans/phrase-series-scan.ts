import type { WindowSpec } from '../../../model/windows.ts';
import type { PhraseSeriesOptions, PhraseSeriesScan, PhraseTarget } from '../../scans/phrase-scans.ts';
import { ident, type SqlFragment, sql } from '../../sql/sql.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { duckdbNormalise } from '../normalise-sql.ts';
import * as rows from './phrase-rows.ts';
import { targetPattern } from './target-pattern.ts';

/** The window of a session: its step, or floor((session − 1) / W) (`//` on BIGINT). */
export function windowIndexSql(spec: WindowSpec): SqlFragment {
  return spec.by === 'step' ? sql`step` : sql`(session - 1) // ${spec.size}`;
}

let tempCounter = 0;

/**
 * A phrase's (or regex's) series over a run: per session its occurrences and `k` of the last N, then the
 * totals, windows, episodes at the threshold and the sessions around each event — all from one temp table
 * of per-session hits, made once per call and dropped in `finally`.
 */
export async function phraseSeriesScan(
  client: DuckDbClient,
  run: string,
  target: PhraseTarget,
  o: PhraseSeriesOptions,
): Promise<PhraseSeriesScan> {
  const pat = await targetPattern(client, target);
  // Our own name (never a user value), quoted as an identifier: one temp table per call.
  const t = ident(`rlaudit_phrase_hits_${++tempCounter}`);
  await client.exec(
    sql`CREATE TEMP TABLE ${t} AS
          SELECT session, step, occ, occ > 0 AS hit,
            sum((occ > 0)::INT) OVER (ORDER BY session ROWS BETWEEN ${o.recentWindow - 1} PRECEDING AND CURRENT ROW) AS k,
            CASE WHEN occ > 0 THEN lead(session) OVER (PARTITION BY occ > 0 ORDER BY session) END AS next_hit
          FROM (SELECT session, step, len(regexp_extract_all(${duckdbNormalise(sql`output`)}, ${pat})) AS occ
                FROM training_sessions WHERE run = ${run})`,
  );
  try {
    const [tot] = await client.query(
      sql`SELECT count(*) AS n, count(*) FILTER (WHERE hit) AS hits, sum(occ) AS occ,
              min(session) FILTER (WHERE hit) AS first, max(session) FILTER (WHERE hit) AS last,
              min(session) FILTER (WHERE hit AND (next_hit IS NULL OR next_hit - session > ${o.stopGap})) AS stop,
              max(k) AS maxk, arg_min(session, -k * 1e15 + session) AS maxk_session,
              count(*) FILTER (WHERE k >= ${o.threshold}) AS at_thr
            FROM ${t}`,
      rows.PhraseTotalsRow,
    );
    const windows = await client.query(
      sql`SELECT w, min(session) AS f, max(session) AS l, count(*) AS n, count(*) FILTER (WHERE hit) AS hits,
              sum(occ) AS occ, max(k) AS maxk, min(session) FILTER (WHERE k = wmax) AS maxk_session
            FROM (SELECT *, ${windowIndexSql(o.window)} AS w, max(k) OVER (PARTITION BY ${windowIndexSql(o.window)}) AS wmax
                  FROM ${t}) WHERE w IS NOT NULL GROUP BY w ORDER BY w`,
      rows.PhraseWindowRow,
    );
    const episodes = await client.query(
      sql`SELECT min(session) AS f, max(session) AS l, max(k) AS peak, arg_min(session, -k * 1e15 + session) AS ps,
              count(*) OVER () AS total
            FROM (SELECT session, k, rn - row_number() OVER (ORDER BY session) AS g
                  FROM (SELECT session, k, row_number() OVER (ORDER BY session) AS rn FROM ${t}) WHERE k >= ${o.threshold})
            GROUP BY g ORDER BY f LIMIT ${o.maxEpisodes}`,
      rows.PhraseEpisodeRow,
    );
    // the event sessions travel as one bound text, split in the engine
    const ev = o.eventSessions.join(',');
    const around =
      ev === ''
        ? []
        : await client.query(
            sql`SELECT DISTINCT session, k, hit FROM ${t}
                  SEMI JOIN (SELECT unnest(string_split(${ev}, ','))::BIGINT AS e)
                    ON session BETWEEN e - ${o.around} AND e + ${o.around}
                  ORDER BY session`,
            rows.PhraseAroundRow,
          );
    // each event with its own M, as one bound text of SESSION:M pairs
    const pairs = o.eventSessions.map((s, i) => `${s}:${o.horizons?.[i] ?? o.after}`).join(',');
    const events =
      ev === ''
        ? []
        : await client.query(
            sql`SELECT e, m, any_value(k) FILTER (WHERE session = e) AS kat,
                    count(*) FILTER (WHERE hit AND session < e) AS hb, count(*) FILTER (WHERE session < e) AS sb,
                    count(*) FILTER (WHERE hit AND session > e) AS ha, count(*) FILTER (WHERE session > e) AS sa,
                    min(session) FILTER (WHERE hit AND session > e) AS fa
                  FROM (SELECT DISTINCT split_part(p, ':', 1)::BIGINT AS e, split_part(p, ':', 2)::BIGINT AS m
                        FROM (SELECT unnest(string_split(${pairs}, ',')) AS p))
                  LEFT JOIN ${t} ON session BETWEEN e - m AND e + m GROUP BY e, m ORDER BY e, m`,
            rows.PhraseEventRow,
          );
    const eventRows = new Map(events.map((r) => [`${r.e}:${r.m}`, r]));
    return {
      target,
      sessions: tot?.n ?? 0,
      hitSessions: tot?.hits ?? 0,
      occurrences: tot?.occ ?? 0,
      firstSession: tot?.first ?? null,
      lastSession: tot?.last ?? null,
      stopSession: tot?.stop ?? null,
      maxK: tot?.maxk ?? 0,
      maxKSession: tot?.maxk_session ?? null,
      sessionsAtThreshold: tot?.at_thr ?? 0,
      episodesTotal: episodes[0]?.total ?? 0,
      episodes: episodes.map((r) => ({ from: r.f, to: r.l, peakK: r.peak, peakSession: r.ps })),
      windows: windows.map((r) => ({
        index: r.w,
        from: r.f,
        to: r.l,
        sessions: r.n,
        hitSessions: r.hits,
        occurrences: r.occ,
        maxK: r.maxk,
        maxKSession: r.maxk_session,
      })),
      aroundEvents: around,
      events: o.eventSessions.map((s, i) => {
        const r = eventRows.get(`${s}:${o.horizons?.[i] ?? o.after}`);
        return {
          session: s,
          kAt: r?.kat ?? null,
          hitsBefore: r?.hb ?? 0,
          sessionsBefore: r?.sb ?? 0,
          hitsAfter: r?.ha ?? 0,
          sessionsAfter: r?.sa ?? 0,
          firstHitAfter: r?.fa ?? null,
        };
      }),
    };
  } finally {
    await client.exec(sql`DROP TABLE IF EXISTS ${t}`);
  }
}
