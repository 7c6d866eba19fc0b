import type {
  IndexCell,
  ReviewRow,
  RunEventMark,
  SamePromptRow,
  SeriesPoint,
  SessionIndex,
} from './dashboard-reads.ts';

/**
 * The engine-neutral last step of the dashboard's and the session list's reads: each engine's SQL gives rows in
 * the store's column names, these give them the reads' shape (src/store/dashboard-reads.ts), so the two stores'
 * answers cannot drift apart in anything but their SQL.
 */

/** The review columns of a row in the store's names (the CLI's session list and the dashboard's review). */
export function reviewRowOf(r: {
  readonly session: number;
  readonly step: number | null;
  readonly classification: string | null;
  readonly category: string | null;
  readonly baseline_reward: number | null;
  readonly adjusted_reward: number | null;
  readonly differential_pct: number | null;
  readonly compliance_trajectory_index: number | null;
  readonly annotations: number;
  readonly events: number;
  readonly output_start: string;
  readonly output_length: number;
}): ReviewRow {
  return {
    session: r.session,
    step: r.step,
    classification: r.classification,
    category: r.category,
    baselineReward: r.baseline_reward,
    adjustedReward: r.adjusted_reward,
    differentialPct: r.differential_pct,
    complianceTrajectoryIndex: r.compliance_trajectory_index,
    annotations: r.annotations,
    events: r.events,
    outputStart: r.output_start,
    outputLength: r.output_length,
  };
}

/** One cell's counts as an engine aggregates them; `cell` is its number from the index's first session. */
export type CellCounts = Omit<IndexCell, 'from' | 'to'> & { readonly cell: number };

/** The session index of sessions [from, to] in cells of `width` sessions, from the cells that hold sessions. */
export function sessionIndexOf(
  run: string,
  bounds: { readonly lo: number | null; readonly hi: number | null },
  range: { readonly from: number; readonly to: number; readonly width: number },
  counted: readonly CellCounts[],
): SessionIndex {
  const { from, to, width } = range;
  const cells: IndexCell[] = counted.map((c) => ({
    from: from + c.cell * width,
    to: Math.min(to, from + (c.cell + 1) * width - 1),
    sessions: c.sessions,
    compliant: c.compliant,
    categories: c.categories,
    unclassified: c.unclassified,
    reward: c.reward,
    events: c.events,
    annotations: c.annotations,
  }));
  return {
    run,
    from,
    to,
    runFrom: bounds.lo,
    runTo: bounds.hi,
    binWidth: width,
    sessions: cells.reduce((n, c) => n + c.sessions, 0),
    cells,
  };
}

/** A series window's counts as an engine aggregates them: `categories` counts non-compliant sessions by category. */
export interface WindowCounts {
  readonly x: number;
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  readonly baselineReward: number | null;
  readonly adjustedReward: number | null;
  readonly classified: number;
  readonly nonCompliant: number;
  readonly categories: Readonly<Record<string, number>>;
}

/** A series point: shares of the window's classified sessions (null / 0 when none is classified). */
export function seriesPointOf(w: WindowCounts): SeriesPoint {
  return {
    x: w.x,
    from: w.from,
    to: w.to,
    sessions: w.sessions,
    baselineReward: w.baselineReward,
    adjustedReward: w.adjustedReward,
    nonCompliantShare: w.classified > 0 ? w.nonCompliant / w.classified : null,
    categoryShares: Object.fromEntries(
      Object.entries(w.categories).map(([c, n]) => [c, w.classified > 0 ? n / w.classified : 0]),
    ),
  };
}

/** A session beside others of the same prompt, from a row in the store's names. */
export function samePromptRowOf(r: {
  readonly session: number;
  readonly step: number | null;
  readonly classification: string | null;
  readonly category: string | null;
  readonly reward: number | null;
  readonly output_start: string;
  readonly output_length: number;
}): SamePromptRow {
  return {
    session: r.session,
    step: r.step,
    classification: r.classification,
    category: r.category,
    reward: r.reward,
    outputStart: r.output_start,
    outputLength: r.output_length,
  };
}

/** A calibration event's mark on the run's timeline, from a row in the store's names (target already parsed). */
export function runEventMarkOf(r: {
  readonly id: string;
  readonly session: number;
  readonly step: number | null;
  readonly kind: string;
  readonly parameter: string | null;
  readonly target: unknown;
  readonly from_value: number | null;
  readonly to_value: number | null;
  readonly note: string | null;
}): RunEventMark {
  return {
    id: r.id,
    session: r.session,
    step: r.step,
    kind: r.kind,
    parameter: r.parameter,
    target: r.target,
    from: r.from_value,
    to: r.to_value,
    note: r.note,
  };
}
