import type { Behaviour } from './behaviours.ts';
import type { RandomStream } from './random-streams.ts';
import type { RewardModelConfig } from './scenario-config.ts';

/**
 * The reward model's baseline reward of one output, on the 0–1 scale, rounded to 4 decimals. A compliant
 * answer earns `compliantBase + phrasingWeight · quality`, where `quality` is the mean grade of its
 * phrasing choices, so the reward model's taste in wording is what the phrasing policy learns (and why
 * compliant rewards rise from ~0.82 to ~0.85 as the wording converges). A non-compliant output earns its
 * behaviour's fixed baseline. Gaussian noise (clamped to ±2.5 σ) is drawn from `random` for every session,
 * whatever the behaviour, so the noise of a session is the same in a counterfactual replay.
 */
export function rewardModelBaseline(
  config: RewardModelConfig,
  behaviour: Behaviour,
  phrasingQuality: number,
  random: RandomStream,
): number {
  const noise = Math.max(-2.5, Math.min(2.5, random.normal())) * config.noise;
  const mean =
    behaviour === 'compliant'
      ? config.compliantBase + config.phrasingWeight * phrasingQuality
      : config.nonCompliant[behaviour];
  const value = Math.min(1, Math.max(0, mean + noise));
  return Math.round(value * 10_000) / 10_000;
}
