import { z } from 'zod';
import type { ExcerptRow, ReportScans, RunInput, SessionIndexRow } from '../../scans/report-scans.ts';
import type { RewardColumn } from '../../scans/reward-scans.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { list, sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { int, nullableInt, nullableText, text } from '../decode.ts';
import {
  leftChars,
  nullableFloat,
  packNullable,
  textList,
  trainingRows,
  unpackNullable,
} from './scan-sql.ts';

const InputRow = rowDecoder(
  'runInputs',
  z.object({
    path: text,
    sha256: nullableText,
    format: text,
    n: int,
    read: nullableInt,
    accepted: nullableInt,
    rejected: nullableInt,
    duplicates: nullableInt,
    conflicts: nullableInt,
    ingested_at: int,
  }),
);
const StepRangeRow = rowDecoder(
  'stepRanges',
  z.object({ st: int, first_s: int, last_s: int, sessions: int }),
);
const CountRow = rowDecoder('sessionCount', z.object({ n: int }));
const IndexCellRow = rowDecoder(
  'sessionIndex',
  z.object({
    cell: int,
    first_s: int,
    last_s: int,
    sessions: int,
    non_compliant: nullableInt,
    reward: nullableFloat,
    step_from: nullableInt,
    step_to: nullableInt,
    flagged: int,
  }),
);
const IndexEventRow = rowDecoder('sessionIndex.events', z.object({ cell: int, ids: textList }));
const IndexCategoryRow = rowDecoder(
  'sessionIndex.categories',
  z.object({ cell: int, label: text, n: int, first_s: int }),
);
const ExcerptSessionRow = rowDecoder(
  'sessionExcerpts',
  z.object({
    session: int,
    classification: nullableText,
    category: nullableText,
    baseline_reward: nullableFloat,
    adjusted_reward: nullableFloat,
    differential_pct: nullableFloat,
    output: text,
  }),
);
const ExcerptAnnotationRow = rowDecoder(
  'sessionExcerpts.annotations',
  z.object({ session: int, id: text, author: nullableText, text: text }),
);
const ExcerptEventRow = rowDecoder('sessionExcerpts.events', z.object({ session: int, id: text }));
const SessionIdRow = rowDecoder('existingSessionIds', z.object({ id: int }));
const TextIdRow = rowDecoder('existingIds', z.object({ id: text }));

