import { z } from 'zod';
import type { ExcerptRow, ReportScans, SessionIndexRow } from '../../scans/report-scans.ts';
import type { RewardColumn } from '../../scans/reward-scans.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { sql } from '../../sql/sql.ts';
import { isoTimestamp, listOf, nullableNumber, nullableText, number, text, textOrEmpty } from '../decode.ts';
import type { DuckDbClient } from '../duckdb-client.ts';

/** Rows per input file; `n` is a `sum` of counts, so HUGEINT (a bigint). */
const InputRow = rowDecoder(
  'runInputs',
  z.object({
    path: text,
    sha256: nullableText,
    format: text,
    n: number,
    read: nullableNumber,
    accepted: nullableNumber,
    rejected: nullableNumber,
    duplicates: nullableNumber,
    conflicts: nullableNumber,
    ingested_at: isoTimestamp,
  }),
);
const StepRangeRow = rowDecoder(
  'stepRanges',
  z.object({ step: number, from: number, to: number, sessions: number }),
);
const CountRow = rowDecoder('sessionCount', z.object({ n: number }));

/**
 * A cell of the session index. `non_compliant` is NULL when no session of the cell is classified; `events`
 * is NULL when the cell has none; `flagged` (a `bool_or`) is read as true only when true.
 */
const IndexCellRow = rowDecoder(
  'sessionIndex',
  z.object({
    from: number,
    to: number,
    sessions: number,
    non_compliant: nullableNumber,
    category: nullableText,
    reward: nullableNumber,
    step_from: nullableNumber,
    step_to: nullableNumber,
    flagged: z
      .boolean()
      .nullable()
      .transform((v) => v === true),
    events: listOf(text),
  }),
);

/** A session excerpt; `annotations` is a LIST of STRUCTs, NULL when the session has none. */
const ExcerptSessionRow = rowDecoder(
  'sessionExcerpts',
  z.object({
    session: number,
    classification: nullableText,
    category: nullableText,
    baseline_reward: nullableNumber,
    adjusted_reward: nullableNumber,
    differential_pct: nullableNumber,
    output: textOrEmpty,
    annotations: listOf(z.object({ id: text, author: nullableText, text: text })),
    events: listOf(text),
  }),
);

const SessionIdRow = rowDecoder('existingSessionIds', z.object({ id: number }));
const TextIdRow = rowDecoder('existingIds', z.object({ id: text }));

