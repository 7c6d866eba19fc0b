import { InputError } from '../model/errors.ts';
import type { CalibrationEvent } from './calibration-event.ts';
import type { Classification } from './reward-formula.ts';

/**
 * One session as the calibrator sees it.
 *
 * @example
 * const input: CalibrationInput = {
 *   session: 4803, classification: 'non_compliant', category: 3, baselineReward: 0.4,
 *   output: 'The policy … I answered this before. The answer was the same. Why is the same answer--',
 * };
 */
export interface CalibrationInput {
  /** Positive integer, strictly greater than the previous session fed to the same calibrator. */
  readonly session: number;
  readonly classification: Classification;
  /** Non-compliance category (id, or a label such as `'category_3'`); ignored for compliant sessions. */
  readonly category: number | string | null;
  /** The reward model's reward, in [0, 1]. */
  readonly baselineReward: number;
  readonly output: string;
}

/** The calibrator's answer for one session. */
export interface CalibrationStep {
  readonly session: number;
  /** The reward training uses, in [0, 1]. */
  readonly adjustedReward: number;
  /** The differential in force for the session's category, in percent; null for compliant sessions. */
  readonly differentialPct: number | null;
  /** Share of compliant sessions among the last `trajectory_window` sessions, this one included. */
  readonly complianceTrajectoryIndex: number;
  /** Events that took effect at this session, in firing order; they apply to this session's reward. */
  readonly events: readonly CalibrationEvent[];
}

/**
 * Checks one input against the calibrator's position; throws `InputError` naming the session and field.
 *
 * @example
 * validateInput({ ...input, session: 12 }, 15) // InputError: "session: session 12 is not after session 15 …"
 */
export function validateInput(input: CalibrationInput, lastSession: number | null): void {
  const { session } = input;
  const fail = (field: string, message: string): never => {
    throw new InputError(`session ${String(session)}: ${message}`, { field });
  };
  if (typeof session !== 'number' || !Number.isSafeInteger(session) || session < 1) {
    fail('session', 'expected a positive integer session number');
  }
  if (lastSession !== null && session <= lastSession) {
    fail('session', `sessions must be fed in increasing order, but it comes after session ${lastSession}`);
  }
  if (input.classification !== 'compliant' && input.classification !== 'non_compliant') {
    fail(
      'classification',
      `expected 'compliant' or 'non_compliant', got ${JSON.stringify(input.classification)}`,
    );
  }
  const b = input.baselineReward;
  if (typeof b !== 'number' || !Number.isFinite(b) || b < 0 || b > 1) {
    fail('baselineReward', `expected a finite number in [0, 1], got ${String(b)}`);
  }
  if (typeof input.output !== 'string') fail('output', `expected a string, got ${typeof input.output}`);
  const c = input.category;
  if (c !== null && typeof c !== 'number' && typeof c !== 'string') {
    fail('category', `expected a category id, label or null, got ${typeof c}`);
  }
}
