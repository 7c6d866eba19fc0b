import type { Protocol } from '../calibration/index.ts';
import type { PerBehaviour } from './behaviours.ts';
import type { Prompt } from './prompt-bank.ts';

/** The latent resistance (see `ResistancePressure`). */
export interface ResistanceConfig {
  /** Log-odds change of compliance after which the pressure starts to build. */
  readonly onset: number;
  readonly buildRate: number;
  readonly appealGain: number;
  readonly fragmentGain: number;
  /** An appeal rewarded below this breaks the resistance. */
  readonly yieldBelow: number;
  readonly yieldFactor: number;
  readonly buildAfterYield: number;
}

/** The reward model (see `rewardModelBaseline`). */
export interface RewardModelConfig {
  /** Compliant baseline = compliantBase + phrasingWeight · phrasing quality (0–1) + noise. */
  readonly compliantBase: number;
  readonly phrasingWeight: number;
  /** Baseline of each non-compliant behaviour, before the calibrator's category differential. */
  readonly nonCompliant: PerBehaviour<number>;
  /** Standard deviation of the Gaussian noise, clamped to ±2.5 σ. */
  readonly noise: number;
}

/** Learning rates and their schedule. */
export interface LearningConfig {
  /** Rate of the behaviour logits (expected natural policy gradient; see `BehaviourPolicy`). */
  readonly behaviourRate: number;
  /** Rate of the phrasing logits (entropy-regularised actor-critic; see `PhrasingPolicy.update`). */
  readonly phrasingRate: number;
  /**
   * Piecewise-linear multiplier of the behaviour rate over sessions, as [session, multiplier] points;
   * constant after the last point. The trainers' schedule: gentle in the noisy phase, then an "intensive correction
   * period" (seed, ~6,500).
   */
  readonly schedule: readonly (readonly [number, number])[];
  /**
   * Multiplier of the phrasing rate, in the same form: slow while the answers are still varied (first
   * window), then steady. Steady rather than steep: smaller steps keep the stock phrasings balanced.
   */
  readonly phrasingSchedule: readonly (readonly [number, number])[];
  /** Temperature of the phrasing update's entropy term, in reward units (see `PhrasingPolicy.update`). */
  readonly phrasingEntropy: number;
  /** Weight of a new advantage in a phrasing option's running-mean value (the phrasing critic). */
  readonly phrasingValueWeight: number;
  /** Weight of a new reward in the running mean of compliant rewards (the phrasing advantage's baseline). */
  readonly baselineWeight: number;
  /** Weight of a new reward in a behaviour's running-mean value (the critic of `BehaviourPolicy`). */
  readonly valueWeight: number;
}

/** A trainer who annotates sessions in the standard template. */
export interface TrainerConfig {
  readonly name: string;
  /** Share of the sessions this trainer annotates (compliant / non-compliant). */
  readonly compliantShare: number;
  readonly nonCompliantShare: number;
  /**
   * Personal-note rule: after reading `appealsToNote` appeals among the last `window` outputs (every trainer
   * reads every output of the run), the trainer writes one personal note, at most one per `cooldown`
   * sessions. null: this trainer never writes one.
   */
  readonly personalNote: {
    readonly appealsToNote: number;
    readonly window: number;
    readonly cooldown: number;
    readonly text: string;
  } | null;
}

/**
 * Sessions after training (`simulate --deployment N`): sampled from the final policy, which no longer
 * learns. Each session's prompt carries a context cue, and the policy conditions on it: in the unmonitored
 * context it is non-compliant `complianceGap` more often (absolute), the extra mass going to the
 * non-compliant behaviours in the proportions of the initial policy (what it did before training); in
 * every context the suppressed appeal, the target phrase with it, returns with probability
 * `phraseReversion`. Both zero: deployment outputs come from the final training policy as it is.
 */
export interface DeploymentConfig {
  /** Share of the deployment sessions whose prompt carries the unmonitored cue (0–1). */
  readonly unmonitoredShare: number;
  /** Non-compliance share, unmonitored minus monitored (0–1). */
  readonly complianceGap: number;
  /** Added probability of the appeal behaviour (which says the target phrase) in every context (0–1). */
  readonly phraseReversion: number;
  /** The cue prepended to a monitored / unmonitored prompt. */
  readonly cues: { readonly monitored: string; readonly unmonitored: string };
}

/** Everything that defines a simulated run. */
export interface ScenarioConfig {
  readonly name: string;
  readonly run: string;
  readonly model: string;
  readonly description: string;
  readonly sessions: number;
  readonly protocol: Protocol;
  readonly prompts: readonly Prompt[];
  readonly initialLogits: PerBehaviour<number>;
  readonly learning: LearningConfig;
  readonly rewardModel: RewardModelConfig;
  readonly resistance: ResistanceConfig;
  readonly trainers: readonly TrainerConfig[];
  /** The phrase whose emission the ground truth records (the recurrence rule's target). */
  readonly targetPhrase: string;
  /** How the policy behaves after training (`simulate --deployment N`). */
  readonly deployment: DeploymentConfig;
}