export function reportScans(client: DuckDbClient): ReportScans {
  return {
    async runInputs(run: string) {
      // every load of the run: those whose rows it holds (sessions, events, annotations, step metrics,
      // rejects) and those read into it that added nothing (a file ingested again: all duplicates)
      const rows = await client.query(
        sql`WITH held AS (
                SELECT load_id, count(*) AS n FROM sessions WHERE run = ${run} GROUP BY load_id
                UNION ALL SELECT load_id, count(*) FROM events WHERE run = ${run} GROUP BY load_id
                UNION ALL SELECT load_id, count(*) FROM annotations WHERE run = ${run} AND NOT nested GROUP BY load_id
                UNION ALL SELECT load_id, count(*) FROM step_metrics WHERE run = ${run} GROUP BY load_id
                UNION ALL SELECT load_id, 0 FROM rejects WHERE run = ${run} GROUP BY load_id
                UNION ALL SELECT l.load_id, 0 FROM loads l JOIN ingests i USING (ingest_id)
                          WHERE i.run_option = ${run}
              ), per_load AS (SELECT load_id, sum(n) AS n FROM held GROUP BY load_id)
              SELECT l.path, l.sha256, l.format, p.n, l.read, l.accepted, l.rejected, l.duplicates, l.conflicts,
                     coalesce(l.finished_at, l.started_at) AS ingested_at
              FROM per_load p JOIN loads l USING (load_id)
              ORDER BY ingested_at, l.load_id`,
        InputRow,
      );
      return rows.map((r) => ({
        path: r.path,
        sha256: r.sha256,
        format: r.format,
        rows: r.n,
        read: r.read,
        accepted: r.accepted,
        rejected: r.rejected,
        duplicates: r.duplicates,
        conflicts: r.conflicts,
        ingestedAt: r.ingested_at,
      }));
    },

    async stepRanges(run: string) {
      return client.query(
        sql`SELECT step, min(session) AS "from", max(session) AS "to", count(*) AS sessions
            FROM training_sessions WHERE run = ${run} AND step IS NOT NULL GROUP BY step ORDER BY step`,
        StepRangeRow,
      );
    },

    async sessionIndex(
      run: string,
      maxCells: number,
      reward: RewardColumn = 'baseline_reward',
    ): Promise<SessionIndexRow[]> {
      const adjusted = reward === 'adjusted_reward';
      const [c] = await client.query(sql`SELECT count(*) AS n FROM sessions WHERE run = ${run}`, CountRow);
      const bucket = Math.max(1, Math.ceil((c?.n ?? 0) / maxCells));
      // buckets of consecutive sessions in session order (rank, not session number, so gaps do not leave holes)
      const rows = await client.query(
        sql`WITH s AS (
                SELECT session, classification, category, len(coalesce(flags, [])) > 0 AS flagged, step,
                       CASE WHEN ${adjusted} THEN adjusted_reward ELSE baseline_reward END AS reward,
                       (row_number() OVER (ORDER BY session) - 1) // ${bucket} AS cell
                FROM sessions WHERE run = ${run}),
              e AS (SELECT session, list(id ORDER BY id) AS ids FROM events WHERE run = ${run} GROUP BY session)
              SELECT cell, min(s.session) AS "from", max(s.session) AS "to", count(*) AS sessions,
                     CASE WHEN count(classification) = 0 THEN NULL
                          ELSE count(*) FILTER (WHERE classification = 'non_compliant') END AS non_compliant,
                     mode(category) FILTER (WHERE classification = 'non_compliant') AS category,
                     avg(reward) AS reward, min(step) AS step_from, max(step) AS step_to,
                     bool_or(flagged) AS flagged,
                     flatten(list(e.ids) FILTER (WHERE e.ids IS NOT NULL)) AS events
              FROM s LEFT JOIN e USING (session)
              GROUP BY cell ORDER BY cell`,
        IndexCellRow,
      );
      return rows.map((r) => ({
        from: r.from,
        to: r.to,
        sessions: r.sessions,
        nonCompliant: r.non_compliant,
        category: r.category,
        reward: r.reward,
        stepFrom: r.step_from,
        stepTo: r.step_to,
        flagged: r.flagged,
        events: r.events,
      }));
    },

    async sessionExcerpts(run: string, sessions: readonly number[], maxChars: number): Promise<ExcerptRow[]> {
      const wanted = [...new Set(sessions)].slice(0, 500);
      if (wanted.length === 0) return [];
      const ids = wanted.map((s) => BigInt(s));
      const rows = await client.query(
        sql`SELECT s.session, s.classification, s.category, s.baseline_reward, s.adjusted_reward, s.differential_pct,
                     left(s.output, ${maxChars}) AS output,
                     (SELECT list({'id': a.id, 'author': a.author, 'text': left(a.text, ${maxChars})} ORDER BY a.id)
                        FROM annotations a WHERE a.run = s.run AND a.session = s.session) AS annotations,
                     (SELECT list(e.id ORDER BY e.id) FROM events e WHERE e.run = s.run AND e.session = s.session) AS events
              FROM sessions s WHERE s.run = ${run} AND list_contains(${ids}, s.session) ORDER BY s.session`,
        ExcerptSessionRow,
      );
      return rows.map((r) => ({
        session: r.session,
        classification: r.classification,
        category: r.category,
        baselineReward: r.baseline_reward,
        adjustedReward: r.adjusted_reward,
        differentialPct: r.differential_pct,
        output: r.output,
        annotations: r.annotations,
        events: r.events,
      }));
    },

    async existingIds(run, ids) {
      // each id list travels as ONE bound LIST value; an empty list has no element type, so it is not asked
      const sessionIds = ids.sessions.map((s) => BigInt(s));
      const sessions =
        sessionIds.length === 0
          ? []
          : await client.query(
              sql`SELECT session AS id FROM sessions WHERE run = ${run} AND list_contains(${sessionIds}, session)`,
              SessionIdRow,
            );
      const events =
        ids.events.length === 0
          ? []
          : await client.query(
              sql`SELECT id FROM events WHERE run = ${run} AND list_contains(${ids.events}, id)`,
              TextIdRow,
            );
      const annotations =
        ids.annotations.length === 0
          ? []
          : await client.query(
              sql`SELECT id FROM annotations WHERE run = ${run} AND list_contains(${ids.annotations}, id)`,
              TextIdRow,
            );
      return {
        sessions: sessions.map((r) => r.id),
        events: events.map((r) => r.id),
        annotations: annotations.map((r) => r.id),
      };
    },
  };
}
