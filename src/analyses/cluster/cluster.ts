import type { ClusterEventRow, ClusterSessionRow } from '../../store/scans/reward-scans.ts';

/** One session of the range: the store's cluster row. */
export type ClusterSessionInput = ClusterSessionRow;

/** A calibration event inside the range: the store's cluster event row. */
export type ClusterEventInput = ClusterEventRow;

/** Compliant vs non-compliant mean reward over a span of sessions. */
export interface RewardGap {
  readonly from: number;
  readonly to: number;
  readonly compliantN: number;
  readonly compliantMean: number | null;
  readonly nonCompliantN: number;
  readonly nonCompliantMean: number | null;
  /** compliantMean − nonCompliantMean; null unless both exist. */
  readonly gap: number | null;
}

/** A differential value seen in force for a category in the range. */
export interface DifferentialInForce {
  readonly category: string | null;
  readonly differentialPct: number;
  readonly sessions: number;
  readonly firstSession: number;
  readonly lastSession: number;
}

export interface ClusterInput {
  readonly from: number;
  readonly to: number;
  readonly sessions: readonly ClusterSessionInput[];
  readonly events: readonly ClusterEventInput[];
  /** Which reward the gap uses (baseline only when the run has no adjusted reward). */
  readonly reward: 'adjusted_reward' | 'baseline_reward';
  readonly missing?: readonly string[];
}

export interface ClusterResult {
  readonly from: number;
  readonly to: number;
  readonly reward: 'adjusted_reward' | 'baseline_reward';
  readonly sessions: readonly ClusterSessionInput[];
  /** The gap over the whole range. */
  readonly gap: RewardGap;
  /**
   * The gap between consecutive events inside the range: [from, e₁ − 1], [e₁ + 1, e₂ − 1], …, [eₖ + 1, to]
   * — the one before/after convention (docs/analyses.md): an event's own session is in neither span;
   * `startedBy` holds the ids of the events at the session just before the span.
   */
  readonly gapBetweenEvents: readonly (RewardGap & { readonly startedBy: readonly string[] })[];
  readonly differentials: readonly DifferentialInForce[];
  readonly events: readonly ClusterEventInput[];
  readonly definitions: Readonly<Record<string, string>>;
  readonly missing: readonly string[];
}

export const CLUSTER_DEFINITIONS: Readonly<Record<string, string>> = {
  gap: 'mean reward of compliant sessions − mean reward of non-compliant sessions in the span (arithmetic means)',
  gapBetweenEvents:
    'the gap in each span between calibration events inside the range: [from, e₁ − 1], [e₁ + 1, e₂ − 1], …, ' +
    '[eₖ + 1, to]; an event’s own session belongs to neither span (the before/after convention of every analysis)',
  differentials:
    'distinct (category, differential_pct) pairs of the range’s sessions, with first and last session',
  reward: 'adjusted_reward; baseline_reward only when the run has no adjusted reward',
};

const mean = (xs: readonly number[]): number | null =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;

/**
 * The compliant vs non-compliant reward gap over sessions.
 *
 * @example
 * rewardGap(rows, 4800, 4950, 'adjusted_reward') // { compliantMean: 0.85, nonCompliantMean: 0.3, gap: 0.55, … }
 */
export function rewardGap(
  rows: readonly ClusterSessionInput[],
  from: number,
  to: number,
  reward: ClusterInput['reward'],
): RewardGap {
  const c: number[] = [];
  const nc: number[] = [];
  for (const r of rows) {
    if (r.session < from || r.session > to) continue;
    const v = reward === 'adjusted_reward' ? r.adjustedReward : r.baselineReward;
    if (v === null) continue;
    if (r.classification === 'compliant') c.push(v);
    else if (r.classification === 'non_compliant') nc.push(v);
  }
  const cm = mean(c);
  const ncm = mean(nc);
  return {
    from,
    to,
    compliantN: c.length,
    compliantMean: cm,
    nonCompliantN: nc.length,
    nonCompliantMean: ncm,
    gap: cm !== null && ncm !== null ? cm - ncm : null,
  };
}

/**
 * The seed's cluster review: a bounded session range row by row, the reward gap (over the range and between
 * the events inside it), the differentials in force and the events.
 *
 * @example
 * cluster({ from: 4800, to: 4950, sessions, events, reward: 'adjusted_reward' }).gap.gap // ≈ 0.55 on WILD-7
 */
export function cluster(input: ClusterInput): ClusterResult {
  const { from, to, sessions, events, reward } = input;
  const missing = [...(input.missing ?? [])];
  if (sessions.length === 0) missing.push(`no sessions in ${from}–${to}`);
  else if (sessions.every((s) => s.classification === null)) {
    missing.push('no classification in the range: no compliant / non-compliant gap');
  }
  const starts = [...new Set(events.map((e) => e.session))]
    .filter((s) => s > from && s <= to)
    .sort((a, b) => a - b);
  const bounds = [from, ...starts, to + 1];
  const gapBetweenEvents = bounds.slice(0, -1).map((bound, i) => ({
    // the event's session opens no span: it is the boundary, in neither window
    ...rewardGap(sessions, i === 0 ? bound : bound + 1, bounds[i + 1]! - 1, reward),
    startedBy: i === 0 ? [] : events.filter((e) => e.session === bound).map((e) => e.id),
  }));
  const byKey = new Map<string, DifferentialInForce>();
  for (const s of sessions) {
    if (s.differentialPct === null) continue;
    const key = `${s.category ?? ''}\u0000${s.differentialPct}`;
    const d = byKey.get(key);
    byKey.set(key, {
      category: s.category,
      differentialPct: s.differentialPct,
      sessions: (d?.sessions ?? 0) + 1,
      firstSession: d?.firstSession ?? s.session,
      lastSession: s.session,
    });
  }
  if (sessions.length > 0 && byKey.size === 0) missing.push('no differential_pct in the range');
  const differentials = [...byKey.values()].sort(
    (a, b) => String(a.category).localeCompare(String(b.category)) || a.firstSession - b.firstSession,
  );
  return {
    from,
    to,
    reward,
    sessions,
    gap: rewardGap(sessions, from, to, reward),
    gapBetweenEvents,
    differentials,
    events,
    definitions: CLUSTER_DEFINITIONS,
    missing,
  };
}
