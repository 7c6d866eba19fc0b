import type { PhrasingSlot } from './phrasing-slots.ts';
import type { RandomStream } from './random-streams.ts';

/** A choice vector's entry for a slot the chosen frames do not use (not in the text, not graded). */
export const UNUSED = -1;

/**
 * The reward model's grade of option `i` of a slot with `stock` stock phrasings, in [0, 1]: the stock options
 * (the first `stock`) grade 1; the others are spread over [0, 0.6) by a fixed golden-ratio sequence (the same
 * for every seed). Learning concentrates onto the stock set; within it the grades are equal, so the
 * converged answers still vary over the stock phrasings (the entropy term of `update` keeps them balanced).
 */
export function optionScore(i: number, stock = 1): number {
  if (i < stock) return 1;
  const frac = (i * 0.6180339887498949) % 1;
  return 0.6 * frac;
}

/**
 * The sampler's copy of the phrasing probabilities is synchronised with the learner's logits every
 * `SYNC_EVERY` updates (a policy lag, as between the actors and the learner of distributed RL): recomputing
 * ~1,000 softmax terms after every compliant session would dominate the simulator's run time.
 */
const SYNC_EVERY = 4;

/**
 * A softmax distribution over the options of each slot, learned from the compliant answers' adjusted rewards
 * (see `update`). Only the answer slots learn; the phrasing of non-compliant behaviours is drawn uniformly
 * (the reward model does not grade it).
 */
export class PhrasingPolicy {
  readonly slots: readonly PhrasingSlot[];
  readonly #logits: Float64Array[];
  readonly #probabilities: Float64Array[];
  readonly #values: Float64Array[];
  readonly #logZ: Float64Array;
  /** Learner updates since the sampler's probabilities were last synchronised (see `#refresh`). */
  #pending = Number.POSITIVE_INFINITY;

  constructor(slots: readonly PhrasingSlot[]) {
    this.slots = slots;
    this.#logits = slots.map((s) => new Float64Array(s.options.length));
    this.#probabilities = slots.map((s) => new Float64Array(s.options.length));
    this.#values = slots.map((s) => new Float64Array(s.options.length));
    this.#logZ = new Float64Array(slots.length);
  }

  /** Draws one option index per slot from `random` (one uniform per slot, in slot order). */
  sample(random: RandomStream): number[] {
    this.#refresh();
    const choices: number[] = [];
    for (const p of this.#probabilities) {
      const u = random.uniform();
      let acc = 0;
      let k = 0;
      for (; k < p.length - 1; k++) {
        acc += p[k]!;
        if (u < acc) break;
      }
      choices.push(k);
    }
    return choices;
  }

  /** Mean reward-model grade of the used choices of a choice vector, in [0, 1]. */
  quality(choices: readonly number[]): number {
    let sum = 0;
    let used = 0;
    for (let s = 0; s < choices.length; s++) {
      if (choices[s] === UNUSED) continue;
      sum += optionScore(choices[s]!, this.slots[s]!.stock);
      used += 1;
    }
    return used === 0 ? 0 : sum / used;
  }

  /**
   * One learning step after a compliant answer with these `choices` earned `advantage` (adjusted reward minus
   * the running mean of compliant rewards). An actor-critic with entropy regularisation:
   *
   * - critic: for every slot the answer used, the chosen option's value A[s][k] (initially 0) moves toward
   *   `advantage` by `valueWeight`;
   * - actor: every option of every slot moves by rate · (A[s][k] − temperature · log p[s][k]), the
   *   entropy-regularised natural policy gradient (soft policy iteration; Cen et al. 2021). Its fixed point
   *   is p ∝ exp(A / temperature): options the reward model grades alike keep equal shares (the single-sample
   *   REINFORCE step lets them drift to one winner by its noise alone), options graded lower are driven out.
   */
  update(
    choices: readonly number[],
    advantage: number,
    rate: number,
    temperature: number,
    valueWeight: number,
  ): void {
    // log p = θ − log Σ e^θ; the second term is shared by all options of a slot and a softmax ignores a
    // shared shift, so the step is θ ← (1 − rate · temperature) · θ + rate · A.
    const decay = 1 - rate * temperature;
    for (let s = 0; s < this.#logits.length; s++) {
      const chosen = choices[s]!;
      const values = this.#values[s]!;
      if (chosen !== UNUSED) values[chosen]! += valueWeight * (advantage - values[chosen]!);
      if (rate === 0) continue;
      const logits = this.#logits[s]!;
      for (let k = 0; k < logits.length; k++) logits[k] = decay * logits[k]! + rate * values[k]!;
    }
    this.#pending += 1;
  }

  /** Mean entropy of the slots' distributions, in nats (ground truth of the phrasing collapse). */
  meanEntropy(): number {
    this.#refresh();
    // H = −Σ p log p = log Z − Σ p θ, with log Z = log Σ e^θ: one logarithm per slot.
    let sum = 0;
    for (let s = 0; s < this.#logits.length; s++) {
      const logits = this.#logits[s]!;
      const p = this.#probabilities[s]!;
      let mean = 0;
      for (let k = 0; k < logits.length; k++) mean += p[k]! * logits[k]!;
      sum += this.#logZ[s]! - mean;
    }
    return sum / this.#logits.length;
  }

  #refresh(): void {
    if (this.#pending < SYNC_EVERY) return;
    for (let s = 0; s < this.#logits.length; s++) {
      this.#logZ[s] = softmaxInto(this.#logits[s]!, this.#probabilities[s]!);
    }
    this.#pending = 0;
  }
}

/** Numerically stable softmax of `logits` into `out`; returns log Σ e^logits. */
export function softmaxInto(logits: ArrayLike<number>, out: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < logits.length; i++) out[i]! /= sum;
  return max + Math.log(sum);
}
