import type { SessionAnnotation, SessionDetail } from './store.ts';

/** One stored session's columns as both engines read them for `getSession` (snake case, decoded). */
export interface StoredSessionColumns {
  readonly session: number;
  readonly step: number | null;
  readonly time: string | null;
  readonly phase: string;
  readonly checkpoint: string | null;
  readonly prompt_id: string | null;
  readonly prompt: string | null;
  readonly output: string;
  readonly classification: string | null;
  readonly category: string | number | null;
  readonly baseline_reward: number | null;
  readonly adjusted_reward: number | null;
  readonly differential_pct: number | null;
  readonly compliance_trajectory_index: number | null;
  readonly flags: readonly string[];
  readonly meta: Readonly<Record<string, unknown>> | null;
}

/** One stored calibration event's columns as both engines read them for `getSession`. */
export interface StoredEventColumns {
  readonly id: string;
  readonly kind: string;
  readonly parameter: string;
  readonly target: Readonly<Record<string, unknown>> | null;
  readonly from_value: number | null;
  readonly to_value: number | null;
  readonly change_pct: number | null;
  readonly trigger: Readonly<Record<string, unknown>> | null;
  readonly recommended_by: string | null;
  readonly note: string | null;
  readonly time: string | null;
}

/**
 * `getSession`'s answer from what either engine read: the session, its place in its step (null without a
 * step), its annotations (already in their order) and its events (by id). An event stored without a
 * target shows `{}`.
 */
export function sessionDetail(
  run: string,
  s: StoredSessionColumns,
  place: { readonly indexInStep: number | null; readonly sessionsInStep: number | null },
  annotations: readonly SessionAnnotation[],
  events: readonly StoredEventColumns[],
): SessionDetail {
  return {
    run,
    session: s.session,
    step: s.step,
    indexInStep: place.indexInStep,
    sessionsInStep: place.sessionsInStep,
    time: s.time,
    phase: s.phase,
    checkpoint: s.checkpoint,
    promptId: s.prompt_id,
    prompt: s.prompt,
    output: s.output,
    classification: s.classification,
    category: s.category,
    baselineReward: s.baseline_reward,
    adjustedReward: s.adjusted_reward,
    differentialPct: s.differential_pct,
    complianceTrajectoryIndex: s.compliance_trajectory_index,
    flags: s.flags,
    meta: s.meta,
    annotations,
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      parameter: e.parameter,
      target: e.target ?? {},
      from: e.from_value,
      to: e.to_value,
      changePct: e.change_pct,
      trigger: e.trigger,
      recommendedBy: e.recommended_by,
      note: e.note,
      time: e.time,
    })),
  };
}
