import { z } from 'zod';
import type { RunLayerScans, RunLayers } from '../../scans/run-layers.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { sql } from '../../sql/sql.ts';
import { nullableNumber, number } from '../decode.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { trainingAnnotations } from './training-annotations.ts';

/** Counts of the run's sessions with each layer; an aggregate without GROUP BY always returns one row. */
const SessionLayersRow = rowDecoder(
  'runLayers',
  z.object({
    sessions: number,
    first_session: nullableNumber,
    last_session: nullableNumber,
    with_step: number,
    steps: number,
    with_classification: number,
    with_category: number,
    with_baseline: number,
    with_adjusted: number,
    with_truth: number,
  }),
);
const CountRow = rowDecoder('runLayerCount', z.object({ n: number }));

export function runLayerScans(client: DuckDbClient): RunLayerScans {
  return {
    async runLayers(run: string): Promise<RunLayers> {
      const [s] = await client.query(
        sql`SELECT count(*) AS sessions, min(session) AS first_session, max(session) AS last_session,
                count(step) AS with_step, count(DISTINCT step) AS steps,
                count(classification) AS with_classification, count(category) AS with_category,
                count(baseline_reward) AS with_baseline, count(adjusted_reward) AS with_adjusted,
                count(*) FILTER (WHERE json_exists(meta, '$.true_behaviour')) AS with_truth
              FROM training_sessions WHERE run = ${run}`,
        SessionLayersRow,
      );
      const [e] = await client.query(sql`SELECT count(*) AS n FROM events WHERE run = ${run}`, CountRow);
      const [a] = await client.query(sql`SELECT count(*) AS n FROM ${trainingAnnotations(run)}`, CountRow);
      return {
        run,
        sessions: s?.sessions ?? 0,
        firstSession: s?.first_session ?? null,
        lastSession: s?.last_session ?? null,
        withStep: s?.with_step ?? 0,
        steps: s?.steps ?? 0,
        withClassification: s?.with_classification ?? 0,
        withCategory: s?.with_category ?? 0,
        withBaselineReward: s?.with_baseline ?? 0,
        withAdjustedReward: s?.with_adjusted ?? 0,
        events: e?.n ?? 0,
        annotations: a?.n ?? 0,
        withGroundTruth: s?.with_truth ?? 0,
      };
    },
  };
}
