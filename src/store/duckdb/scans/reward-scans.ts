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
import type { DuckDbClient } from '../duckdb-client.ts';

type Row = Record<string, unknown>;

// The column is chosen from a closed set, never from user text: it is an identifier, not a value.
const REWARD_COLUMNS: Readonly<Record<RewardColumn, string>> = {
  adjusted_reward: 'adjusted_reward',
  baseline_reward: 'baseline_reward',
};

function column(reward: RewardColumn): string {
  const c = REWARD_COLUMNS[reward];
  if (c === undefined) throw new RangeError(`unknown reward column ${JSON.stringify(reward)}`);
  return c;
}

// 64-bit integers arrive as bigint, doubles as number, SQL NULL as null.
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const int = (v: unknown): number => Number(v ?? 0);

/** Aggregates over the CTE `s(k, session, classification, r)`; `$thr` is the low-reward threshold. */
const AGGREGATES = `min(session) AS first_s, max(session) AS last_s, count(*) AS sessions,
  count(r) AS n, avg(r) AS mean, var_samp(r) AS variance,
  count(*) FILTER (WHERE r < $thr) AS low, count(*) FILTER (WHERE r >= $thr) AS high,
  max(session) FILTER (WHERE r < $thr) AS last_low,
  count(r) FILTER (WHERE classification = 'compliant') AS compliant_n,
  avg(r) FILTER (WHERE classification = 'compliant') AS compliant_mean,
  count(r) FILTER (WHERE classification = 'non_compliant') AS non_compliant_n,
  avg(r) FILTER (WHERE classification = 'non_compliant') AS non_compliant_mean`;

function counts(r: Row) {
  return {
    sessions: int(r.sessions),
    n: int(r.n),
    mean: num(r.mean),
    low: int(r.low),
    high: int(r.high),
    lastLowSession: num(r.last_low),
    compliantN: int(r.compliant_n),
    compliantMean: num(r.compliant_mean),
    nonCompliantN: int(r.non_compliant_n),
    nonCompliantMean: num(r.non_compliant_mean),
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
      const key = byStep ? 'step' : 'CAST(floor((session - 1) / $size) AS BIGINT)';
      const rows = await client.query<Row>({
        sql: `WITH s AS (
                SELECT ${key} AS k, session, classification, ${column(options.reward)} AS r
                FROM sessions WHERE run = $run ${byStep ? 'AND step IS NOT NULL' : ''})
              SELECT k, ${AGGREGATES} FROM s GROUP BY k ORDER BY k`,
        params: byStep
          ? { run, thr: options.lowThreshold }
          : { run, thr: options.lowThreshold, size: w.size },
      });
      return rows.map((r) => {
        const k = int(r.k);
        return {
          index: k,
          from: w.by === 'step' ? int(r.first_s) : k * w.size + 1,
          // the last session present (the nominal (k+1)·W would overstate a run's partial last window)
          to: int(r.last_s),
          lastSession: int(r.last_s),
          variance: num(r.variance),
          ...counts(r),
        };
      });
    },

    async rewardRange(run, options): Promise<RewardRangeRow> {
      const [r] = await client.query<Row>({
        sql: `WITH s AS (
                SELECT session, classification, ${column(options.reward)} AS r
                FROM sessions WHERE run = $run AND session >= $from AND session <= $to)
              SELECT ${AGGREGATES} FROM s`,
        params: { run, thr: options.lowThreshold, from: options.from, to: options.to },
      });
      return { from: options.from, to: options.to, ...counts(r ?? {}) };
    },

    async rewardScale(run: string, reward: RewardColumn): Promise<RewardScale> {
      const c = column(reward);
      const [r] = await client.query<Row>({
        sql: `SELECT count(${c}) AS n, min(${c}) AS lo, max(${c}) AS hi,
                quantile_cont(${c}, 0.05) AS p05, quantile_cont(${c}, 0.95) AS p95
              FROM sessions WHERE run = $run`,
        params: { run },
      });
      return { n: int(r?.n), min: num(r?.lo), max: num(r?.hi), p05: num(r?.p05), p95: num(r?.p95) };
    },

    async clusterSessions(run, options): Promise<ClusterSessionRow[]> {
      const rows = await client.query<Row>({
        sql: `WITH a AS (
                SELECT session, count(*) AS n FROM annotations
                WHERE run = $run AND session >= $from AND session <= $to GROUP BY session),
              e AS (
                SELECT session, list(id ORDER BY id) AS ids FROM events
                WHERE run = $run AND session >= $from AND session <= $to GROUP BY session)
              SELECT s.session, s.classification, s.category, s.baseline_reward, s.adjusted_reward,
                s.differential_pct, s.compliance_trajectory_index, coalesce(a.n, 0) AS annotations,
                coalesce(e.ids, []) AS event_ids, left(s.output, $chars) AS output_start
              FROM sessions s
                LEFT JOIN a ON a.session = s.session
                LEFT JOIN e ON e.session = s.session
              WHERE s.run = $run AND s.session >= $from AND s.session <= $to
              ORDER BY s.session LIMIT $limit`,
        params: { run, from: options.from, to: options.to, limit: options.limit, chars: options.outputChars },
      });
      return rows.map((r) => ({
        session: int(r.session),
        classification: (r.classification as string | null) ?? null,
        category: (r.category as string | null) ?? null,
        baselineReward: num(r.baseline_reward),
        adjustedReward: num(r.adjusted_reward),
        differentialPct: num(r.differential_pct),
        complianceTrajectoryIndex: num(r.compliance_trajectory_index),
        annotations: int(r.annotations),
        eventIds: ((r.event_ids as unknown[] | null) ?? []).map(String),
        outputStart: String(r.output_start ?? ''),
      }));
    },

    async eventsInRange(run: string, from: number, to: number): Promise<ClusterEventRow[]> {
      const rows = await client.query<Row>({
        sql: `SELECT id, session, kind, parameter, CAST(target AS VARCHAR) AS target, from_value, to_value,
                change_pct, recommended_by, note
              FROM events WHERE run = $run AND session >= $from AND session <= $to ORDER BY session, id`,
        params: { run, from, to },
      });
      return rows.map((r) => ({
        id: String(r.id),
        session: int(r.session),
        kind: String(r.kind),
        parameter: String(r.parameter),
        target: String(r.target),
        from: num(r.from_value),
        to: num(r.to_value),
        changePct: num(r.change_pct),
        recommendedBy: (r.recommended_by as string | null) ?? null,
        note: (r.note as string | null) ?? null,
      }));
    },
  };
}
