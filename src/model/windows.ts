/**
 * How an analysis groups sessions into windows: W consecutive session numbers (default 500; window k holds
 * sessions k·W+1 … (k+1)·W, so 1–500, 501–1000, …), or one training step per window (`--by step`, for real
 * trainers that log many rollouts per step).
 */
export type WindowSpec = { readonly by: 'session'; readonly size: number } | { readonly by: 'step' };

export const DEFAULT_WINDOW: WindowSpec = { by: 'session', size: 500 };

/** One window of a series: its position and the sessions (or step) it covers. */
export interface WindowInfo {
  /** 0-based window index (for `by: 'step'`, the step number). */
  readonly index: number;
  /** First and last session number of the window's range (for steps: of the sessions present). */
  readonly from: number;
  readonly to: number;
  /** Sessions present in the window. */
  readonly sessions: number;
}

/** Human label: "sessions 1–500" or "step 12". */
export function windowLabel(spec: WindowSpec, w: WindowInfo): string {
  return spec.by === 'step' ? `step ${w.index}` : `sessions ${w.from}–${w.to}`;
}
