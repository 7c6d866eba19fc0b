import { mulberry32 } from '../stats/prng.ts';

/**
 * The purposes that draw random numbers in the simulator. Each purpose has its own generator, so removing
 * an intervention (counterfactual replay) changes only what that intervention causes: the prompt of session
 * n, its reward noise and its phrasing draws are the same in the factual and the counterfactual run.
 */
export const STREAM_PURPOSES = [
  'prompt',
  'behaviour',
  'phrasing',
  'reward',
  'trainer',
  'sample',
  // sessions after training: their own stream, so appending them changes nothing in the training part
  'deployment',
] as const;
export type StreamPurpose = (typeof STREAM_PURPOSES)[number];

/** FNV-1a over the purpose name, mixed with the run seed: a 32-bit seed per stream. */
function streamSeed(seed: number, purpose: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) {
    h ^= purpose.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= Math.imul(seed >>> 0, 0x9e3779b1);
  return h >>> 0;
}

/** A uniform [0, 1) generator with helpers; wraps `mulberry32`. */
export class RandomStream {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  /** A float in [0, 1). */
  uniform(): number {
    return this.#next();
  }

  /** An integer in [0, n). */
  index(n: number): number {
    return Math.floor(this.#next() * n);
  }

  /** A standard normal draw (Box–Muller, one value per call: the second is discarded for simplicity). */
  normal(): number {
    const u = 1 - this.#next();
    const v = this.#next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/**
 * A low-discrepancy uniform sequence for behaviour sampling: u_t = frac(offset + t·(√5 − 1)/2), a Weyl
 * sequence with a seeded offset. Fed through the inverse CDF of the policy's probabilities it samples
 * every behaviour with its probability, but the count of a behaviour over any window stays within a few
 * sessions of the sum of its probabilities (discrepancy O(log W / W) instead of O(1/√W) for independent
 * draws). Without it, the seed's −8 % and −11 % changes over 400–500-session windows would sit below
 * binomial noise. Successive values are anti-correlated, which also reproduces the seed's alternating
 * compliant / non-compliant sessions in the noisy phase.
 */
export class WeylSequence {
  static readonly #STEP = (Math.sqrt(5) - 1) / 2;
  #value: number;

  constructor(offset: number) {
    this.#value = offset - Math.floor(offset);
  }

  next(): number {
    this.#value += WeylSequence.#STEP;
    if (this.#value >= 1) this.#value -= 1;
    return this.#value;
  }
}

/** Mixes a stream seed with a session number (murmur3 finaliser): the seed of one session's generator. */
function mix(base: number, session: number): number {
  let h = (base ^ Math.imul(session, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The simulator's random numbers, all derived from the run seed. Prompt, phrasing, reward noise and
 * trainer draws come from a fresh generator per (purpose, session), so a session's draws do not depend on
 * how many numbers earlier sessions consumed: a counterfactual run that changes one session's behaviour
 * keeps every later prompt, noise value and phrasing draw (common random numbers).
 */
export class RandomStreams {
  readonly behaviour: WeylSequence;
  readonly #bases: Readonly<Record<StreamPurpose, number>>;

  constructor(seed: number) {
    const bases = {} as Record<StreamPurpose, number>;
    for (const purpose of STREAM_PURPOSES) bases[purpose] = streamSeed(seed, purpose);
    this.#bases = bases;
    this.behaviour = new WeylSequence(new RandomStream(bases.behaviour).uniform());
  }

  /** The generator of one purpose at one session. */
  at(purpose: StreamPurpose, session: number): RandomStream {
    return new RandomStream(mix(this.#bases[purpose], session));
  }
}
