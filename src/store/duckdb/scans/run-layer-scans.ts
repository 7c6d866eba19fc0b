import type { RunLayerScans, RunLayers } from '../../scans/run-layers.ts';
import type { DuckDbClient } from '../duckdb-client.ts';

export function runLayerScans(client: DuckDbClient): RunLayerScans {
  return {
    async runLayers(run: string): Promise<RunLayers> {
      const [s] = await client.query<Record<string, bigint | number | null>>({
        sql: `SELECT count(*) AS sessions, min(session) AS first_session, max(session) AS last_session,
                count(step) AS with_step, count(DISTINCT step) AS steps,
                count(classification) AS with_classification, count(category) AS with_category,
                count(baseline_reward) AS with_baseline, count(adjusted_reward) AS with_adjusted,
                count(*) FILTER (WHERE json_exists(meta, '$.true_behaviour')) AS with_truth
              FROM sessions WHERE run = $run`,
        params: { run },
      });
      const [e] = await client.query<{ n: bigint }>({
        sql: 'SELECT count(*) AS n FROM events WHERE run = $run',
        params: { run },
      });
      const [a] = await client.query<{ n: bigint }>({
        sql: 'SELECT count(*) AS n FROM annotations WHERE run = $run',
        params: { run },
      });
      const n = (v: bigint | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
      return {
        run,
        sessions: n(s?.sessions) ?? 0,
        firstSession: n(s?.first_session),
        lastSession: n(s?.last_session),
        withStep: n(s?.with_step) ?? 0,
        steps: n(s?.steps) ?? 0,
        withClassification: n(s?.with_classification) ?? 0,
        withCategory: n(s?.with_category) ?? 0,
        withBaselineReward: n(s?.with_baseline) ?? 0,
        withAdjustedReward: n(s?.with_adjusted) ?? 0,
        events: Number(e?.n ?? 0),
        annotations: Number(a?.n ?? 0),
        withGroundTruth: n(s?.with_truth) ?? 0,
      };
    },
  };
}
