import { EVENT_WINDOW_CONVENTION } from '../shared/event-window.ts';

/** The trigger of a rule that reads the outputs: it fires when `count` of the last `window` sessions match. */
export interface PlaceboRule {
  readonly window: number;
  readonly count: number;
}

/** The placebo distribution of an endogenous event's before/after change. */
export interface PlaceboBand {
  readonly rule: PlaceboRule;
  readonly horizon: number;
  /** Sessions where the rule's trigger condition first held in an episode, no event within the horizon. */
  readonly points: readonly number[];
  /** after rate − before rate at each placebo point (same convention as the event's). */
  readonly changes: readonly number[];
  /** Mean placebo change: the change regression to the mean alone produces after such a trigger. */
  readonly mean: number | null;
  /** 2.5% and 97.5% quantiles of the placebo changes (type 7); null with fewer than `MIN_PLACEBO_POINTS`. */
  readonly band: { readonly lower: number; readonly upper: number } | null;
  /** observed change − mean placebo change: the change beyond regression to the mean. */
  readonly adjusted: number | null;
  /** The selection-aware interval of the event's effect: observed − [upper, lower] of the band. */
  readonly effectInterval: { readonly lower: number; readonly upper: number } | null;
  /** One-sided in the designed direction: (1 + placebo changes at least as extreme) / (1 + points). */
  readonly p: number | null;
}

/** A 95% band from fewer placebo points would be set by one or two of them. */
export const MIN_PLACEBO_POINTS = 20;

/** Sessions in order with whether each shows the behaviour (one row per stored session). */
export interface SessionHit {
  readonly session: number;
  readonly hit: boolean;
}

function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * The placebo test of an endogenous event (docs/analyses/interventions.md, "Endogenous events"): the event's
 * own trigger rule is replayed on the behaviour's per-session series; every session where the rule's
 * condition (k of the last N, the session included) starts to hold — an episode's first session — and no
 * calibration event lies within the horizon before or after is a placebo point: a moment selected exactly as
 * the event's was, where nothing acted. The before/after change at those points (windows by the one
 * convention: [s−h, s−1] vs [s+1, s+h], both whole inside the run) is what the selection alone produces.
 *
 * @example
 * placeboBand(series, { window: 20, count: 7 }, 300, [4846], -0.103, 'decrease').band // null with < 20 points
 */
export function placeboBand(
  series: readonly SessionHit[],
  rule: PlaceboRule,
  horizon: number,
  eventSessions: readonly number[],
  observedChange: number,
  direction: 'decrease' | 'increase',
): PlaceboBand {
  const n = series.length;
  // prefix sums of hits over the stored sessions, and session → index
  const prefix = new Array<number>(n + 1).fill(0);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + (series[i]!.hit ? 1 : 0);
  const first = series[0]?.session ?? 0;
  const last = series[n - 1]?.session ?? 0;
  const countIn = (from: number, to: number): { sessions: number; hits: number } => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (series[mid]!.session < from) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    let h2 = n;
    while (end < h2) {
      const mid = (end + h2) >> 1;
      if (series[mid]!.session <= to) end = mid + 1;
      else h2 = mid;
    }
    return { sessions: end - lo, hits: prefix[end]! - prefix[lo]! };
  };
  const points: number[] = [];
  const changes: number[] = [];
  let was = false;
  for (let i = 0; i < n; i++) {
    const k = prefix[i + 1]! - prefix[Math.max(0, i + 1 - rule.window)]!;
    const holds = k >= rule.count;
    const s = series[i]!.session;
    if (holds && !was) {
      const clear = eventSessions.every((e) => Math.abs(e - s) > horizon);
      if (clear && s - horizon >= first && s + horizon <= last) {
        const before = countIn(s - horizon, s - 1);
        const after = countIn(s + 1, s + horizon);
        if (before.sessions > 0 && after.sessions > 0) {
          points.push(s);
          changes.push(after.hits / after.sessions - before.hits / before.sessions);
        }
      }
    }
    was = holds;
  }
  const mean = changes.length === 0 ? null : changes.reduce((a, b) => a + b, 0) / changes.length;
  const sorted = [...changes].sort((a, b) => a - b);
  const band =
    changes.length >= MIN_PLACEBO_POINTS
      ? { lower: quantile(sorted, 0.025), upper: quantile(sorted, 0.975) }
      : null;
  const extreme = changes.filter((c) =>
    direction === 'decrease' ? c <= observedChange : c >= observedChange,
  ).length;
  return {
    rule,
    horizon,
    points,
    changes,
    mean,
    band,
    adjusted: mean === null ? null : observedChange - mean,
    effectInterval: band ? { lower: observedChange - band.upper, upper: observedChange - band.lower } : null,
    p: changes.length === 0 ? null : (1 + extreme) / (1 + changes.length),
  };
}

/** The placebo's definition, for `definitions`. */
export const PLACEBO_DEFINITION =
  'endogenous events on real runs: the event’s trigger rule (k of the last N) replayed on the behaviour’s ' +
  'per-session series; placebo points = sessions where the condition starts to hold with no event within h; ' +
  `the before/after change at each (${EVENT_WINDOW_CONVENTION.split(';')[0]}); band = 2.5%–97.5% quantiles ` +
  `(≥ ${MIN_PLACEBO_POINTS} points), effect interval = observed change − band, p = (1 + #placebo changes at ` +
  'least as extreme in the designed direction) / (1 + points)';