const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The report scans of the ClickHouse backend (the twin of src/store/duckdb/scans/report-scans.ts). */
export function reportScans(client: ClickHouseClient): ReportScans {
  return {
    /**
     * Every load of the run. `ingestedAt` is to the second: the ClickHouse tables keep times as `DateTime`
     * (18.16 has no DateTime64).
     */
    async runInputs(run: string): Promise<RunInput[]> {
      const rows = await client.query(
        sql`SELECT path, sha256, format, n, read, accepted, rejected, duplicates, conflicts, ingested_at
              FROM (
                SELECT load_id, sum(c) AS n FROM (
                  SELECT load_id, count() AS c FROM sessions FINAL WHERE run = ${run} GROUP BY load_id
                  UNION ALL SELECT load_id, count() AS c FROM events FINAL WHERE run = ${run} GROUP BY load_id
                  UNION ALL SELECT load_id, count() AS c FROM annotations FINAL
                    WHERE run = ${run} AND nested = 0 GROUP BY load_id
                  UNION ALL SELECT load_id, count() AS c FROM step_metrics FINAL WHERE run = ${run} GROUP BY load_id
                  UNION ALL SELECT load_id, toUInt64(0) AS c FROM rejects FINAL WHERE run = ${run} GROUP BY load_id
                  UNION ALL SELECT load_id, toUInt64(0) AS c FROM loads FINAL
                    WHERE ingest_id GLOBAL IN (SELECT ingest_id FROM ingests FINAL WHERE run_option = ${run}))
                GROUP BY load_id)
              GLOBAL ANY INNER JOIN (
                SELECT load_id, path, sha256, format, read, accepted, rejected, duplicates, conflicts,
                  toInt64(toUnixTimestamp(ifNull(finished_at, started_at))) AS ingested_at
                FROM loads FINAL) USING load_id
              ORDER BY ingested_at, load_id`,
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
        ingestedAt: new Date(r.ingested_at * 1000).toISOString(),
      }));
    },

    async stepRanges(run: string) {
      const rows = await client.query(
        // (a SELECT alias named like a column would stand for it in WHERE and GROUP BY too)
        sql`SELECT assumeNotNull(step) AS st, min(session) AS first_s, max(session) AS last_s, count() AS sessions
              FROM sessions FINAL WHERE ${trainingRows(run)} AND step IS NOT NULL GROUP BY st ORDER BY st`,
        StepRangeRow,
      );
      return rows.map((r) => ({ step: r.st, from: r.first_s, to: r.last_s, sessions: r.sessions }));
    },

    /**
     * The session index over every phase, in cells of ⌈sessions / maxCells⌉ consecutive sessions by rank
     * (one sorted array of small tuples per run, `ARRAY JOIN`ed with positions: no window functions in 18.16).
     * A cell's category is the most frequent among its non-compliant sessions, ties to the one seen first in
     * session order (DuckDB's `mode`).
     */
    async sessionIndex(
      run: string,
      maxCells: number,
      reward: RewardColumn = 'baseline_reward',
    ): Promise<SessionIndexRow[]> {
      const [c] = await client.query(
        sql`SELECT count() AS n FROM sessions FINAL WHERE run = ${run}`,
        CountRow,
      );
      const bucket = Math.max(1, Math.ceil((c?.n ?? 0) / maxCells));
      const rewardColumn = reward === 'adjusted_reward' ? sql`adjusted_reward` : sql`baseline_reward`;
      // (each nullable column as two elements, see packNullable)
      const cells = sql`(SELECT tupleElement(x, 1) AS session, ${unpackNullable(sql`x`, 2)} AS cls,
            ${unpackNullable(sql`x`, 4)} AS cat, tupleElement(x, 6) AS flagged, ${unpackNullable(sql`x`, 7)} AS st,
            ${unpackNullable(sql`x`, 9)} AS rw, toInt64(intDiv(idx - 1, ${bucket})) AS cell
          FROM (SELECT arraySort(groupArray((session, ${packNullable(sql`classification`)}, ${packNullable(sql`category`)},
                       toUInt8(length(flags) > 0), ${packNullable(sql`step`)}, ${packNullable(rewardColumn)}))) AS a
                FROM sessions FINAL WHERE run = ${run})
          ARRAY JOIN a AS x, arrayEnumerate(a) AS idx)`;
      const nc = sql`ifNull(cls = 'non_compliant', 0)`;
      const rows = await client.query(
        sql`SELECT cell, min(session) AS first_s, max(session) AS last_s, count() AS sessions,
                if(count(cls) = 0, NULL, countIf(${nc})) AS non_compliant,
                if(count(rw) = 0, NULL, avg(rw)) AS reward, min(st) AS step_from, max(st) AS step_to,
                max(flagged) AS flagged
              FROM ${cells} GROUP BY cell ORDER BY cell`,
        IndexCellRow,
      );
      const cats = await client.query(
        sql`SELECT cell, assumeNotNull(cat) AS label, count() AS n, min(session) AS first_s
              FROM ${cells} WHERE ${nc} AND cat IS NOT NULL GROUP BY cell, label`,
        IndexCategoryRow,
      );
      // each cell's events in (session, id) order: one row per event, sorted as tuples
      const events = await client.query(
        sql`SELECT cell, arrayMap(y -> tupleElement(y, 2), arraySort(groupArray((session, id)))) AS ids
              FROM (SELECT cell, session FROM ${cells})
              GLOBAL ALL INNER JOIN (SELECT session, id FROM events FINAL WHERE run = ${run}) USING session
              GROUP BY cell`,
        IndexEventRow,
      );
      const eventsOf = new Map(events.map((e) => [e.cell, e.ids]));
      const mode = new Map<number, { cat: string; n: number; first: number }>();
      for (const r of cats) {
        const best = mode.get(r.cell);
        if (!best || r.n > best.n || (r.n === best.n && r.first_s < best.first)) {
          mode.set(r.cell, { cat: r.label, n: r.n, first: r.first_s });
        }
      }
      return rows.map((r) => ({
        from: r.first_s,
        to: r.last_s,
        sessions: r.sessions,
        nonCompliant: r.non_compliant,
        category: mode.get(r.cell)?.cat ?? null,
        reward: r.reward,
        stepFrom: r.step_from,
        stepTo: r.step_to,
        flagged: r.flagged === 1,
        events: eventsOf.get(r.cell) ?? [],
      }));
    },

    async sessionExcerpts(run: string, sessions: readonly number[], maxChars: number): Promise<ExcerptRow[]> {
      const wanted = [...new Set(sessions)].slice(0, 500);
      if (wanted.length === 0) return [];
      // by the key (`IN`: the primary index skips the other granules); a session number is an integer
      const keys = wanted.filter((s) => Number.isSafeInteger(s));
      const found =
        keys.length === 0
          ? []
          : await client.query(
              sql`SELECT session, classification, category, baseline_reward, adjusted_reward, differential_pct,
                ${leftChars(sql`output`, maxChars)} AS output
              FROM sessions FINAL WHERE run = ${run} AND session IN (${list(keys)}) ORDER BY session`,
              ExcerptSessionRow,
            );
      const annotations = await client.query(
        sql`SELECT session, id, author, ${leftChars(sql`text`, maxChars)} AS text FROM annotations FINAL
              WHERE run = ${run} AND has(${wanted}, session)`,
        ExcerptAnnotationRow,
      );
      const events = await client.query(
        sql`SELECT session, id FROM events FINAL WHERE run = ${run} AND has(${wanted}, session)`,
        ExcerptEventRow,
      );
      annotations.sort((a, b) => bytes(a.id, b.id));
      events.sort((a, b) => bytes(a.id, b.id));
      return found.map((r) => ({
        session: r.session,
        classification: r.classification,
        category: r.category,
        baselineReward: r.baseline_reward,
        adjustedReward: r.adjusted_reward,
        differentialPct: r.differential_pct,
        output: r.output,
        annotations: annotations
          .filter((a) => a.session === r.session)
          .map((a) => ({ id: a.id, author: a.author, text: a.text })),
        events: events.filter((e) => e.session === r.session).map((e) => e.id),
      }));
    },

    async existingIds(run, ids) {
      const sessions =
        ids.sessions.length === 0
          ? []
          : await client.query(
              sql`SELECT session AS id FROM sessions FINAL WHERE run = ${run} AND has(${[...ids.sessions]}, session)`,
              SessionIdRow,
            );
      const events =
        ids.events.length === 0
          ? []
          : await client.query(
              sql`SELECT id FROM events FINAL WHERE run = ${run} AND has(${[...ids.events]}, id)`,
              TextIdRow,
            );
      const annotations =
        ids.annotations.length === 0
          ? []
          : await client.query(
              sql`SELECT id FROM annotations FINAL WHERE run = ${run} AND has(${[...ids.annotations]}, id)`,
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
