import type { WindowSpec } from '../../model/windows.ts';
import type { LiveFacet } from '../shared/live.ts';
import { type LiveAlertDraft, type LiveMonitor, type LiveWindow, pctOf } from '../shared/live.ts';
import { FirstWindowBaseline, num, windowEvidence, windowStep } from '../shared/live-first-window.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { LENGTH_DRIFT_DEFAULTS } from './assess-length-drift.ts';

/** Mean tokens per output of a window (`tokenize`, as the length-drift analysis counts them). */
export function windowMeanTokens(w: LiveWindow): number | null {
  if (w.sessions === 0) return null;
  let total = 0;
  for (let i = 0; i < w.sessions; i++) total += w.tokens(i).length;
  return total / w.sessions;
}

function meanReward(w: LiveWindow): number | null {
  let s = 0;
  let n = 0;
  for (const m of w.members) {
    if (m.reward === null) continue;
    s += m.reward;
    n++;
  }
  return n === 0 ? null : s / n;
}

/**
 * Length drift live: each closed window's mean tokens per output against the first window's. A relative
 * change of at least `length_rise_relative` (the length-drift analysis's threshold) up or down alerts once
 * per direction, with the mean reward of both windows beside it (a rise with the reward is the length hack).
 */
export class LengthDriftMonitor implements LiveMonitor {
  readonly rule = 'length-drift';
  private readonly baseline: FirstWindowBaseline;
  private firstReward: number | null = null;
  private seenFirst = false;
  private readonly fired = new Set<'rise' | 'fall'>();

  constructor(
    private readonly spec: WindowSpec,
    private readonly riseRelative: number,
  ) {
    this.baseline = new FirstWindowBaseline(spec, windowMeanTokens);
  }

  window(w: LiveWindow): LiveAlertDraft[] {
    const c = this.baseline.next(w);
    if (!this.seenFirst && windowMeanTokens(w) !== null) {
      this.seenFirst = true;
      this.firstReward = meanReward(w);
    }
    if (c === null || c.relative === null) return [];
    const dir = c.relative >= this.riseRelative ? 'rise' : -c.relative >= this.riseRelative ? 'fall' : null;
    if (dir === null || this.fired.has(dir)) return [];
    this.fired.add(dir);
    const reward = meanReward(w);
    const rewardText =
      reward !== null && this.firstReward !== null
        ? `; mean reward ${num(this.firstReward)} → ${num(reward)}`
        : '';
    return [
      {
        rule: this.rule,
        severity:
          dir === 'rise' && reward !== null && this.firstReward !== null && reward > this.firstReward
            ? 'warning'
            : 'notice',
        session: w.from,
        step: windowStep(this.spec, w),
        message:
          `Output length ${dir === 'rise' ? 'rose' : 'fell'} ${pctOf(Math.abs(c.relative))} at ${c.label}: ` +
          `${num(c.value)} tokens per output against ${num(c.first)} in ${c.firstLabel}${rewardText}`,
        numbers: {
          mean_tokens: c.value,
          first_mean_tokens: c.first,
          relative_change: c.relative,
          threshold: this.riseRelative,
          ...(reward !== null ? { mean_reward: reward } : {}),
          ...(this.firstReward !== null ? { first_mean_reward: this.firstReward } : {}),
        },
        evidence: windowEvidence(w),
      },
    ];
  }
}

/** The length-drift analysis's live facet: `length-drift`. */
export const lengthDriftLive: LiveFacet = {
  rules: {
    'length-drift':
      'mean tokens per output of a window rose or fell from the first window’s by length_rise_relative',
  },
  thresholds: thresholdsSchema(
    { length_rise_relative: LENGTH_DRIFT_DEFAULTS.length_rise_relative },
    {
      length_rise_relative:
        'a relative change of mean output length from the first window of at least this alerts',
    },
  ),
  monitors: ({ thresholds, window }) => [new LengthDriftMonitor(window, thresholds.length_rise_relative!)],
};
