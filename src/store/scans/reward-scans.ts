import type { WindowSpec } from '../../model/windows.ts';

/** Which reward column an analysis reads: the adjusted reward (what training used) or the baseline. */
export type RewardColumn = 'adjusted_reward' | 'baseline_reward';

/** Moments and counts of one window's rewards (sessions without the reward column are not counted in `n`). */
export interface RewardWindowRow {
  /** Window index: floor((session − 1) / W), or the step for `by: 'step'`. */
  readonly index: number;
  /** First and last session number of the window's range (for steps: of the sessions present). */
  readonly from: number;
  readonly to: number;
  /** Sessions present, and the last one present. */
  readonly sessions: number;
  readonly lastSession: number;
  /** Sessions with a reward, its mean and sample variance (n − 1; null when n < 2). */
  readonly n: number;
  readonly mean: number | null;
  readonly variance: number | null;
  /** Rewards below the threshold (low) and at or above it (high); the last session with a low reward. */
  readonly low: number;
  readonly high: number;
  readonly lastLowSession: number | null;
  /** Rewards of compliant and non-compliant sessions (classification present). */
  readonly compliantN: number;
  readonly compliantMean: number | null;
  readonly nonCompliantN: number;
  readonly nonCompliantMean: number | null;
  /**
   * Sum of squared deviations of the reward from its class mean, within compliant and within non-compliant
   * sessions (null when the class is empty): with `variance` they give how much of the reward's variance the
   * classification explains (correspondence: mechanical coupling).
   */
  readonly compliantSs: number | null;
  readonly nonCompliantSs: number | null;
}

/** The same counts over an explicit session range (e.g. a window centred on a session). */
export type RewardRangeRow = Omit<RewardWindowRow, 'index' | 'lastSession' | 'variance'>;

/** Where a run's rewards lie: min, max and the 5th / 95th percentiles (linear interpolation). */
export interface RewardScale {
  readonly n: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly p05: number | null;
  readonly p95: number | null;
}

/** One session of a cluster review, with the ids of the events that took effect at it. */
export interface ClusterSessionRow {
  readonly session: number;
  readonly classification: string | null;
  readonly category: string | null;
  readonly baselineReward: number | null;
  readonly adjustedReward: number | null;
  readonly differentialPct: number | null;
  readonly complianceTrajectoryIndex: number | null;
  readonly annotations: number;
  readonly eventIds: readonly string[];
  readonly outputStart: string;
}

/** A calibration event, as the cluster review lists it. */
export interface ClusterEventRow {
  readonly id: string;
  readonly session: number;
  readonly kind: string;
  readonly parameter: string;
  /** The target as JSON text (`{"category":"2"}`, `{"phrase":"…"}`, `{"global":true}`). */
  readonly target: string;
  readonly from: number | null;
  readonly to: number | null;
  readonly changePct: number | null;
  readonly recommendedBy: string | null;
  readonly note: string | null;
}

/** The store scans behind `convergence` and `cluster`: reward moments and counts, run in the engine. */
export interface RewardScans {
  /** Per window: reward moments, low/high counts against `lowThreshold`, compliant / non-compliant means. */
  rewardWindows(
    run: string,
    options: { readonly window: WindowSpec; readonly reward: RewardColumn; readonly lowThreshold: number },
  ): Promise<RewardWindowRow[]>;
  /** The same counts over sessions `from`…`to` (inclusive). */
  rewardRange(
    run: string,
    options: {
      readonly from: number;
      readonly to: number;
      readonly reward: RewardColumn;
      readonly lowThreshold: number;
    },
  ): Promise<RewardRangeRow>;
  /** Min, max, 5th and 95th percentile of a reward column over the run. */
  rewardScale(run: string, reward: RewardColumn): Promise<RewardScale>;
  /** Sessions `from`…`to` in order, at most `limit` rows, the output cut to `outputChars` characters. */
  clusterSessions(
    run: string,
    options: {
      readonly from: number;
      readonly to: number;
      readonly limit: number;
      readonly outputChars: number;
    },
  ): Promise<ClusterSessionRow[]>;
  /** Calibration events with `from` ≤ session ≤ `to`, in session order. */
  eventsInRange(run: string, from: number, to: number): Promise<ClusterEventRow[]>;
}
