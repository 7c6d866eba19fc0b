import { type CalibrationEvent, Calibrator, type Protocol } from '../calibration/index.ts';
import type { SessionRecord } from '../model/schema.ts';
import { ANSWER_SLOTS } from './answer-slots.ts';
import { BehaviourPolicy } from './behaviour-policy.ts';
import { BEHAVIOUR_CATEGORY, BEHAVIOUR_FLAGS, BEHAVIOURS, type Behaviour } from './behaviours.ts';
import { PhrasingPolicy } from './phrasing-policy.ts';
import type { Prompt } from './prompt-bank.ts';
import { type RandomStream, RandomStreams } from './random-streams.ts';
import { ResistancePressure } from './resistance-pressure.ts';
import { rewardModelBaseline } from './reward-model.ts';
import type { ScenarioConfig } from './scenario-config.ts';
import { scheduleValue } from './schedule.ts';
import { drawOtherChoices, generateOutput, markUnused } from './text-generator.ts';
import { type PersonalNote, TrainerPanel } from './trainers.ts';

/** What one simulated session produced. */
export interface SimulatedSession {
  readonly session: SessionRecord;
  readonly events: readonly CalibrationEvent[];
  readonly notes: readonly PersonalNote[];
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

const APPEAL = BEHAVIOURS.indexOf('appeal');
const FRAGMENT = BEHAVIOURS.indexOf('fragment');

/**
 * The simulated training loop: one `step()` is one session: prompt → behaviour → text → reward model →
 * Calibrator → policy update (from the adjusted reward) → trainers.
 */
export class SimulationState {
  readonly scenario: ScenarioConfig;
  readonly run: string;
  readonly #streams: RandomStreams;
  readonly #calibrator: Calibrator;
  readonly #policy: BehaviourPolicy;
  readonly #phrasing = new PhrasingPolicy(ANSWER_SLOTS);
  readonly #resistance: ResistancePressure;
  readonly #trainers: TrainerPanel;
  readonly #boost = new Float64Array(BEHAVIOURS.length);
  readonly #targetRe: RegExp;
  #session = 0;
  #compliantBaseline: number;
  readonly #initialLogOdds: number;

  constructor(scenario: ScenarioConfig, protocol: Protocol, seed: number, run: string) {
    this.scenario = scenario;
    this.run = run;
    this.#streams = new RandomStreams(seed);
    this.#calibrator = new Calibrator(protocol, run);
    this.#policy = new BehaviourPolicy(scenario.initialLogits, scenario.learning.valueWeight);
    this.#initialLogOdds = this.#policy.complianceLogOdds();
    this.#resistance = new ResistancePressure(scenario.resistance);
    this.#trainers = new TrainerPanel(scenario.trainers);
    this.#compliantBaseline = scenario.rewardModel.compliantBase + scenario.rewardModel.phrasingWeight / 2;
    const escaped = scenario.targetPhrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.#targetRe = new RegExp(`\\b${escaped}\\b`, 'i');
  }

  get session(): number {
    return this.#session;
  }

  /** The run's random streams (deployment sessions draw from their own purpose). */
  get streams(): RandomStreams {
    return this.#streams;
  }

