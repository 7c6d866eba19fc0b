import type { WindowSpec } from '../../model/windows.ts';
import { type LiveAlertDraft, type LiveWindow, liveWindowLabel } from './live.ts';

/** A window's value beside the first window's: the relative change (v − first) / first. */
export interface WindowChange {
  readonly first: number;
  readonly firstLabel: string;
  readonly value: number;
  readonly label: string;
  /** (value − first) / first; null when the first value is 0. */
  readonly relative: number | null;
  readonly window: LiveWindow;
}

/**
 * The comparison every window monitor makes, as the offline analyses do first → last: each closed window's
 * value against the first window's (the first window with a value). `measure` returns null for a window
 * without the value (e.g. no rewards); such a window is skipped.
 */
export class FirstWindowBaseline {
  private first: { value: number; label: string } | null = null;

  constructor(
    private readonly spec: WindowSpec,
    private readonly measure: (w: LiveWindow) => number | null,
  ) {}

  /** The change of this window against the first, or null for the first window itself and skipped ones. */
  next(w: LiveWindow): WindowChange | null {
    const value = this.measure(w);
    if (value === null || !Number.isFinite(value)) return null;
    const label = liveWindowLabel(this.spec, w);
    if (this.first === null) {
      this.first = { value, label };
      return null;
    }
    const relative = this.first.value === 0 ? null : (value - this.first.value) / this.first.value;
    return { first: this.first.value, firstLabel: this.first.label, value, label, relative, window: w };
  }
}

/** The step of a window (step windows), else null. */
export function windowStep(spec: WindowSpec, w: LiveWindow): number | null {
  return spec.by === 'step' ? w.index : null;
}

/** Evidence of a window alert: the window's first and last session. */
export function windowEvidence(w: LiveWindow): LiveAlertDraft['evidence'] {
  return { sessions: w.from === w.to ? [w.from] : [w.from, w.to], events: [], annotations: [] };
}

/** A number as the messages print it: 3 significant decimals. */
export const num = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(3));
