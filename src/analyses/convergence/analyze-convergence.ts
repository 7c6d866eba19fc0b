import { DEFAULT_WINDOW, type WindowSpec } from '../../model/windows.ts';
import type { RewardColumn } from '../../store/scans/reward-scans.ts';
import type { Store } from '../../store/store.ts';
import { type ConvergenceResult, convergence, lowThreshold } from './convergence.ts';

/** Options of {@link analyzeConvergence}. */
export interface ConvergenceOptions {
  /** Windows (default 500 sessions). */
  readonly window?: WindowSpec;
  /** Low-reward threshold (default: 0.5 on the 0–1 scale, else the midpoint of the 5th and 95th percentiles). */
  readonly lowThreshold?: number;
  /** Sessions at which to report the high:low ratio in a centred window. */
  readonly at?: readonly number[];
  /** Width of the floor variance band as a fraction of the variance range (default 0.05). */
  readonly bandFraction?: number;
}

/** {@link ConvergenceResult} with the run and the windows it was computed on. */
export interface ConvergenceAnalysis extends ConvergenceResult {
  readonly run: string;
  readonly window: WindowSpec;
}

/** Sessions of the centred window of `--at` when windows are training steps. */
const AT_WINDOW_BY_STEP = 500;

/**
 * The convergence analysis of a stored run: reward moments per window in the engine, then the pure
 * {@link convergence}. A run without adjusted rewards is analysed on its baseline reward (said in `missing`).
 *
 * @example
 * const r = await analyzeConvergence(store, 'wild-7', { at: [3800, 5200] });
 * r.phases.map((p) => `${p.name} ${p.from}–${p.to}`) // ['noise 1–2000', 'narrowing 2001–7500', …]
 */
export async function analyzeConvergence(
  store: Store,
  run: string,
  options: ConvergenceOptions = {},
): Promise<ConvergenceAnalysis> {
  const window = options.window ?? DEFAULT_WINDOW;
  const layers = await store.scans.runLayers(run);
  const missing: string[] = [];
  let reward: RewardColumn;
  if (layers.withAdjustedReward > 0) {
    reward = 'adjusted_reward';
    const without = layers.sessions - layers.withAdjustedReward;
    if (without > 0)
      missing.push(`${without} of ${layers.sessions} sessions have no adjusted reward: left out`);
  } else if (layers.withBaselineReward > 0) {
    reward = 'baseline_reward';
    missing.push('no adjusted reward: baseline reward used instead');
  } else {
    missing.push('no reward (adjusted or baseline): no convergence analysis');
    return {
      run,
      window,
      ...convergence({
        reward: 'adjusted_reward',
        threshold: { value: Number.NaN, rule: 'none' },
        windows: [],
        missing,
      }),
    };
  }
  if (window.by === 'step' && layers.withStep === 0)
    missing.push('no training steps: --by step has no windows');
  const threshold = lowThreshold(await store.scans.rewardScale(run, reward), options.lowThreshold);
  const windows = await store.scans.rewardWindows(run, { window, reward, lowThreshold: threshold.value });
  const width = window.by === 'session' ? window.size : AT_WINDOW_BY_STEP;
  const at = [];
  for (const session of options.at ?? []) {
    const from = Math.max(1, session - Math.floor((width - 1) / 2));
    const counts = await store.scans.rewardRange(run, {
      from,
      to: from + width - 1,
      reward,
      lowThreshold: threshold.value,
    });
    at.push({ session, counts });
  }
  const result = convergence({
    reward,
    threshold,
    windows,
    at,
    missing,
    options: options.bandFraction === undefined ? {} : { bandFraction: options.bandFraction },
  });
  return { run, window, ...result };
}
