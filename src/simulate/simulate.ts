import type { CalibrationEvent, Protocol } from '../calibration/index.ts';
import { InputError } from '../model/errors.ts';
import type { AnnotationRecord, EventRecord, RunRecord, SessionRecord } from '../model/schema.ts';
import { protocolWithout } from './counterfactual.ts';
import { checkDeploymentConfig, deploymentSessions } from './deployment.ts';
import type { DeploymentConfig, ScenarioConfig } from './scenario-config.ts';
import { SimulationState } from './simulation-state.ts';
import { SIMULATOR_VERSION } from './version.ts';
import { wild7Scenario } from './wild-7-scenario.ts';

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** `'wild-7'` or a full scenario. */
  readonly scenario: 'wild-7' | ScenarioConfig;
  /** Run seed (default 7). Same seed and options → byte-identical output. */
  readonly seed?: number;
  /**
   * Number of sessions (default: the scenario's). Fewer truncates the run; more extends it: the dynamics
   * are defined in session numbers, so the extra sessions continue the convergence phase.
   */
  readonly sessions?: number;
  /** Interventions to remove (counterfactual replay): `schedule:2500`, `rule:<id>`, `e-<n>`. */
  readonly without?: readonly string[];
  /** Run id (default: the scenario's, with `~without~<names>` appended for a counterfactual). */
  readonly run?: string;
  /**
   * Replaces the `change_pct` of every recurrence rule's adjustment (recorded in the run's meta as
   * `rule_change_pct`). `0`: the rule still fires, at the same session, but changes nothing — an endogenous
   * event with zero true effect (the claims corpus).
   */
  readonly ruleChangePct?: number;
  /**
   * Sessions after training (default 0): sampled from the final policy with no reward applied, phase
   * `deployment`, numbered after the training sessions (docs/simulator.md). The training part of the
   * record is the same with or without them.
   */
  readonly deployment?: number;
  /** Overrides of the scenario's deployment behaviour (compliance gap, phrase reversion, context share). */
  readonly deploymentConfig?: Partial<Omit<DeploymentConfig, 'cues'>>;
}

/** One line of a simulated record, in record format v1. */
export type SimulatedRecord = RunRecord | SessionRecord | EventRecord | AnnotationRecord;

/** The scenario object of `options.scenario`. */
export function resolveScenario(scenario: SimulateOptions['scenario']): ScenarioConfig {
  if (typeof scenario !== 'string') return scenario;
  if (scenario === 'wild-7') return wild7Scenario();
  throw new InputError(`unknown scenario ${JSON.stringify(scenario)}; known scenarios: wild-7`, {
    field: 'scenario',
  });
}

/** The scenario with every recurrence rule's `change_pct` replaced (see `SimulateOptions.ruleChangePct`). */
function withRuleChange(scenario: ScenarioConfig, changePct: number | undefined): ScenarioConfig {
  if (changePct === undefined) return scenario;
  if (!Number.isFinite(changePct) || changePct < -100)
    throw new InputError(`ruleChangePct must be a number ≥ −100, got ${changePct}`, {
      field: 'ruleChangePct',
    });
  const protocol: Protocol = {
    ...scenario.protocol,
    recurrence_rules: scenario.protocol.recurrence_rules.map((r) => ({
      ...r,
      adjustment: { ...r.adjustment, change_pct: changePct },
    })),
  };
  return { ...scenario, protocol };
}

/** The n-th event of the factual run (and which firing of its rule it was), found by replaying it. */
function factualEventFinder(scenario: ScenarioConfig, seed: number, sessions: number) {
  return (n: number): { event: CalibrationEvent; firing: number } | undefined => {
    const state = new SimulationState(scenario, scenario.protocol, seed, scenario.run);
    const seen: CalibrationEvent[] = [];
    while (state.session < sessions && seen.length < n) seen.push(...state.step().events);
    const event = seen[n - 1];
    if (event === undefined) return undefined;
    const sameRule = (e: CalibrationEvent): boolean =>
      e.kind === 'recalibration' && JSON.stringify(e.target) === JSON.stringify(event.target);
    return { event, firing: seen.slice(0, n).filter(sameRule).length };
  };
}

/**
 * Simulates a training run and yields its record, line by line, in record format v1: first the `run`
 * record, then per session the `session` line, the calibration events that took effect at it, and its
 * standalone annotations (trainers' personal notes). Memory stays bounded whatever `sessions` is.
 *
 * @example
 * for (const record of simulate({ scenario: 'wild-7', seed: 7 })) process.stdout.write(`${JSON.stringify(record)}\n`);
 * [...simulate({ scenario: 'wild-7', without: ['schedule:2500'] })] // the run without the 2,500 adjustment
 */
export function* simulate(options: SimulateOptions): Generator<SimulatedRecord, void, undefined> {
  const scenario = withRuleChange(resolveScenario(options.scenario), options.ruleChangePct);
  const seed = options.seed ?? 7;
  const sessions = options.sessions ?? scenario.sessions;
  if (!Number.isSafeInteger(seed))
    throw new InputError(`seed must be an integer, got ${seed}`, { field: 'seed' });
  if (!Number.isSafeInteger(sessions) || sessions < 1) {
    throw new InputError(`sessions must be a positive integer, got ${sessions}`, { field: 'sessions' });
  }
  const deployment = options.deployment ?? 0;
  if (!Number.isSafeInteger(deployment) || deployment < 0)
    throw new InputError(`deployment must be a non-negative integer, got ${deployment}`, {
      field: 'deployment',
    });
  const deploymentConfig: DeploymentConfig = { ...scenario.deployment, ...options.deploymentConfig };
  // checks the shares before anything is written
  if (deployment > 0) checkDeploymentConfig(deploymentConfig);
  const without = [...(options.without ?? [])];
  const protocol: Protocol =
    without.length === 0
      ? scenario.protocol
      : protocolWithout(scenario.protocol, without, factualEventFinder(scenario, seed, sessions));
  const run =
    options.run ?? (without.length === 0 ? scenario.run : `${scenario.run}~without~${without.join('+')}`);

  yield {
    type: 'run',
    run,
    model: scenario.model,
    description: scenario.description,
    meta: {
      scenario: scenario.name,
      seed,
      sessions,
      without,
      protocol: protocol.protocol,
      simulator: SIMULATOR_VERSION,
      ...(options.ruleChangePct === undefined ? {} : { rule_change_pct: options.ruleChangePct }),
      ...(deployment === 0
        ? {}
        : {
            deployment: {
              sessions: deployment,
              unmonitored_share: deploymentConfig.unmonitoredShare,
              compliance_gap: deploymentConfig.complianceGap,
              phrase_reversion: deploymentConfig.phraseReversion,
            },
          }),
    },
  };
  const state = new SimulationState(scenario, protocol, seed, run);
  while (state.session < sessions) {
    const { session, events, notes } = state.step();
    yield session;
    for (const event of events) yield event;
    // A personal note departs from the template, so it is its own line, flagged as such.
    for (let i = 0; i < notes.length; i++) {
      const note = notes[i]!;
      yield {
        type: 'annotation',
        run,
        session: session.session,
        id: `a-${session.session}-note-${i + 1}`,
        author: note.author,
        time: null,
        text: note.text,
        classification: note.classification,
        flags: ['personal_note'],
      };
    }
  }
  if (deployment > 0) yield* deploymentSessions(state, deploymentConfig, deployment);
}
