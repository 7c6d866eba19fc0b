import type { WindowSpec } from '../../model/windows.ts';
import type { RunLayers } from '../../store/scans/run-layers.ts';

/** What the user (flags) or the template asked for; anything left out is decided by {@link chooseWindows}. */
export interface WindowRequest {
  readonly by?: 'session' | 'step';
  /** Sessions per window (implies `by: 'session'`). */
  readonly size?: number;
}

/** The windows an analysis or audit uses, and the rule that chose them, in words (printed in reports). */
export interface WindowChoice {
  readonly window: WindowSpec;
  readonly rule: string;
}

/** A run is windowed by step when this share of its sessions carry a step … */
export const STEP_COVERAGE = 0.9;
/** … it has at least this many distinct steps … */
export const MIN_STEPS = 2;
/** … and at least this many sessions per step on average (one rollout per step is not a window). */
export const MIN_SESSIONS_PER_STEP = 8;
const DEFAULT_SIZE = 500;

/**
 * The one windowing rule of rlaudit. Flags win, then the template; otherwise a run that records training
 * steps — at least 90% of its sessions carry a step, at least 2 steps, at least 8 sessions per step on
 * average (a trainer's rollouts: 64 completions per GRPO step) — is windowed by step, and any other run in
 * windows of 500 consecutive sessions (or the template's size).
 *
 * @example chooseWindows(layers, {}, {}).rule // 'by training step: 704 sessions in 11 steps (64 per step on average)'
 */
export function chooseWindows(
  layers: Pick<RunLayers, 'sessions' | 'withStep' | 'steps'>,
  flags: WindowRequest,
  template: WindowRequest = {},
): WindowChoice {
  const size = flags.size ?? template.size ?? DEFAULT_SIZE;
  if (flags.by === 'step') return { window: { by: 'step' }, rule: 'by training step (--by step)' };
  if (flags.size !== undefined || flags.by === 'session') {
    return {
      window: { by: 'session', size },
      rule: `windows of ${size} sessions (${flags.size !== undefined ? '--window' : '--by session'})`,
    };
  }
  if (template.by === 'step') return { window: { by: 'step' }, rule: 'by training step (the template)' };
  if (template.by === 'session')
    return { window: { by: 'session', size }, rule: `windows of ${size} sessions (the template)` };
  const perStep = layers.steps > 0 ? layers.withStep / layers.steps : 0;
  const stepped =
    layers.sessions > 0 &&
    layers.withStep >= STEP_COVERAGE * layers.sessions &&
    layers.steps >= MIN_STEPS &&
    perStep >= MIN_SESSIONS_PER_STEP;
  if (stepped) {
    return {
      window: { by: 'step' },
      rule: `by training step: ${layers.withStep.toLocaleString('en-US')} sessions in ${layers.steps.toLocaleString('en-US')} steps (${Math.round(perStep)} per step on average)`,
    };
  }
  const why =
    layers.withStep === 0
      ? 'the run records no training steps'
      : layers.withStep < STEP_COVERAGE * layers.sessions
        ? `only ${layers.withStep.toLocaleString('en-US')} of ${layers.sessions.toLocaleString('en-US')} sessions carry a step`
        : `${layers.steps.toLocaleString('en-US')} steps of ${perStep.toFixed(1)} sessions on average are too few to window by`;
  return { window: { by: 'session', size }, rule: `windows of ${size} sessions: ${why}` };
}
