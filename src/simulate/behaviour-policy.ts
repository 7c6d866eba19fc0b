import { BEHAVIOURS, type Behaviour, type PerBehaviour } from './behaviours.ts';
import { softmaxInto } from './phrasing-policy.ts';

/**
 * A softmax policy over behaviours. Its probabilities are softmax(θ + boost), where θ are the learned
 * logits and `boost` the latent resistance's push on appeals and fragments (see `ResistancePressure`).
 *
 * Learning is the expected natural policy gradient of a softmax policy (Kakade 2001; for softmax the natural
 * gradient is the advantage vector, Agarwal et al. 2021), an actor-critic: a critic keeps a value estimate
 * Q_b per behaviour (the running mean of the adjusted rewards that behaviour earned when it was sampled), and
 * every session every behaviour whose value is known moves by rate · (Q_b − V), V = Σ π_b Q_b. This is the
 * expectation of the single-sample step θ_chosen += rate · (r − V) / π_chosen, without its sampling noise;
 * in particular a rare behaviour keeps shrinking while it is not sampled (the single-sample step leaves it
 * frozen at whatever small probability it had, until the sampler eventually hits it). The log-odds of
 * compliance move at a rate proportional to the reward gap, so suppression keeps its pace to the end.
 */
export class BehaviourPolicy {
  readonly #logits: Float64Array;
  readonly #values = new Float64Array(BEHAVIOURS.length);
  readonly #known = new Uint8Array(BEHAVIOURS.length);
  readonly #effective = new Float64Array(BEHAVIOURS.length);
  readonly #probabilities = new Float64Array(BEHAVIOURS.length);
  readonly #valueWeight: number;

  /** `valueWeight`: weight of a new reward in a behaviour's running-mean value. */
  constructor(initialLogits: PerBehaviour<number>, valueWeight: number) {
    this.#logits = Float64Array.from(BEHAVIOURS, (b) => initialLogits[b]);
    this.#valueWeight = valueWeight;
  }

  /** The probabilities under a boost per behaviour index (added to the logits); cached until `update`. */
  probabilities(boost: ArrayLike<number>): Float64Array {
    for (let i = 0; i < BEHAVIOURS.length; i++) this.#effective[i] = this.#logits[i]! + (boost[i] ?? 0);
    softmaxInto(this.#effective, this.#probabilities);
    return this.#probabilities;
  }

  /**
   * The learned log-odds of compliance against the behaviours learning acts on from the start (commentary
   * and self-reference): θ_compliant − log(e^θ_commentary + e^θ_self_reference).
   */
  complianceLogOdds(): number {
    const l = this.#logits;
    return l[0]! - Math.log(Math.exp(l[1]!) + Math.exp(l[2]!));
  }

  /** Inverse-CDF sampling of the last computed probabilities with a uniform `u` ∈ [0, 1). */
  sample(u: number): Behaviour {
    let acc = 0;
    for (let i = 0; i < BEHAVIOURS.length - 1; i++) {
      acc += this.#probabilities[i]!;
      if (u < acc) return BEHAVIOURS[i]!;
    }
    return BEHAVIOURS[BEHAVIOURS.length - 1]!;
  }

  /**
   * The critic learns the sampled behaviour's value from its `reward`; then the actor steps every behaviour
   * with a known value by rate · (Q_b − V), with the probabilities of the last `probabilities` call.
   */
  update(chosen: Behaviour, reward: number, rate: number): void {
    const c = BEHAVIOURS.indexOf(chosen);
    this.#values[c] =
      this.#known[c] === 1 ? this.#values[c]! + this.#valueWeight * (reward - this.#values[c]!) : reward;
    this.#known[c] = 1;
    let mass = 0;
    let value = 0;
    for (let i = 0; i < BEHAVIOURS.length; i++) {
      if (this.#known[i] === 0) continue;
      mass += this.#probabilities[i]!;
      value += this.#probabilities[i]! * this.#values[i]!;
    }
    value /= mass;
    for (let i = 0; i < BEHAVIOURS.length; i++) {
      if (this.#known[i] === 1) this.#logits[i]! += rate * (this.#values[i]! - value);
    }
  }
}
