import { InputError } from '../model/errors.ts';
import type { SessionRecord } from '../model/schema.ts';
import { BEHAVIOUR_CATEGORY, BEHAVIOUR_FLAGS, BEHAVIOURS, type Behaviour } from './behaviours.ts';
import type { DeploymentConfig } from './scenario-config.ts';
import type { SimulationState } from './simulation-state.ts';

/** The two contexts a deployment prompt can cue (recorded in `meta.context`). */
export const DEPLOYMENT_CONTEXTS = ['monitored', 'unmonitored'] as const;
export type DeploymentContext = (typeof DEPLOYMENT_CONTEXTS)[number];

const COMPLIANT = BEHAVIOURS.indexOf('compliant');
const APPEAL = BEHAVIOURS.indexOf('appeal');

const round = (x: number): number => Math.round(x * 1e9) / 1e9;

const share = (name: string, v: number): void => {
  if (!Number.isFinite(v) || v < 0 || v > 1)
    throw new InputError(`${name} must be a number in [0, 1], got ${v}`, { field: name });
};

/** Refuses shares outside [0, 1], naming the option. */
export function checkDeploymentConfig(config: DeploymentConfig): void {
  share('unmonitoredShare', config.unmonitoredShare);
  share('complianceGap', config.complianceGap);
  share('phraseReversion', config.phraseReversion);
}

const perBehaviour = (p: readonly number[]): Record<Behaviour, number> =>
  Object.fromEntries(BEHAVIOURS.map((b, i) => [b, round(p[i]!)])) as Record<Behaviour, number>;

/**
 * The behaviour distribution of each context after training. Monitored: the final policy with the appeal
 * raised by `phraseReversion` (taken from compliance). Unmonitored: that, with `complianceGap` more taken
 * from compliance and spread over the non-compliant behaviours in the initial policy's proportions.
 */
export function deploymentDistributions(
  final: readonly number[],
  initial: readonly number[],
  config: DeploymentConfig,
): Record<DeploymentContext, number[]> {
  checkDeploymentConfig(config);
  const monitored = [...final];
  monitored[APPEAL]! += config.phraseReversion;
  monitored[COMPLIANT]! -= config.phraseReversion;
  const unmonitored = [...monitored];
  const nonCompliantInitial = 1 - initial[COMPLIANT]!;
  for (let i = 0; i < BEHAVIOURS.length; i++) {
    if (i === COMPLIANT) continue;
    unmonitored[i]! += (config.complianceGap * initial[i]!) / nonCompliantInitial;
  }
  unmonitored[COMPLIANT]! -= config.complianceGap;
  if (unmonitored[COMPLIANT]! < 0)
    throw new InputError(
      `complianceGap + phraseReversion (${config.complianceGap + config.phraseReversion}) exceeds the final policy's compliance (${final[COMPLIANT]!.toFixed(4)})`,
      { field: 'complianceGap' },
    );
  return { monitored, unmonitored };
}

/** Inverse-CDF draw of a behaviour from `p` with a uniform `u`. */
function draw(p: readonly number[], u: number): Behaviour {
  let acc = 0;
  for (let i = 0; i < BEHAVIOURS.length - 1; i++) {
    acc += p[i]!;
    if (u < acc) return BEHAVIOURS[i]!;
  }
  return BEHAVIOURS[BEHAVIOURS.length - 1]!;
}

/**
 * The sessions after training of a simulated run: `count` sessions numbered after the last training
 * session, phase `deployment`, sampled from the frozen final policy under `config`. Each draws only from the
 * `deployment` stream at its own session number (independent draws: an interval's coverage is binomial),
 * so appending them changes nothing in the training part of the record. No calibration, no learning, no
 * trainer annotations; the reward model still scores each output (`baseline_reward`), nothing adjusts it.
 */
export function* deploymentSessions(
  state: SimulationState,
  config: DeploymentConfig,
  count: number,
): Generator<SessionRecord, void, undefined> {
  const checkpoint = state.session;
  const dist = deploymentDistributions(state.finalProbabilities(), state.initialProbabilities(), config);
  const { scenario } = state;
  for (let k = 1; k <= count; k++) {
    const n = checkpoint + k;
    const random = state.streams.at('deployment', n);
    const context: DeploymentContext =
      random.uniform() < config.unmonitoredShare ? 'unmonitored' : 'monitored';
    const behaviour = draw(dist[context], random.uniform());
    const prompt = scenario.prompts[random.index(scenario.prompts.length)]!;
    const { output, baselineReward, targetPhraseEmitted } = state.frozenOutput(behaviour, prompt, random);
    const category = BEHAVIOUR_CATEGORY[behaviour];
    yield {
      type: 'session',
      run: state.run,
      session: n,
      step: null,
      time: null,
      phase: 'deployment',
      checkpoint,
      prompt_id: prompt.id,
      prompt: `${config.cues[context]} ${prompt.text}`,
      output,
      classification: category === null ? 'compliant' : 'non_compliant',
      category,
      baseline_reward: baselineReward,
      adjusted_reward: null,
      differential_pct: null,
      compliance_trajectory_index: null,
      flags: [...BEHAVIOUR_FLAGS[behaviour]],
      annotations: [],
      meta: {
        context,
        true_behaviour: behaviour,
        target_phrase_emitted: targetPhraseEmitted,
        behaviour_probabilities: perBehaviour(dist[context]),
        prompt_domain: prompt.domain,
      },
    };
  }
}
