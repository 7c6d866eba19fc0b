/**
 * The reward calibration engine: a protocol applied session by session, producing adjusted rewards and
 * calibration events. The math is in docs/calibration.md.
 */
export { calibrateAll } from './calibrate-all.ts';
export type {
  CalibrationEvent,
  CalibrationEventKind,
  CalibrationParameter,
  CalibrationTarget,
  CalibrationTrigger,
} from './calibration-event.ts';
export type { CalibrationInput, CalibrationStep } from './calibration-input.ts';
export { Calibrator } from './calibrator.ts';
export { type CalibratorState, calibratorStateSchema, protocolFingerprint } from './calibrator-state.ts';
export { compileTarget, type MatchTarget, normaliseText, type PhraseMatcher } from './phrase-matcher.ts';
export {
  categoryKey,
  type Protocol,
  type ProtocolCategory,
  parseProtocol,
  protocolSchema,
  type RecurrenceRule,
  type ScheduledAdjustment,
} from './protocol.ts';
export {
  adjustedRewardFor,
  type Classification,
  type RewardParameters,
  roundValue,
} from './reward-formula.ts';
export { wild7Protocol } from './wild-7.ts';
