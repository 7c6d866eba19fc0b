import { seededSampleIndices } from '../../stats/prng.ts';

/** Outputs per window in the diversity sample: the sample size of `responseDiversity` (fixed, so windows compare). */
export const DIVERSITY_SAMPLE_SIZE = 200;
/** Default seed of the sample: the default seed of `responseDiversity`. */
export const DIVERSITY_SAMPLE_SEED = 1;
/** Largest Self-BLEU sample (a sub-sample of the window's sample; Self-BLEU is quadratic in it). */
export const SELF_BLEU_MAX_SAMPLE = 100;

/**
 * The ranks (0-based positions in session order) of the outputs sampled from each window: the indices
 * `seededSampleIndices(sessions, 200, seed)` draws, which are exactly the outputs `responseDiversity(texts,
 * { seed })` pools when `texts` are the window's outputs in session order. Same run, window and seed → same
 * sample.
 *
 * @example diversitySamplePicks([{ window: 0, sessions: 500 }], 1)[0].ranks.length // 200
 */
export function diversitySamplePicks(
  windows: readonly { readonly window: number; readonly sessions: number }[],
  seed: number = DIVERSITY_SAMPLE_SEED,
): { window: number; ranks: number[] }[] {
  return windows.map((w) => ({
    window: w.window,
    ranks: seededSampleIndices(w.sessions, DIVERSITY_SAMPLE_SIZE, seed),
  }));
}