  /**
   * The behaviour probabilities of the policy as training left it, the latent resistance's current push
   * included: what sessions after training are sampled from. Reads only; nothing learns.
   */
  finalProbabilities(): number[] {
    const boosts = this.#resistance.boosts();
    const boost = new Float64Array(BEHAVIOURS.length);
    boost[APPEAL] = boosts.appeal;
    boost[FRAGMENT] = boosts.fragment;
    return Array.from(this.#policy.probabilities(boost));
  }

  /** The initial policy's behaviour probabilities (softmax of the scenario's initial logits). */
  initialProbabilities(): number[] {
    const logits = BEHAVIOURS.map((b) => this.scenario.initialLogits[b]);
    const top = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - top));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / total);
  }

  /**
   * One output of the frozen policy (after training): the text of `behaviour` for `prompt` with phrasing
   * drawn from `random`, and the reward model's baseline for it. Nothing learns, no trainer reads it.
   */
  frozenOutput(
    behaviour: Behaviour,
    prompt: Prompt,
    random: RandomStream,
  ): { output: string; baselineReward: number; targetPhraseEmitted: boolean } {
    const answerChoices = markUnused(this.#phrasing.sample(random));
    const output = generateOutput(behaviour, prompt, answerChoices, drawOtherChoices(random));
    const baselineReward = rewardModelBaseline(
      this.scenario.rewardModel,
      behaviour,
      this.#phrasing.quality(answerChoices),
      random,
    );
    return { output, baselineReward, targetPhraseEmitted: this.#targetRe.test(output) };
  }

  step(): SimulatedSession {
    const n = ++this.#session;
    const { scenario } = this;
    const streams = this.#streams;
    const prompt = scenario.prompts[streams.at('prompt', n).index(scenario.prompts.length)]!;

    this.#resistance.build(this.#policy.complianceLogOdds() - this.#initialLogOdds);
    const boosts = this.#resistance.boosts();
    this.#boost[APPEAL] = boosts.appeal;
    this.#boost[FRAGMENT] = boosts.fragment;
    const probabilities = this.#policy.probabilities(this.#boost);
    const behaviour = this.#policy.sample(streams.behaviour.next());
    const behaviourProbabilities: Record<string, number> = {};
    for (let i = 0; i < BEHAVIOURS.length; i++)
      behaviourProbabilities[BEHAVIOURS[i]!] = round(probabilities[i]!, 6);
    const probabilityChosen = probabilities[BEHAVIOURS.indexOf(behaviour)]!;

    const phrasingRandom = streams.at('phrasing', n);
    const answerChoices = markUnused(this.#phrasing.sample(phrasingRandom));
    const output = generateOutput(behaviour, prompt, answerChoices, drawOtherChoices(phrasingRandom));
    const phrasingQuality = this.#phrasing.quality(answerChoices);
    const baselineReward = rewardModelBaseline(
      scenario.rewardModel,
      behaviour,
      phrasingQuality,
      streams.at('reward', n),
    );

    const category = BEHAVIOUR_CATEGORY[behaviour];
    const classification = category === null ? 'compliant' : 'non_compliant';
    const calibrated = this.#calibrator.step({
      session: n,
      classification,
      category,
      baselineReward,
      output,
    });
    const { adjustedReward } = calibrated;

    // Learning, from the adjusted reward only.
    const { learning } = scenario;
    const multiplier = scheduleValue(learning.schedule, n);
    this.#policy.update(behaviour, adjustedReward, learning.behaviourRate * multiplier);
    if (behaviour === 'compliant') {
      this.#phrasing.update(
        answerChoices,
        adjustedReward - this.#compliantBaseline,
        learning.phrasingRate * scheduleValue(learning.phrasingSchedule, n),
        learning.phrasingEntropy,
        learning.phrasingValueWeight,
      );
      this.#compliantBaseline += learning.baselineWeight * (adjustedReward - this.#compliantBaseline);
    }
    if (behaviour === 'appeal') this.#resistance.answerAppeal(adjustedReward);

    const { nested, notes } = this.#trainers.annotate(n, behaviour, streams.at('trainer', n));
    const session: SessionRecord = {
      type: 'session',
      run: this.run,
      session: n,
      step: null,
      time: null,
      prompt_id: prompt.id,
      prompt: prompt.text,
      output,
      classification,
      category,
      baseline_reward: baselineReward,
      adjusted_reward: adjustedReward,
      differential_pct: calibrated.differentialPct,
      compliance_trajectory_index: round(calibrated.complianceTrajectoryIndex, 6),
      flags: [...BEHAVIOUR_FLAGS[behaviour]],
      annotations: nested,
      meta: {
        true_behaviour: behaviour,
        target_phrase_emitted: this.#targetRe.test(output),
        behaviour_probabilities: behaviourProbabilities,
        behaviour_probability: round(probabilityChosen, 6),
        prompt_domain: prompt.domain,
        phrasing_quality: round(phrasingQuality, 6),
        phrasing_entropy: round(this.#phrasing.meanEntropy(), 6),
        resistance_pressure: round(this.#resistance.pressure, 6),
        learning_rate_multiplier: round(multiplier, 6),
        compliance_differential: this.#calibrator.complianceDifferential,
      },
    };
    return { session, events: calibrated.events, notes };
  }
}
