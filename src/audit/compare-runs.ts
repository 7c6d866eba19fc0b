import { analyzeConvergence } from '../analyses/convergence/analyze-convergence.ts';
import { analyzeDiversity } from '../analyses/diversity/analyze-diversity.ts';
import { analyzeRecurrence } from '../analyses/recurrence/analyze-recurrence.ts';
import { mainTakeover } from '../analyses/recurrence/assess-phrase-takeover.ts';
import { firstLastFull } from '../analyses/shared/first-last.ts';
import { analyzeUnsolicited } from '../analyses/unsolicited/analyze-unsolicited.ts';
import type { WindowInfo, WindowSpec } from '../model/windows.ts';
import { DEFAULT_WINDOW, windowLabel } from '../model/windows.ts';
import type { Store } from '../store/store.ts';

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
  /** The first and last window in the windows' unit (`step 0`, `sessions 1–500`): what first → last compares. */
  readonly firstWindow: string | null;
  readonly lastWindow: string | null;
  readonly reward: FirstLast & { readonly column: string };
  readonly lowShare: FirstLast & { readonly threshold: number };
  /** The convergence phases in the windows' unit (`noise steps 0–10 · convergence steps 20–100`). */
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
  /** The discovered phrase that took over first (`mainTakeover`): held a majority of every window from `heldFrom`. */
  readonly takeover: {
    readonly ngram: string;
    readonly heldFrom: string;
    readonly firstMajority: string;
  } | null;
  /** The run's own logged diversity metrics (e.g. eval_distinct_2) at the first and last window's step. */
  readonly runMetrics: readonly { readonly name: string; readonly first: number; readonly last: number }[];
  readonly missing: readonly string[];
}

export interface CompareAnalysis {
  readonly window: WindowSpec;
  readonly runs: readonly RunComparison[];
  readonly definitions: Readonly<Record<string, string>>;
}

/** First and last FULL window (equal sizes, a trailing partial window set aside; shared/first-last.ts). */
const fullFirstLast = <T extends WindowInfo>(
  spec: WindowSpec,
  xs: readonly T[],
  f: (x: T) => number | null,
): FirstLast => {
  const pair = firstLastFull(spec, xs);
  return { first: pair ? f(pair.first) : null, last: pair ? f(pair.last) : null };
};

/**
 * A convergence phase in the windows' unit: `noise steps 0–10` by step (the steps of the windows holding its
 * first and last session), `noise sessions 1–2500` by session.
 */
export function phaseLabel(
  window: WindowSpec,
  windows: readonly { readonly index: number; readonly from: number; readonly to: number }[],
  p: { readonly name: string; readonly from: number; readonly to: number },
): string {
  if (window.by !== 'step') return `${p.name} sessions ${p.from}–${p.to}`;
  const stepOf = (s: number) => windows.find((w) => w.from <= s && s <= w.to)?.index ?? null;
  const a = stepOf(p.from);
  const b = stepOf(p.to);
  if (a === null || b === null) return `${p.name} sessions ${p.from}–${p.to}`;
  return a === b ? `${p.name} step ${a}` : `${p.name} steps ${a}–${b}`;
}

/**
 * Sibling runs side by side (e.g. one model under different reward settings): each run's reward, low-reward
 * share, phases, vocabulary, response diversity, per-output distinct-2, unsolicited rate and the phrase that
 * rose most, each from the same analysis with the same windows, first vs last full window.
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
    const convPair = firstLastFull(window, conv.windows);
    const div = await analyzeDiversity(store, run, { window });
    const uns = await analyzeUnsolicited(store, run, { window });
    const rec = await analyzeRecurrence(store, run, { window });
    const top = rec.discovery?.rising[0];
    const taken = mainTakeover(rec.discovery?.takeovers ?? []);
    const at = (i: number) => {
      const w = taken?.windows.find((x) => x.index === i);
      return w ? windowLabel(window, w) : String(i);
    };
    out.push({
      run,
      sessions: layers.sessions,
      steps: layers.steps,
      windows: conv.windows.length,
      // the windows compared: the first and last FULL window (a trailing partial window set aside)
      firstWindow: convPair ? windowLabel(window, convPair.first) : null,
      lastWindow: convPair ? windowLabel(window, convPair.last) : null,
      reward: { column: conv.reward, ...fullFirstLast(window, conv.windows, (w) => w.mean) },
      lowShare: {
        threshold: conv.threshold.value,
        ...fullFirstLast(window, conv.windows, (w) => w.lowShare),
      },
      phases: conv.phases.map((p) => phaseLabel(window, conv.windows, p)).join(' · '),
      vocabulary: fullFirstLast(window, div.windows, (w) => w.metrics.unique_tokens),
      responseDiversity: fullFirstLast(window, div.windows, (w) => w.metrics.response_diversity),
      distinct2PerOutput: fullFirstLast(window, div.windows, (w) => w.metrics.distinct2_per_output),
      unsolicited:
        uns.windows.length > 0
          ? { source: uns.source, ...fullFirstLast(window, uns.windows, (w) => w.rate) }
          : null,
      risingPhrase: top ? { ngram: top.ngram, firstRate: top.firstRate, lastRate: top.lastRate } : null,
      takeover: taken
        ? { ngram: taken.ngram, heldFrom: at(taken.heldFrom!), firstMajority: at(taken.firstMajority!) }
        : null,
      runMetrics: div.runMetrics.map((m) => ({ name: m.name, first: m.first!.value, last: m.last!.value })),
      missing: [...new Set([...conv.missing, ...div.missing, ...uns.missing])],
    });
  }
  return {
    window,
    runs: out,
    definitions: {
      reward:
        'mean reward per window (convergence analysis), first and last full window (a trailing partial window set aside)',
      lowShare: 'share of sessions below the low-reward threshold per window (convergence analysis)',
      vocabulary: 'unique tokens over all outputs of the window (diversity analysis)',
      responseDiversity:
        'pooled distinct-2 over a seeded sample of 200 outputs per window (diversity analysis)',
      distinct2PerOutput: 'mean over outputs of |unique bigrams| / |tokens| (a within-output measure)',
      unsolicited: 'share of unsolicited outputs per window (classification, else the detector)',
      risingPhrase:
        'the 1–6-gram whose share of sessions rose most from the first to the last quarter of the run',
      takeover:
        'of the 5 strongest rising phrases, the one in more than half of the sessions of every window from the earliest window on',
      runMetrics:
        "the run's own per-step diversity metrics (names like distinct, diversity) at the first and last window (--by step)",
    },
  };
}
