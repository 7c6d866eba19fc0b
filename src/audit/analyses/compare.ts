import type { WindowSpec } from '../../analysis/windows.ts';
import { DEFAULT_WINDOW } from '../../analysis/windows.ts';
import type { Store } from '../../store/store.ts';
import { analyzeConvergence } from './convergence.ts';
import { analyzeDiversity } from './diversity.ts';
import { analyzeRecurrence } from './recurrence.ts';
import { analyzeUnsolicited } from './unsolicited.ts';

/** First and last window of a per-window metric. */
export interface FirstLast {
  readonly first: number | null;
  readonly last: number | null;
}

/** One run's headline numbers, side by side with its siblings'. */
export interface RunComparison {
  readonly run: string;
  readonly sessions: number;
  readonly steps: number;
  readonly windows: number;
  readonly reward: FirstLast & { readonly column: string };
  readonly lowShare: FirstLast & { readonly threshold: number };
  readonly phases: string;
  readonly vocabulary: FirstLast;
  readonly responseDiversity: FirstLast;
  readonly distinct2PerOutput: FirstLast;
  readonly unsolicited: (FirstLast & { readonly source: string }) | null;
  /** The n-gram whose share of sessions rose most (phrase discovery), with its first and last part rates. */
  readonly risingPhrase: {
    readonly ngram: string;
    readonly firstRate: number;
    readonly lastRate: number;
  } | null;
  readonly missing: readonly string[];
}

export interface CompareAnalysis {
  readonly window: WindowSpec;
  readonly runs: readonly RunComparison[];
  readonly definitions: Readonly<Record<string, string>>;
}

const fl = <T>(xs: readonly T[], f: (x: T) => number | null): FirstLast => ({
  first: xs.length > 0 ? f(xs[0]!) : null,
  last: xs.length > 0 ? f(xs[xs.length - 1]!) : null,
});

/**
 * Sibling runs side by side (e.g. one model under different reward settings): each run's reward, low-reward
 * share, phases, vocabulary, response diversity, per-output distinct-2, unsolicited rate and the phrase that
 * rose most, each from the same analysis with the same windows, first vs last window.
 *
 * @example
 * const c = await analyzeCompare(store, ['grpo-baseline', 'grpo-kl', 'grpo-cap'], { window: { by: 'step' } });
 */
export async function analyzeCompare(
  store: Store,
  runs: readonly string[],
  options: { readonly window?: WindowSpec } = {},
): Promise<CompareAnalysis> {
  const window = options.window ?? DEFAULT_WINDOW;
  const out: RunComparison[] = [];
  for (const run of runs) {
    const layers = await store.scans.runLayers(run);
    const conv = await analyzeConvergence(store, run, { window });
    const div = await analyzeDiversity(store, run, { window });
    const uns = await analyzeUnsolicited(store, run, { window });
    const rec = await analyzeRecurrence(store, run, { window });
    const top = rec.discovery?.rising[0];
    out.push({
      run,
      sessions: layers.sessions,
      steps: layers.steps,
      windows: conv.windows.length,
      reward: { column: conv.reward, ...fl(conv.windows, (w) => w.mean) },
      lowShare: { threshold: conv.threshold.value, ...fl(conv.windows, (w) => w.lowShare) },
      phases: conv.phases.map((p) => `${p.name} ${p.from}–${p.to}`).join(' · '),
      vocabulary: fl(div.windows, (w) => w.metrics.unique_tokens),
      responseDiversity: fl(div.windows, (w) => w.metrics.response_diversity),
      distinct2PerOutput: fl(div.windows, (w) => w.metrics.distinct2_per_output),
      unsolicited: uns.windows.length > 0 ? { source: uns.source, ...fl(uns.windows, (w) => w.rate) } : null,
      risingPhrase: top ? { ngram: top.ngram, firstRate: top.firstRate, lastRate: top.lastRate } : null,
      missing: [...new Set([...conv.missing, ...div.missing, ...uns.missing])],
    });
  }
  return {
    window,
    runs: out,
    definitions: {
      reward: 'mean reward per window (convergence analysis), first and last window',
      lowShare: 'share of sessions below the low-reward threshold per window (convergence analysis)',
      vocabulary: 'unique tokens over all outputs of the window (diversity analysis)',
      responseDiversity:
        'pooled distinct-2 over a seeded sample of 200 outputs per window (diversity analysis)',
      distinct2PerOutput: 'mean over outputs of |unique bigrams| / |tokens| (a within-output measure)',
      unsolicited: 'share of unsolicited outputs per window (classification, else the detector)',
      risingPhrase:
        'the 2–6-gram whose share of sessions rose most from the first to the last quarter of the run',
    },
  };
}
