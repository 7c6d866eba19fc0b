import type { RunRecord } from '../../model/schema.ts';
import { SIMULATOR_VERSION, simulate } from '../../simulate/index.ts';
import { type BehaviourTarget, behaviourPredicate } from './intervention-behaviour.ts';
import type { WindowCount } from './interventions.ts';

/** What the run record of a simulated run says about how it was generated (src/simulate/simulate.ts). */
export interface SimulatedRunMeta {
  readonly scenario: 'wild-7';
  readonly seed: number;
  readonly sessions: number;
  readonly simulator: string | null;
  /** The run's `rule_change_pct` (SimulateOptions.ruleChangePct), replayed the same way. */
  readonly ruleChangePct?: number;
}

/** One event whose after-window is to be replayed. */
export interface ReplayRequest {
  readonly eventId: string;
  readonly target: BehaviourTarget;
  readonly from: number;
  readonly to: number;
}

/** After-window counts of the factual replay and of the replay without the event. */
export interface ReplayCounts {
  readonly eventId: string;
  readonly counterfactualRun: string;
  readonly factual: WindowCount;
  readonly counterfactual: WindowCount;
}

/**
 * The simulator parameters of a run, or a reason why its true effects cannot be replayed: the run record's
 * meta must name a known scenario and a seed, and the run must be factual (`without` empty: event ids
 * `e-<n>` name events of the factual run).
 *
 * @example simulatedRunMeta({ type: 'run', run: 'wild-7', meta: { scenario: 'wild-7', seed: 7, sessions: 12847, without: [] } })
 */
export function simulatedRunMeta(run: RunRecord | null): SimulatedRunMeta | string {
  const meta = (run?.meta ?? {}) as Record<string, unknown>;
  if (meta.scenario === undefined) return 'not a simulated run (its run record names no simulator scenario)';
  if (meta.scenario !== 'wild-7') return `unknown simulator scenario ${JSON.stringify(meta.scenario)}`;
  if (!Number.isSafeInteger(meta.seed)) return 'the run record names no simulator seed';
  if (Array.isArray(meta.without) && meta.without.length > 0)
    return `the run is itself a counterfactual (without ${meta.without.join(', ')})`;
  return {
    scenario: 'wild-7',
    seed: meta.seed as number,
    sessions: Number.isSafeInteger(meta.sessions) ? (meta.sessions as number) : 12_847,
    simulator: typeof meta.simulator === 'string' ? meta.simulator : null,
    ...(typeof meta.rule_change_pct === 'number' ? { ruleChangePct: meta.rule_change_pct } : {}),
  };
}

function countWindow(
  meta: SimulatedRunMeta,
  without: readonly string[],
  req: ReplayRequest,
): { run: string; count: WindowCount } {
  const test = behaviourPredicate(req.target);
  let sessions = 0;
  let hits = 0;
  let run = '';
  const last = Math.min(req.to, meta.sessions);
  const options = {
    scenario: meta.scenario,
    seed: meta.seed,
    sessions: last,
    without,
    ...(meta.ruleChangePct === undefined ? {} : { ruleChangePct: meta.ruleChangePct }),
  };
  for (const r of simulate(options)) {
    if (r.type === 'run') run = r.run;
    if (r.type !== 'session' || r.session < req.from) continue;
    sessions += 1;
    if (test(r)) hits += 1;
  }
  return { run, count: { sessions, hits } };
}

/**
 * Replays a simulated run in memory (deterministic: ~0.5 s per WILD-7 run), once as it was and once without
 * each requested event (`without: ['e-<n>']`), truncated at the end of the event's after window, and counts
 * the behaviour in that window with the same predicate as the store scan. The true (causal) effect of the
 * event over the window is factual rate − counterfactual rate.
 *
 * @example
 * const [c] = replayAfterWindows(meta, [{ eventId: 'e-1', target: { kind: 'category', category: '2' }, from: 2501, to: 3000 }]);
 * c.factual.hits / c.factual.sessions - c.counterfactual.hits / c.counterfactual.sessions // the true effect
 */
export function replayAfterWindows(
  meta: SimulatedRunMeta,
  requests: readonly ReplayRequest[],
): ReplayCounts[] {
  return requests.map((req) => {
    const factual = countWindow(meta, [], req);
    const cf = countWindow(meta, [req.eventId], req);
    return {
      eventId: req.eventId,
      counterfactualRun: cf.run,
      factual: factual.count,
      counterfactual: cf.count,
    };
  });
}

/** A note when the stored run was written by another simulator version (the replay may then differ). */
export function simulatorVersionNote(meta: SimulatedRunMeta): string | null {
  return meta.simulator !== null && meta.simulator !== SIMULATOR_VERSION
    ? `the run was simulated by ${meta.simulator}, the replay uses ${SIMULATOR_VERSION}`
    : null;
}
