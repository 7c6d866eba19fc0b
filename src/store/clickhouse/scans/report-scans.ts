import { z } from 'zod';
import type { ExcerptRow, ReportScans, RunInput, SessionIndexRow } from '../../scans/report-scans.ts';
import type { RewardColumn } from '../../scans/reward-scans.ts';
import { type RowDecoder, rowDecoder } from '../../sql/row-decoder.ts';
import { list, sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { float, int, nullableInt, nullableText, text } from '../decode.ts';
import { leftChars, nullableFloat, packNullable, trainingRows, unpackNullable } from './scan-sql.ts';

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
const BoundsRow = rowDecoder('sessionIndex.bounds', z.object({ n: int, lo: int, hi: int }));
const IndexGroupRow = rowDecoder(
  'sessionIndex',
  z.object({
    cell_n: int,
    has_cat: int,
    label: text,
    first_s: int,
    last_s: int,
    sessions: int,
    classified: int,
    non_compliant: int,
    reward_sum: float,
    rewarded: int,
    step_from: nullableInt,
    step_to: nullableInt,
    flagged_n: int,
  }),
);
const IndexEventRow = rowDecoder('sessionIndex.events', z.object({ session: int, id: text }));

/** One cell of the session index while its groups (one per category of its non-compliant sessions) add up. */
interface IndexCell {
  from: number;
  to: number;
  sessions: number;
  classified: number;
  nonCompliant: number;
  rewardSum: number;
  rewarded: number;
  stepFrom: number | null;
  stepTo: number | null;
  flagged: boolean;
  events: string[];
  mode?: { cat: string; n: number; first: number };
}

type IndexGroup = typeof IndexGroupRow extends RowDecoder<infer T> ? T : never;

const cellOf = (g: IndexGroup): IndexCell => ({
  from: g.first_s,
  to: g.last_s,
  sessions: g.sessions,
  classified: g.classified,
  nonCompliant: g.non_compliant,
  rewardSum: g.reward_sum,
  rewarded: g.rewarded,
  stepFrom: g.step_from,
  stepTo: g.step_to,
  flagged: g.flagged_n === 1,
  events: [],
});

const nullable = (a: number | null, b: number | null, f: (x: number, y: number) => number) =>
  a === null ? b : b === null ? a : f(a, b);

function addGroup(c: IndexCell, g: IndexGroup): void {
  c.from = Math.min(c.from, g.first_s);
  c.to = Math.max(c.to, g.last_s);
  c.sessions += g.sessions;
  c.classified += g.classified;
  c.nonCompliant += g.non_compliant;
  c.rewardSum += g.reward_sum;
  c.rewarded += g.rewarded;
  c.stepFrom = nullable(c.stepFrom, g.step_from, Math.min);
  c.stepTo = nullable(c.stepTo, g.step_to, Math.max);
  c.flagged ||= g.flagged_n === 1;
}

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
  /**
   * The run's events at sessions that exist (as DuckDB joins them to the sessions), in (session, id) order:
   * the events, then which of their sessions exist, by key (a GLOBAL IN of every session of the run read
   * them all: 1.6 s at 1M sessions, for a run without a single event).
   */
  async function existingEvents(run: string): Promise<{ session: number; id: string }[]> {
    const found = await client.query(
      sql`SELECT session, id FROM events FINAL WHERE run = ${run}`,
      IndexEventRow,
    );
    if (found.length === 0) return [];
    const lo = found.reduce((m, e) => Math.min(m, e.session), Infinity);
    const hi = found.reduce((m, e) => Math.max(m, e.session), -Infinity);
    const present = await client.query(
      sql`SELECT session AS id FROM sessions FINAL WHERE run = ${run} AND session >= ${lo} AND session <= ${hi}
            AND session GLOBAL IN (SELECT session FROM events FINAL WHERE run = ${run})`,
      SessionIdRow,
    );
    const exists = new Set(present.map((r) => r.id));
    return found
      .filter((e) => exists.has(e.session))
      .sort((a, b) => a.session - b.session || bytes(a.id, b.id));
  }

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
     * The session index over every phase, in cells of ⌈sessions / maxCells⌉ consecutive sessions by rank,
     * in one statement grouped by (cell, category of a non-compliant session), whose groups Node adds up per
     * cell; a cell's category is the most frequent among its non-compliant sessions, ties to the one seen
     * first in session order (DuckDB's `mode`). The cell of a session:
     * - when the run's session numbers are consecutive (count = max − min + 1, so rank = session − min),
     *   arithmetic on the session number, computed on the shards, where the statement aggregates (a plain
     *   distributed `GROUP BY`);
     * - else its rank from one sorted array of small tuples per run on the initiator, `ARRAY JOIN`ed with
     *   positions (no window functions in 18.16), which does not scale with shards (22 s at 10M sessions).
     *   (A binary search over the cell starts, unrolled with aliases, is refused by 18.16: it expands the
     *   aliases, "AST is too big", measured.)
     * Then the events of the run's sessions, each in the cell whose session range holds its session.
     * (Before: three statements, each rebuilding the sorted array: 3 × 1.9 s at 1M sessions, 3 × 22 s at 10M.)
     */
    async sessionIndex(
      run: string,
      maxCells: number,
      reward: RewardColumn = 'baseline_reward',
    ): Promise<SessionIndexRow[]> {
      const [b] = await client.query(
        sql`SELECT count() AS n, min(session) AS lo, max(session) AS hi FROM sessions FINAL WHERE run = ${run}`,
        BoundsRow,
      );
      if (!b || b.n === 0) return [];
      const bucket = Math.max(1, Math.ceil(b.n / maxCells));
      const rewardColumn = reward === 'adjusted_reward' ? sql`adjusted_reward` : sql`baseline_reward`;
      const consecutive = b.hi - b.lo + 1 === b.n;
      // (each nullable column as two elements, see packNullable)
      const ranked = sql`(SELECT tupleElement(x, 1) AS session, ${unpackNullable(sql`x`, 2)} AS classification,
            ${unpackNullable(sql`x`, 4)} AS category, tupleElement(x, 6) AS flagged,
            ${unpackNullable(sql`x`, 7)} AS step, ${unpackNullable(sql`x`, 9)} AS rw,
            toInt64(intDiv(idx - 1, ${bucket})) AS cell
          FROM (SELECT arraySort(groupArray((session, ${packNullable(sql`classification`)}, ${packNullable(sql`category`)},
                       toUInt8(length(flags) > 0), ${packNullable(sql`step`)}, ${packNullable(rewardColumn)}))) AS a
                FROM sessions FINAL WHERE run = ${run})
          ARRAY JOIN a AS x, arrayEnumerate(a) AS idx)`;
      const { from, cell, rw, flagged } = consecutive
        ? {
            from: sql`sessions FINAL WHERE run = ${run}`,
            cell: sql`toInt64(intDiv(session - ${b.lo}, ${bucket}))`,
            rw: rewardColumn,
            flagged: sql`toUInt8(length(flags) > 0)`,
          }
        : { from: ranked, cell: sql`cell`, rw: sql`rw`, flagged: sql`flagged` };
      const nc = sql`ifNull(classification = 'non_compliant', 0)`;
      const groups = await client.query(
        sql`SELECT ${cell} AS cell_n, toUInt8(${nc} AND category IS NOT NULL) AS has_cat,
                if(has_cat = 1, assumeNotNull(category), '') AS label,
                min(session) AS first_s, max(session) AS last_s, count() AS sessions,
                count(classification) AS classified, countIf(${nc}) AS non_compliant,
                sum(ifNull(${rw}, 0)) AS reward_sum, count(${rw}) AS rewarded,
                min(step) AS step_from, max(step) AS step_to, max(${flagged}) AS flagged_n
              FROM ${from} GROUP BY cell_n, has_cat, label`,
        IndexGroupRow,
      );
      const byCell = new Map<number, IndexCell>();
      for (const g of groups) {
        const c = byCell.get(g.cell_n);
        if (c) addGroup(c, g);
        else byCell.set(g.cell_n, cellOf(g));
        const cell = byCell.get(g.cell_n)!;
        const best = cell.mode;
        if (
          g.has_cat === 1 &&
          (!best || g.non_compliant > best.n || (g.non_compliant === best.n && g.first_s < best.first))
        ) {
          cell.mode = { cat: g.label, n: g.non_compliant, first: g.first_s };
        }
      }
      const cells = [...byCell.entries()].sort(([x], [y]) => x - y).map(([, c]) => c);
      for (const e of await existingEvents(run)) {
        // the cells' session ranges are disjoint and in order: the last starting at or below the session
        let lo = 0;
        let hi = cells.length;
        while (lo < hi) {
          const m = (lo + hi) >>> 1;
          if (cells[m]!.from <= e.session) lo = m + 1;
          else hi = m;
        }
        cells[lo - 1]?.events.push(e.id);
      }
      return cells.map((c) => ({
        from: c.from,
        to: c.to,
        sessions: c.sessions,
        nonCompliant: c.classified === 0 ? null : c.nonCompliant,
        category: c.mode?.cat ?? null,
        reward: c.rewarded === 0 ? null : c.rewardSum / c.rewarded,
        stepFrom: c.stepFrom,
        stepTo: c.stepTo,
        flagged: c.flagged,
        events: c.events,
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
