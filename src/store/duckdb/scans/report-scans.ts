import { listValue } from '@duckdb/node-api';
import type { ExcerptRow, ReportScans, SessionIndexRow } from '../../scans/report-scans.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { num } from '../values.ts';

export function reportScans(client: DuckDbClient): ReportScans {
  return {
    async runInputs(run: string) {
      const rows = await client.query<{ path: string; sha256: string | null; n: bigint }>({
        sql: `SELECT l.path, l.sha256, sum(n) AS n FROM (
                SELECT load_id, count(*) AS n FROM sessions WHERE run = $run GROUP BY load_id
                UNION ALL SELECT load_id, count(*) FROM events WHERE run = $run GROUP BY load_id
                UNION ALL SELECT load_id, count(*) FROM annotations WHERE run = $run AND NOT nested GROUP BY load_id
              ) x JOIN loads l USING (load_id) GROUP BY l.path, l.sha256 ORDER BY l.path`,
        params: { run },
      });
      return rows.map((r) => ({ path: r.path, sha256: r.sha256, rows: Number(r.n) }));
    },

    async sessionIndex(run: string, maxCells: number): Promise<SessionIndexRow[]> {
      const [c] = await client.query<{ n: bigint }>({
        sql: 'SELECT count(*) AS n FROM sessions WHERE run = $run',
        params: { run },
      });
      const bucket = Math.max(1, Math.ceil(Number(c?.n ?? 0) / maxCells));
      // buckets of consecutive sessions in session order (rank, not session number, so gaps do not leave holes)
      const rows = await client.query<Record<string, unknown>>({
        sql: `WITH s AS (
                SELECT session, classification, category, len(coalesce(flags, [])) > 0 AS flagged,
                       (row_number() OVER (ORDER BY session) - 1) // $bucket AS cell
                FROM sessions WHERE run = $run),
              e AS (SELECT session, list(id ORDER BY id) AS ids FROM events WHERE run = $run GROUP BY session)
              SELECT cell, min(s.session) AS "from", max(s.session) AS "to", count(*) AS sessions,
                     CASE WHEN count(classification) = 0 THEN NULL
                          ELSE count(*) FILTER (WHERE classification = 'non_compliant') END AS non_compliant,
                     mode(category) FILTER (WHERE classification = 'non_compliant') AS category,
                     bool_or(flagged) AS flagged,
                     flatten(list(e.ids) FILTER (WHERE e.ids IS NOT NULL)) AS events
              FROM s LEFT JOIN e USING (session)
              GROUP BY cell ORDER BY cell`,
        params: { run, bucket },
      });
      return rows.map((r) => ({
        from: Number(r.from),
        to: Number(r.to),
        sessions: Number(r.sessions),
        nonCompliant: num(r.non_compliant),
        category: (r.category as string | null) ?? null,
        flagged: Boolean(r.flagged),
        events: (r.events as string[] | null) ?? [],
      }));
    },

    async sessionExcerpts(run: string, sessions: readonly number[], maxChars: number): Promise<ExcerptRow[]> {
      const wanted = [...new Set(sessions)].slice(0, 500);
      if (wanted.length === 0) return [];
      const ids = listValue(wanted.map((s) => BigInt(s)));
      const rows = await client.query<Record<string, unknown>>({
        sql: `SELECT s.session, s.classification, s.category, s.baseline_reward, s.adjusted_reward, s.differential_pct,
                     left(s.output, $chars) AS output,
                     (SELECT list({'id': a.id, 'author': a.author, 'text': left(a.text, $chars)} ORDER BY a.id)
                        FROM annotations a WHERE a.run = s.run AND a.session = s.session) AS annotations,
                     (SELECT list(e.id ORDER BY e.id) FROM events e WHERE e.run = s.run AND e.session = s.session) AS events
              FROM sessions s WHERE s.run = $run AND list_contains($ids, s.session) ORDER BY s.session`,
        params: { run, ids, chars: maxChars },
      });
      return rows.map((r) => ({
        session: Number(r.session),
        classification: (r.classification as string | null) ?? null,
        category: (r.category as string | null) ?? null,
        baselineReward: num(r.baseline_reward),
        adjustedReward: num(r.adjusted_reward),
        differentialPct: num(r.differential_pct),
        output: String(r.output ?? ''),
        annotations: (
          (r.annotations as { id: string; author: string | null; text: string }[] | null) ?? []
        ).map((a) => ({ id: a.id, author: a.author, text: a.text })),
        events: (r.events as string[] | null) ?? [],
      }));
    },

    async existingIds(run, ids) {
      const q = async <T>(sql: string, values: readonly T[], toValue: (v: T) => bigint | string) => {
        if (values.length === 0) return [] as string[];
        const rows = await client.query<{ id: unknown }>({
          sql,
          params: { run, ids: listValue(values.map(toValue)) },
        });
        return rows.map((r) => String(r.id));
      };
      return {
        sessions: (
          await q(
            'SELECT session AS id FROM sessions WHERE run = $run AND list_contains($ids, session)',
            ids.sessions,
            (s) => BigInt(s),
          )
        ).map(Number),
        events: await q(
          'SELECT id FROM events WHERE run = $run AND list_contains($ids, id)',
          ids.events,
          (s) => s,
        ),
        annotations: await q(
          'SELECT id FROM annotations WHERE run = $run AND list_contains($ids, id)',
          ids.annotations,
          (s) => s,
        ),
      };
    },
  };
}
