import type { EventRow } from './phrase-scans.ts';
/**
 * The store scans behind the event analyses (interventions): the run's calibration events, and per-bin
 * counts of the sessions that show a behaviour, aligned at an event.
 */

/**
 * A behaviour whose rate an intervention is meant to change:
 * - `category`: sessions whose `category` is this one (compared loosely: `3`, `'3'` and `'category_3'` are
 *   the same category, as the calibrator compares them);
 * - `phrase`: sessions whose normalised output contains the phrase as whole words, case-insensitively
 *   (normalised like `normaliseText` of src/model/phrase-pattern.ts);
 * - `regex`: sessions whose normalised output matches the regex (RE2 syntax in DuckDB; flags `i`, `m`, `s`);
 * - `non_compliant`: sessions classified `non_compliant`.
 */
export type BehaviourTarget =
  | { readonly kind: 'category'; readonly category: string }
  | { readonly kind: 'phrase'; readonly phrase: string }
  | { readonly kind: 'regex'; readonly regex: string; readonly flags?: string }
  | { readonly kind: 'non_compliant' };

/** A calibration event as stored: the one listing of the events table is `PhraseScans.listEvents`. */
export type CalibrationEventRow = EventRow;

/**
 * Bins aligned at an anchor session: bin k holds sessions anchor + k·size + 1 … anchor + (k+1)·size, so
 * bin 0 starts right after the anchor and bin −1 ends at it. Only sessions in [from, to] are counted.
 */
export interface BehaviourBinQuery {
  readonly target: BehaviourTarget;
  readonly anchor: number;
  readonly binSize: number;
  readonly from: number;
  readonly to: number;
}

/** Counts of one bin: the nominal session range, the sessions present and those showing the behaviour. */
export interface BehaviourBin {
  readonly bin: number;
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  readonly hits: number;
}

/** Where a behaviour occurs last in a run. */
export interface BehaviourOccurrence {
  /** Last session showing the behaviour; null when it never occurs. */
  readonly lastHit: number | null;
  /** Sessions showing it, over the whole run. */
  readonly hits: number;
}

export interface EventScans {
  /** Per-bin session and hit counts around an anchor; bins without sessions are absent. */
  behaviourBins(run: string, query: BehaviourBinQuery): Promise<BehaviourBin[]>;
  /** The last session of the run showing the behaviour, and how many do. */
  behaviourOccurrence(run: string, target: BehaviourTarget): Promise<BehaviourOccurrence>;
}
