import type { WindowSpec } from '../../../model/windows.ts';
import type {
  ClusterEventRow,
  ClusterSessionRow,
  RewardColumn,
  RewardRangeRow,
  RewardScale,
  RewardScans,
  RewardWindowRow,
} from '../../scans/reward-scans.ts';
import { rewardColumn } from '../../scans/scan-terms.ts';
import { sql } from '../../sql/sql.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import * as rows from './reward-rows.ts';

/** Aggregates over the CTE `s(k, session, classification, r)`; `thr` is the low-reward threshold. */
const aggregates = (thr: number) => sql`min(session) AS first_s, max(session) AS last_s, count(*) AS sessions,
  count(r) AS n, avg(r) AS mean, var_samp(r) AS variance,
  count(*) FILTER (WHERE r < ${thr}) AS low, count(*) FILTER (WHERE r >= ${thr}) AS high,
  max(session) FILTER (WHERE r < ${thr}) AS last_low,
  count(r) FILTER (WHERE classification = 'compliant') AS compliant_n,
  avg(r) FILTER (WHERE classification = 'compliant') AS compliant_mean,
  count(r) FILTER (WHERE classification = 'non_compliant') AS non_compliant_n,
  avg(r) FILTER (WHERE classification = 'non_compliant') AS non_compliant_mean,
  var_pop(r) FILTER (WHERE classification = 'compliant') * count(r) FILTER (WHERE classification = 'compliant') AS compliant_ss,
  var_pop(r) FILTER (WHERE classification = 'non_compliant') * count(r) FILTER (WHERE classification = 'non_compliant') AS non_compliant_ss`;

function counts(r: rows.RewardAggregates) {
  return {
    sessions: r.sessions,
    n: r.n,
    mean: r.mean,
    low: r.low,
    high: r.high,
    lastLowSession: r.last_low,
    compliantN: r.compliant_n,
    compliantMean: r.compliant_mean,
    nonCompliantN: r.non_compliant_n,
    nonCompliantMean: r.non_compliant_mean,
    compliantSs: r.compliant_ss,
    nonCompliantSs: r.non_compliant_ss,
  };
}

/** DuckDB implementation of {@link RewardScans}: one GROUP BY per call, only per-window rows come back. */
export function rewardScans(client: DuckDbClient): RewardScans {
  return {
    async rewardWindows(
      run: string,
      options: { readonly window: WindowSpec; readonly reward: RewardColumn; readonly lowThreshold: number },
    ): Promise<RewardWindowRow[]> {
      const w = options.window;
      const byStep = w.by === 'step';
      const key = w.by === 'step' ? sql`step` : sql`CAST(floor((session - 1) / ${w.size}) AS BIGINT)`;
      const found = await client.query(
        sql`WITH s AS (
                SELECT ${key} AS k, session, classification, ${rewardColumn(options.reward)} AS r
                FROM training_sessions WHERE run = ${run} ${byStep ? sql`AND step IS NOT NULL` : sql``})
              SELECT k, ${aggregates(options.lowThreshold)} FROM s GROUP BY k ORDER BY k`,
        rows.RewardWindowRow,
      );
      return found.map((r) => ({
        index: r.k,
        from: w.by === 'step' ? r.first_s : r.k * w.size + 1,
        // the last session present (the nominal (k+1)·W would overstate a run's partial last window)
        to: r.last_s,
        lastSession: r.last_s,
        variance: r.variance,
        ...counts(r),
      }));
    },

    async rewardRange(run, options): Promise<RewardRangeRow> {
      const [r] = await client.query(
        sql`WITH s AS (
                SELECT session, classification, ${rewardColumn(options.reward)} AS r
                FROM training_sessions WHERE run = ${run} AND session >= ${options.from} AND session <= ${options.to})
              SELECT ${aggregates(options.lowThreshold)} FROM s`,
        rows.RewardRangeRow,
      );
      // an aggregate without GROUP BY always returns its one row
      return { from: options.from, to: options.to, ...counts(r!) };
    },

    async rewardScale(run: string, reward: RewardColumn): Promise<RewardScale> {
      const c = rewardColumn(reward);
      const [r] = await client.query(
        sql`SELECT count(${c}) AS n, min(${c}) AS lo, max(${c}) AS hi,
                quantile_cont(${c}, 0.05) AS p05, quantile_cont(${c}, 0.95) AS p95
              FROM training_sessions WHERE run = ${run}`,
        rows.RewardScaleRow,
      );
      return { n: r!.n, min: r!.lo, max: r!.hi, p05: r!.p05, p95: r!.p95 };
    },

    async clusterSessions(run, options): Promise<ClusterSessionRow[]> {
      const { from, to } = options;
      const found = await client.query(
        sql`WITH a AS (
                SELECT session, count(*) AS n FROM annotations
                WHERE run = ${run} AND session >= ${from} AND session <= ${to} GROUP BY session),
              e AS (
                SELECT session, list(id ORDER BY id) AS ids FROM events
                WHERE run = ${run} AND session >= ${from} AND session <= ${to} GROUP BY session)
              SELECT s.session, s.classification, s.category, s.baseline_reward, s.adjusted_reward,
                s.differential_pct, s.compliance_trajectory_index, coalesce(a.n, 0) AS annotations,
                coalesce(e.ids, []) AS event_ids, left(s.output, ${options.outputChars}) AS output_start
              FROM training_sessions s
                LEFT JOIN a ON a.session = s.session
                LEFT JOIN e ON e.session = s.session
              WHERE s.run = ${run} AND s.session >= ${from} AND s.session <= ${to}
              ORDER BY s.session LIMIT ${options.limit}`,
        rows.ClusterSessionRow,
      );
      return found.map((r) => ({
        session: r.session,
        classification: r.classification,
        category: r.category,
        baselineReward: r.baseline_reward,
        adjustedReward: r.adjusted_reward,
        differentialPct: r.differential_pct,
        complianceTrajectoryIndex: r.compliance_trajectory_index,
        annotations: r.annotations,
        eventIds: r.event_ids,
        outputStart: r.output_start,
      }));
    },

    async eventsInRange(run: string, from: number, to: number): Promise<ClusterEventRow[]> {
      const found = await client.query(
        sql`SELECT id, session, kind, parameter, CAST(target AS VARCHAR) AS target, from_value, to_value,
                change_pct, recommended_by, note
              FROM events WHERE run = ${run} AND session >= ${from} AND session <= ${to} ORDER BY session, id`,
        rows.ClusterEventRow,
      );
      return found.map((r) => ({
        id: r.id,
        session: r.session,
        kind: r.kind,
        parameter: r.parameter,
        target: r.target,
        from: r.from_value,
        to: r.to_value,
        changePct: r.change_pct,
        recommendedBy: r.recommended_by,
        note: r.note,
      }));
    },
  };
}
