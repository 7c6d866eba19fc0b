import { z } from 'zod';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { listOf, nullableNumber, nullableText, number, text, textOrEmpty } from '../decode.ts';

/**
 * The reward aggregates of a set of sessions (counts are BIGINT, never NULL; a mean or the last low session
 * is NULL when no session qualifies). `rewardRange` aggregates without GROUP BY, so its one row exists even
 * for an empty range; its `first_s`/`last_s` are then NULL and are not read.
 */
const aggregates = {
  sessions: number,
  n: number,
  mean: nullableNumber,
  low: number,
  high: number,
  last_low: nullableNumber,
  compliant_n: number,
  compliant_mean: nullableNumber,
  non_compliant_n: number,
  non_compliant_mean: nullableNumber,
  compliant_ss: nullableNumber,
  non_compliant_ss: nullableNumber,
};

export type RewardAggregates = z.output<z.ZodObject<typeof aggregates>>;

export const RewardRangeRow = rowDecoder('rewardRange', z.object(aggregates));

/** One row per window: `k` is the window index (or the step), `first_s`/`last_s` the sessions present. */
export const RewardWindowRow = rowDecoder(
  'rewardWindows',
  z.object({ ...aggregates, k: number, first_s: number, last_s: number, variance: nullableNumber }),
);

/** Quantiles of a reward column over the run (all NULL when it holds no value). */
export const RewardScaleRow = rowDecoder(
  'rewardScale',
  z.object({
    n: number,
    lo: nullableNumber,
    hi: nullableNumber,
    p05: nullableNumber,
    p95: nullableNumber,
  }),
);

/** A session of a cluster; `event_ids` is a LIST (coalesced to `[]`), `annotations` a coalesced count. */
export const ClusterSessionRow = rowDecoder(
  'clusterSessions',
  z.object({
    session: number,
    classification: nullableText,
    category: nullableText,
    baseline_reward: nullableNumber,
    adjusted_reward: nullableNumber,
    differential_pct: nullableNumber,
    compliance_trajectory_index: nullableNumber,
    annotations: number,
    event_ids: listOf(text),
    output_start: textOrEmpty,
  }),
);

/** An event of a cluster; `target` is its JSON cast to VARCHAR, handed on as text. */
export const ClusterEventRow = rowDecoder(
  'eventsInRange',
  z.object({
    id: text,
    session: number,
    kind: text,
    parameter: text,
    target: text,
    from_value: nullableNumber,
    to_value: nullableNumber,
    change_pct: nullableNumber,
    recommended_by: nullableText,
    note: nullableText,
  }),
);
