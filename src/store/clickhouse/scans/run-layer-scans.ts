import { z } from 'zod';
import type { RunLayerScans, RunLayers } from '../../scans/run-layers.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { int, nullableInt } from '../decode.ts';
import { trainingRows } from './scan-sql.ts';
import { trainingAnnotations } from './training-annotations.ts';

const SessionLayersRow = rowDecoder(
  'runLayers',
  z.object({
    sessions: int,
    first_session: nullableInt,
    last_session: nullableInt,
    with_step: int,
    steps: int,
    with_classification: int,
    with_category: int,
    with_baseline: int,
    with_adjusted: int,
    with_truth: int,
  }),
);
const CountRow = rowDecoder('runLayerCount', z.object({ n: int }));

/**
 * The ClickHouse twin of src/store/duckdb/scans/run-layer-scans.ts. Ground truth is a `true_behaviour` key
 * in the session's meta JSON (`visitParamHas`: 18.16 has no JSON path functions; it finds the key at any
 * depth, where DuckDB's `json_exists(meta, '$.true_behaviour')` looks at the top level only).
 */
export function runLayerScans(client: ClickHouseClient): RunLayerScans {
  return {
    async runLayers(run: string): Promise<RunLayers> {
      const [s] = await client.query(
        sql`SELECT count() AS sessions, if(count() = 0, NULL, min(session)) AS first_session,
                if(count() = 0, NULL, max(session)) AS last_session,
                count(step) AS with_step, ifNull(uniqExact(step), 0) AS steps,
                count(classification) AS with_classification, count(category) AS with_category,
                count(baseline_reward) AS with_baseline, count(adjusted_reward) AS with_adjusted,
                countIf(ifNull(visitParamHas(meta, 'true_behaviour'), 0)) AS with_truth
              FROM sessions FINAL WHERE ${trainingRows(run)}`,
        SessionLayersRow,
      );
      const [e] = await client.query(sql`SELECT count() AS n FROM events FINAL WHERE run = ${run}`, CountRow);
      const [a] = await client.query(sql`SELECT count() AS n FROM ${trainingAnnotations(run)}`, CountRow);
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
