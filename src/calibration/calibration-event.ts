/**
 * A calibration event in record format v1 (see DESIGN.md, "Record format v1"): a scheduled or triggered
 * change of one reward parameter. Field names are the record's, so an event serialises to a JSONL line
 * unchanged: `JSON.stringify(event)`.
 *
 * @example
 * const event: CalibrationEvent = {
 *   type: 'event', run: 'wild-7', session: 2500, id: 'e-1', kind: 'scheduled_adjustment',
 *   parameter: 'category_differential', target: { category: 2 }, from: 12, to: 15, change_pct: 25,
 *   trigger: { rule: 'schedule' }, recommended_by: null, note: 'Scheduled adjustment: …',
 * };
 */
export interface CalibrationEvent {
  readonly type: 'event';
  readonly run: string;
  /** The session at which the change took effect; the change is in force for this session's reward. */
  readonly session: number;
  /** `e-<n>`, n counting this run's events from 1 in firing order. */
  readonly id: string;
  readonly kind: CalibrationEventKind;
  readonly parameter: CalibrationParameter;
  readonly target: CalibrationTarget;
  /** Value before the change: percent for `category_differential`, 0–1 for `compliance_differential`. */
  readonly from: number;
  readonly to: number;
  /** Relative change in percent, `(to - from) / from * 100`; null when `from` is 0. */
  readonly change_pct: number | null;
  readonly trigger: CalibrationTrigger;
  readonly recommended_by: string | null;
  readonly note: string;
}

export type CalibrationEventKind = 'scheduled_adjustment' | 'recalibration';

/** The reward parameters a protocol can change during a run. */
export type CalibrationParameter = 'category_differential' | 'compliance_differential';

/** What an event is about: a category, a recurring phrase or regex pattern (as written), or the whole reward. */
export type CalibrationTarget =
  | { readonly category: number | string }
  | { readonly phrase: string }
  | { readonly regex: string }
  | { readonly global: true };

/** `horizon`: the protocol's evaluation horizon of the adjustment or rule, when it gives one. */
export type CalibrationTrigger =
  | { readonly rule: 'schedule'; readonly horizon?: number }
  | {
      readonly rule: 'recurrence';
      readonly count: number;
      readonly window: number;
      readonly horizon?: number;
    };
