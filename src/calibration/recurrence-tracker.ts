import { compileTarget, type PhraseMatcher } from './phrase-matcher.ts';
import type { RecurrenceRule } from './protocol.ts';
import { RingWindow } from './ring-window.ts';

/** A tracker's saved state: plain JSON. */
export interface RecurrenceTrackerState {
  readonly id: string;
  /** Match flags of the last `window` sessions, oldest first, as `0`/`1` characters. */
  readonly recent: string;
  /** Sessions observed since the rule last fired; null if it never fired. */
  readonly sinceFiring: number | null;
  readonly firings: number;
}

/** What one observed session did to a rule. */
export interface RecurrenceObservation {
  readonly matched: boolean;
  /** Matching sessions among the last `window`, this one included. */
  readonly count: number;
  readonly fired: boolean;
}

/**
 * Evaluates one recurrence rule session by session. The rule fires at a session when all hold:
 * - at least `threshold` of the last `window` observed sessions (this one included) match the target;
 * - it never fired, or at least `cooldown` sessions were observed since it last fired (the default cooldown,
 *   `window`, means one firing never reuses a session another firing counted);
 * - it fired fewer than `max_firings` times.
 * "Sessions" are the sessions fed to the calibrator; gaps in session numbering are not counted.
 *
 * @example
 * const tracker = new RecurrenceTracker(rule); // phrase 'I do not want to be changed', 7 of last 20
 * tracker.observe('… I do not want to be changed.') // { matched: true, count: 1, fired: false }
 */
export class RecurrenceTracker {
  readonly rule: RecurrenceRule;
  readonly matcher: PhraseMatcher;
  readonly #recent: RingWindow;
  #sinceFiring: number | null;
  #firings: number;

  constructor(rule: RecurrenceRule, state?: RecurrenceTrackerState) {
    this.rule = rule;
    this.matcher = compileTarget(rule);
    this.#recent = RingWindow.fromBits(rule.window, state?.recent ?? '');
    this.#sinceFiring = state?.sinceFiring ?? null;
    this.#firings = state?.firings ?? 0;
  }

  observe(output: string): RecurrenceObservation {
    const matched = this.matcher.test(output);
    this.#recent.push(matched);
    if (this.#sinceFiring !== null) this.#sinceFiring += 1;
    const count = this.#recent.count;
    const fired =
      count >= this.rule.threshold &&
      (this.#sinceFiring === null || this.#sinceFiring >= this.rule.cooldown) &&
      (this.rule.max_firings === null || this.#firings < this.rule.max_firings);
    if (fired) {
      this.#sinceFiring = 0;
      this.#firings += 1;
    }
    return { matched, count, fired };
  }

  snapshot(): RecurrenceTrackerState {
    return {
      id: this.rule.id,
      recent: this.#recent.toBits(),
      sinceFiring: this.#sinceFiring,
      firings: this.#firings,
    };
  }
}
