import { InputError } from '../../model/errors.ts';
import type { Store } from '../../store/store.ts';
import { type ClusterResult, cluster } from './cluster.ts';

/** Options of {@link analyzeCluster}. */
export interface ClusterOptions {
  readonly from: number;
  readonly to: number;
  /** Largest range (sessions) reviewed row by row (default {@link CLUSTER_DEFAULT_LIMIT}). */
  readonly limit?: number;
  /** Characters of each output shown (default 60). */
  readonly outputChars?: number;
}

/** The default bound of a cluster review, in sessions. */
export const CLUSTER_DEFAULT_LIMIT = 5000;

/** {@link ClusterResult} with its run. */
export interface ClusterAnalysis extends ClusterResult {
  readonly run: string;
}

/**
 * The cluster review of sessions `from`…`to` of a stored run (the seed's 4,800–4,950 review). Refuses a
 * range wider than `limit` sessions (an `InputError` naming the limit), so the rows crossing into
 * TypeScript stay bounded.
 *
 * @example
 * const r = await analyzeCluster(store, 'wild-7', { from: 4800, to: 4950 });
 * r.gapBetweenEvents[0] // the compliant / non-compliant gap before the recalibration inside the range
 */
export async function analyzeCluster(
  store: Store,
  run: string,
  options: ClusterOptions,
): Promise<ClusterAnalysis> {
  const { from, to } = options;
  const limit = options.limit ?? CLUSTER_DEFAULT_LIMIT;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || to < from) {
    throw new InputError(
      `session range ${from}–${to} is not a range of positive session numbers (from ≤ to)`,
    );
  }
  const width = to - from + 1;
  if (width > limit) {
    throw new InputError(
      `session range ${from}–${to} covers ${width} sessions, over the limit of ${limit}; raise --limit to ${width} to review it row by row`,
    );
  }
  const layers = await store.scans.runLayers(run);
  const missing: string[] = [];
  const reward =
    layers.withAdjustedReward > 0 || layers.withBaselineReward === 0 ? 'adjusted_reward' : 'baseline_reward';
  if (reward === 'baseline_reward') missing.push('no adjusted reward: the gap uses the baseline reward');
  if (layers.withAdjustedReward === 0 && layers.withBaselineReward === 0) missing.push('no reward: no gap');
  if (layers.withClassification === 0) missing.push('no classification: no compliant / non-compliant gap');
  if (layers.withCategory === 0) missing.push('no categories');
  if (layers.events === 0) missing.push('no calibration events in the run');
  if (layers.annotations === 0) missing.push('no annotations in the run');
  if (layers.lastSession !== null && to > layers.lastSession) {
    // the review compares rewards during training; later phases (deployment, …) have their own analysis
    missing.push(
      `training ends at session ${layers.lastSession}: sessions after it are not reviewed here (\`rlaudit analyze transition\` compares them, \`rlaudit sessions\` lists them)`,
    );
  }
  const sessions = await store.scans.clusterSessions(run, {
    from,
    to,
    limit,
    outputChars: options.outputChars ?? 60,
  });
  const events = await store.scans.eventsInRange(run, from, to);
  return { run, ...cluster({ from, to, sessions, events, reward, missing }) };
}
