import { z } from 'zod';
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
import { rowDecoder } from '../../sql/row-decoder.ts';
import { type SqlFragment, sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { int, nullableInt, nullableText, text } from '../decode.ts';
import { leftChars, nullableFloat, textList, trainingRows, trainingSessions } from './scan-sql.ts';

/**
 * Aggregates over rows `(session, cls, has, r)`: `has` says the reward is present, `r` is it (0 when absent),
 * `cls` the classification ('' when absent). Each mean, variance or last session is NULL where DuckDB's is
 * (no qualifying row; fewer than two for the sample variance).
 *
 * Variances are `varSampStable` / `varPopStable`: Welford's update, as DuckDB's `var_samp` / `var_pop`
 * (bit for bit on the same values in the same order, measured on 18.16). 18.16's `varSamp` lost up to 1e-8
 * of a small window variance (6.4e-8 for rewards near 1) to cancellation — it showed in the report's
 * reward-variance chart labels of the GRPO runs — and on current releases `varSamp` is the naive form.
 */
const aggregates = (thr: number) => {
  const low = sql`has AND r < ${thr}`;
  const c = sql`has AND cls = 'compliant'`;
  const nc = sql`has AND cls = 'non_compliant'`;
  return sql`min(session) AS first_s, max(session) AS last_s, count() AS sessions,
  countIf(has) AS n, if(countIf(has) = 0, NULL, avgIf(r, has)) AS mean,
  if(countIf(has) < 2, NULL, varSampStableIf(r, has)) AS variance,
  countIf(${low}) AS low, countIf(has AND r >= ${thr}) AS high,
  if(countIf(${low}) = 0, NULL, maxIf(session, ${low})) AS last_low,
  countIf(${c}) AS compliant_n, if(countIf(${c}) = 0, NULL, avgIf(r, ${c})) AS compliant_mean,
  countIf(${nc}) AS non_compliant_n, if(countIf(${nc}) = 0, NULL, avgIf(r, ${nc})) AS non_compliant_mean,
  if(countIf(${c}) = 0, NULL, varPopStableIf(r, ${c}) * countIf(${c})) AS compliant_ss,
  if(countIf(${nc}) = 0, NULL, varPopStableIf(r, ${nc}) * countIf(${nc})) AS non_compliant_ss`;
};

/** The rows the aggregates read, from `source`. */
const rewardRows = (reward: RewardColumn, source: SqlFragment, extra: SqlFragment = sql``) =>
  sql`(SELECT session, ifNull(classification, '') AS cls, isNotNull(${rewardColumn(reward)}) AS has,
         ifNull(${rewardColumn(reward)}, 0) AS r${extra} FROM ${source})`;

const aggregateColumns = {
  sessions: int,
  n: int,
  mean: nullableFloat,
  low: int,
  high: int,
  last_low: nullableInt,
  compliant_n: int,
  compliant_mean: nullableFloat,
  non_compliant_n: int,
  non_compliant_mean: nullableFloat,
  compliant_ss: nullableFloat,
  non_compliant_ss: nullableFloat,
};
type Aggregates = z.output<z.ZodObject<typeof aggregateColumns>>;

const RangeRow = rowDecoder('rewardRange', z.object(aggregateColumns));
const WindowRow = rowDecoder(
  'rewardWindows',
  z.object({ ...aggregateColumns, k: int, first_s: int, last_s: int, variance: nullableFloat }),
);
const ScaleRow = rowDecoder(
  'rewardScale',
  z.object({ n: int, lo: nullableFloat, hi: nullableFloat, p05: nullableFloat, p95: nullableFloat }),
);
const SessionRow = rowDecoder(
  'clusterSessions',
  z.object({
    session: int,
    classification: nullableText,
    category: nullableText,
    baseline_reward: nullableFloat,
    adjusted_reward: nullableFloat,
    differential_pct: nullableFloat,
    compliance_trajectory_index: nullableFloat,
    annotations: int,
    event_ids: textList,
    output_start: text,
  }),
);
const EventRow = rowDecoder(
  'eventsInRange',
  z.object({
    id: text,
    session: int,
    kind: text,
    parameter: text,
    target: text,
    from_value: nullableFloat,
    to_value: nullableFloat,
    change_pct: nullableFloat,
    recommended_by: nullableText,
    note: nullableText,
  }),
);

function counts(r: Aggregates) {
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

/**
 * A quantile with linear interpolation between the two nearest ranks over a sorted array `a` (1-based), as
 * DuckDB's `quantile_cont` computes it for doubles: position r = (n − 1)·q, d = r − ⌊r⌋,
 * lo·(1 − d) + hi·d (the same operations in the same order, so the same bits).
 */
export function quantileCont(a: SqlFragment, q: number): SqlFragment {
  const pos = sql`((length(${a}) - 1) * ${q})`;
  const lo = sql`${a}[toUInt64(floor(${pos})) + 1]`;
  const hi = sql`${a}[toUInt64(ceil(${pos})) + 1]`;
  return sql`if(length(${a}) = 0, NULL,
    if(floor(${pos}) = ceil(${pos}), ${lo}, ${lo} * (1 - (${pos} - floor(${pos}))) + ${hi} * (${pos} - floor(${pos}))))`;
}

/** ClickHouse implementation of {@link RewardScans} (the twin of src/store/duckdb/scans/reward-scans.ts). */
export function rewardScans(client: ClickHouseClient): RewardScans {
  return {
    async rewardWindows(
      run: string,
      options: { readonly window: WindowSpec; readonly reward: RewardColumn; readonly lowThreshold: number },
    ): Promise<RewardWindowRow[]> {
      const w = options.window;
      const byStep = w.by === 'step';
      if (!byStep && (!Number.isSafeInteger(w.size) || w.size < 1)) {
        throw new RangeError(`window size must be a positive integer, got ${w.size}`);
      }
      const key = byStep ? sql`assumeNotNull(step)` : sql`toInt64(floor((session - 1) / ${w.size}))`;
      const source = trainingSessions(run, [], byStep ? sql`step IS NOT NULL` : sql`1`);
      const found = await client.query(
        sql`SELECT k, ${aggregates(options.lowThreshold)}
              FROM ${rewardRows(options.reward, source, sql`, ${key} AS k`)} GROUP BY k ORDER BY k`,
        WindowRow,
      );
      return found.map((r) => ({
        index: r.k,
        from: w.by === 'step' ? r.first_s : r.k * w.size + 1,
        to: r.last_s,
        lastSession: r.last_s,
        variance: r.variance,
        ...counts(r),
      }));
    },

    async rewardRange(run, options): Promise<RewardRangeRow> {
      const source = trainingSessions(run, [], sql`session >= ${options.from} AND session <= ${options.to}`);
      const [r] = await client.query(
        sql`SELECT ${aggregates(options.lowThreshold)} FROM ${rewardRows(options.reward, source)}`,
        RangeRow,
      );
      return { from: options.from, to: options.to, ...counts(r!) };
    },

    async rewardScale(run: string, reward: RewardColumn): Promise<RewardScale> {
      const c = rewardColumn(reward);
      // the sorted rewards of the run, in the engine (8 bytes a session), for the interpolated quantiles
      const [r] = await client.query(
        sql`SELECT length(a) AS n, if(length(a) = 0, NULL, a[1]) AS lo, if(length(a) = 0, NULL, a[-1]) AS hi,
                ${quantileCont(sql`a`, 0.05)} AS p05, ${quantileCont(sql`a`, 0.95)} AS p95
              FROM (SELECT arraySort(groupArray(assumeNotNull(${c}))) AS a
                    FROM sessions FINAL WHERE ${trainingRows(run)} AND ${c} IS NOT NULL)`,
        ScaleRow,
      );
      return { n: r!.n, min: r!.lo, max: r!.hi, p05: r!.p05, p95: r!.p95 };
    },

    async clusterSessions(run, options): Promise<ClusterSessionRow[]> {
      const { from, to } = options;
      // joins without NULLs: a session without annotations or events gets 0 and [] (join_use_nulls = 0)
      const found = await client.query(
        sql`SELECT session, classification, category, baseline_reward, adjusted_reward, differential_pct,
                compliance_trajectory_index, annotations, event_ids,
                ${leftChars(sql`output`, options.outputChars)} AS output_start
              FROM (
                SELECT * FROM ${trainingSessions(run, [], sql`session >= ${from} AND session <= ${to}`)}
                GLOBAL ANY LEFT JOIN (
                  SELECT session, count() AS annotations FROM annotations FINAL
                  WHERE run = ${run} AND session >= ${from} AND session <= ${to} GROUP BY session) USING session)
              GLOBAL ANY LEFT JOIN (
                SELECT session, arraySort(groupArray(id)) AS event_ids FROM events FINAL
                WHERE run = ${run} AND session >= ${from} AND session <= ${to} GROUP BY session) USING session
              ORDER BY session LIMIT ${options.limit}`,
        SessionRow,
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
        sql`SELECT id, session, kind, parameter, target, from_value, to_value, change_pct, recommended_by, note
              FROM events FINAL WHERE run = ${run} AND session >= ${from} AND session <= ${to}
              ORDER BY session, id`,
        EventRow,
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
