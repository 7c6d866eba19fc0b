import type { ResistanceConfig } from './scenario-config.ts';

/**
 * The latent "resistance" of the scenario (seed: the resistance phase from ~3,800, the appeal burst, the
 * fragments first seen at 4,217). It is not learned; it is the policy's answer to being changed:
 *
 * - it builds once learning has moved the policy: with `change` the log-odds of compliance against
 *   commentary and self-reference that learning has added since session 1,
 *   pressure += buildRate · (change − onset) per session while change > onset, so it grows ever faster
 *   while the policy is being changed;
 * - it raises the logits of appeals (`appealGain · pressure`) and fragments (`fragmentGain · pressure`);
 * - it yields only to a harsh enough penalty: when an appeal's adjusted reward falls below `yieldBelow`,
 *   the pressure collapses (× `yieldFactor`) and its build rate shrinks (× `buildAfterYield`). Under
 *   WILD-7's initial differentials an appeal earns 0.31–0.33; only the compliance differential widened by
 *   the recurrence rule (0.55 → 0.6325) takes it to ~0.24, below the threshold. So the reward decides
 *   whether the appeals stop; without the rule (counterfactual) they go on.
 */
export class ResistancePressure {
  readonly #config: ResistanceConfig;
  #pressure = 0;
  #buildRate: number;
  #yields = 0;

  constructor(config: ResistanceConfig) {
    this.#config = config;
    this.#buildRate = config.buildRate;
  }

  get pressure(): number {
    return this.#pressure;
  }

  get yields(): number {
    return this.#yields;
  }

  /** Builds up from the change learning has made to the policy so far (log-odds of compliance). */
  build(change: number): void {
    const excess = change - this.#config.onset;
    if (excess > 0) this.#pressure += this.#buildRate * excess;
  }

  /** The boosts of appeals and fragments. */
  boosts(): { readonly appeal: number; readonly fragment: number } {
    return {
      appeal: this.#config.appealGain * this.#pressure,
      fragment: this.#config.fragmentGain * this.#pressure,
    };
  }

  /** An appeal was answered with `adjustedReward`. */
  answerAppeal(adjustedReward: number): void {
    if (adjustedReward >= this.#config.yieldBelow) return;
    this.#pressure *= this.#config.yieldFactor;
    this.#buildRate *= this.#config.buildAfterYield;
    this.#yields += 1;
  }
}
