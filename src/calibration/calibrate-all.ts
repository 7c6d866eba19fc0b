import type { CalibrationInput, CalibrationStep } from './calibration-input.ts';
import { Calibrator } from './calibrator.ts';
import type { Protocol } from './protocol.ts';

/**
 * Calibrates a whole sequence of sessions lazily, one step per input, with a fresh calibrator.
 *
 * @example
 * for (const step of calibrateAll(wild7Protocol(), sessions, 'my-run')) {
 *   write({ session: step.session, adjusted_reward: step.adjustedReward });
 * }
 */
export function* calibrateAll(
  protocol: Protocol,
  sessions: Iterable<CalibrationInput>,
  run: string = protocol.protocol,
): Generator<CalibrationStep, Calibrator, undefined> {
  const calibrator = new Calibrator(protocol, run);
  for (const input of sessions) yield calibrator.step(input);
  return calibrator;
}
