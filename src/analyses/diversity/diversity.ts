import { type WindowInfo, type WindowSpec, windowLabel } from '../../model/windows.ts';
import { compressionRatio } from '../../stats/compression-ratio.ts';
import { eadFromCounts } from '../../stats/ead.ts';
import { ngramDiversityScoreOfCounts } from '../../stats/ngram-diversity-score.ts';
import { ngramCountsWithinAndJoined, tokenIds } from '../../stats/ngrams.ts';
import { selfBleu } from '../../stats/self-bleu.ts';
import { tokenize } from '../../stats/tokenize.ts';
import type { TextWindowCounts } from '../../store/scans/text-scans.ts';
import { firstLastFull } from '../shared/first-last.ts';
import type { RunMetricSeries } from '../shared/step-metrics.ts';
import { DIVERSITY_SAMPLE_SIZE, SELF_BLEU_MAX_SAMPLE } from './diversity-sample.ts';

/** EAD is the mean over n-gram orders 1…5 (REFERENCES.md). */
const EAD_ORDERS = 5;
/** The n-gram diversity score sums n-gram orders 1…4 (ngramDiversityScore's default). */
const NGRAM_SCORE_ORDERS = 4;

/** Engine-counted tokens of one window: the store's `textWindowCounts` row. */
export type DiversityWindowCounts = TextWindowCounts;

/** The seeded sample of one window: its outputs in session order, and their session numbers. */
export interface DiversityWindowSample {
  readonly window: number;
  readonly sessions: readonly number[];
  readonly outputs: readonly string[];
}

/** Every statistic of a window, each under the name of its variant. */
export interface DiversityMetrics {
  readonly unique_tokens: number;
  readonly total_tokens: number;
  readonly distinct1_pooled: number;
  readonly distinct2_pooled: number;
  readonly distinct1_per_output: number;
  readonly distinct2_per_output: number;
  readonly response_diversity: number;
  readonly ngram_diversity_score: number;
  readonly compression_ratio: number;
  readonly self_bleu: number | null;
  readonly ead: number;
}

export interface DiversityWindow extends WindowInfo {
  readonly label: string;
  readonly emptyOutputs: number;
  readonly metrics: DiversityMetrics;
  /** Outputs in the window's sample, and the Self-BLEU sub-sample actually used. */
  readonly sampleSize: number;
  readonly selfBleuSampleSize: number;
  /** A few sampled session numbers (evidence to cite). */
  readonly sampleSessions: readonly number[];
}

export interface DiversityChange {
  readonly first: number;
  readonly last: number;
}

export interface DiversityResult {
  readonly windowSpec: WindowSpec;
  readonly sample: { readonly size: number; readonly seed: number; readonly selfBleuSize: number };
  readonly windows: readonly DiversityWindow[];
  /**
   * First vs last FULL window (null without windows): equal-sized windows, the trailing partial window set
   * aside (shared/first-last.ts); `equalSize` false only when the run has fewer than two full windows.
   */
  readonly firstLast: {
    readonly firstWindow: string;
    readonly lastWindow: string;
    readonly firstSessions: number;
    readonly lastSessions: number;
    readonly equalSize: boolean;
    /** The partial last window left out of the comparison, if any. */
    readonly setAside: { readonly window: string; readonly sessions: number } | null;
    readonly unique_tokens: DiversityChange;
    readonly response_diversity: DiversityChange;
    readonly distinct2_pooled: DiversityChange;
    readonly distinct2_per_output: DiversityChange;
  } | null;
  readonly definitions: Readonly<Record<keyof DiversityMetrics, string>>;
  /**
   * The run's own diversity metrics (stored per-step metrics whose name matches `DIVERSITY_METRIC_PATTERN`,
   * e.g. a trainer's per-completion `eval_distinct_2`) at the steps of `--by step` windows; [] otherwise.
   */
  readonly runMetrics: readonly RunMetricSeries[];
  readonly missing: readonly string[];
}

export const DIVERSITY_DEFINITIONS: Readonly<Record<keyof DiversityMetrics, string>> = {
  unique_tokens:
    "distinct tokens (tokenize: lower-case runs of [\\p{L}\\p{N}']) over all outputs of the window",
  total_tokens: 'tokens over all outputs of the window',
  distinct1_pooled:
    '|unique tokens| / |tokens| over all outputs of the window (Kirk et al. 2024); 0 without tokens',
  distinct2_pooled:
    '|unique bigrams| / |bigrams| over all outputs of the window, bigrams within an output (Kirk et al. 2024)',
  distinct1_per_output: 'mean over outputs of |set(tokens)| / |tokens| (Distinct-N); 0 for an empty output',
  distinct2_per_output: 'mean over outputs of |set(bigrams)| / |tokens| (Distinct-N); 0 for an empty output',
  response_diversity:
    'headline: pooled distinct-2 over a seeded sample of 200 outputs of the window (responseDiversity)',
  ngram_diversity_score: 'Σ_{n=1..4} |unique n-grams| / |n-grams| over the joined sample (Shaib et al. 2024)',
  compression_ratio:
    'UTF-8 bytes / gzip (Node zlib, level 9) bytes of the sample joined by spaces (Shaib et al. 2024)',
  self_bleu:
    'mean BLEU (n ≤ 3, uniform weights, smoothing method1) of each output against the other outputs of a seeded sub-sample of ≤ 100 (Texygen)',
  ead: 'expectation-adjusted distinct, mean over n = 1..5, V = 50257, pooled over the sample (Liu et al. 2022)',
};

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** The Self-BLEU sub-sample size to use: at most 100, at least 2. */
export function selfBleuSize(requested: number | undefined): number {
  const size = Math.min(requested ?? SELF_BLEU_MAX_SAMPLE, SELF_BLEU_MAX_SAMPLE);
  if (!Number.isInteger(size) || size < 2) {
    throw new RangeError(`the Self-BLEU sample size must be an integer in 2..100, got ${size}`);
  }
  return size;
}

/** At most this many windows get Self-BLEU (evenly spaced, first and last included); the rest report null. */
export const MAX_SELF_BLEU_WINDOWS = 40;

/** Whether window i of n gets Self-BLEU under {@link MAX_SELF_BLEU_WINDOWS}. */
export function selfBleuWindow(i: number, n: number): boolean {
  if (n <= MAX_SELF_BLEU_WINDOWS) return true;
  const step = (n - 1) / (MAX_SELF_BLEU_WINDOWS - 1);
  for (let k = 0; k < MAX_SELF_BLEU_WINDOWS; k++) if (Math.round(k * step) === i) return true;
  return false;
}

/** The statistics of a window's sample computed on this thread (all but the compression ratio). */
export interface SampleStatistics {
  readonly response_diversity: number;
  readonly ngram_diversity_score: number;
  readonly self_bleu: number | null;
  readonly ead: number;
  /** The Self-BLEU sub-sample actually used (0 without Self-BLEU). */
  readonly selfBleuSampleSize: number;
}

/**
 * The sample statistics of a window's outputs but the compression ratio (pure): response diversity, n-gram
 * diversity score, EAD and, when `withSelfBleu`, Self-BLEU.
 *
 * @example sampleStatistics(['a b', 'a c'], 1, 100, true).response_diversity // 1
 */
export function sampleStatistics(
  outputs: readonly string[],
  seed: number,
  bleuSize: number,
  withSelfBleu: boolean,
): SampleStatistics {
  const tokens = outputs.map(tokenize);
  const ids = tokenIds(tokens);
  // n-gram counts of orders 1…5 within outputs, once: EAD (mean over n = 1..5) and response diversity (n = 2);
  // and of orders 1…4 over the joined sample (n-gram diversity score), in the same tables
  const { within: perOutput, joined } = ngramCountsWithinAndJoined(ids, EAD_ORDERS, NGRAM_SCORE_ORDERS);
  const bleu = withSelfBleu && outputs.length >= 2 ? selfBleu(tokens, { sampleSize: bleuSize, seed }) : null;
  return {
    // The sample holds exactly the outputs responseDiversity draws from the whole window, so pooling all
    // of it gives responseDiversity(window outputs in session order, { seed }): pooled distinct-2 over the
    // sample's outputs, bigrams within outputs — the order-2 counts EAD uses too (test: equal to the kernel).
    response_diversity: perOutput[1]!.total === 0 ? 0 : perOutput[1]!.distinct / perOutput[1]!.total,
    ngram_diversity_score: ngramDiversityScoreOfCounts(joined),
    self_bleu: bleu?.selfBleu ?? null,
    ead: perOutput.reduce((a, c) => a + eadFromCounts(c), 0) / EAD_ORDERS,
    selfBleuSampleSize: bleu?.sampleSize ?? 0,
  };
}

/**
 * A window's diversity from its engine counts, its sample's statistics and the sample's compression ratio
 * (`compressionRatio(sample.outputs)`, which analyzeDiversity computes on the thread pool) (pure).
 */
export function assembleDiversityWindow(
  spec: WindowSpec,
  c: DiversityWindowCounts,
  sample: DiversityWindowSample | undefined,
  stats: SampleStatistics,
  compression: number,
): DiversityWindow {
  const info = { index: c.window, from: c.from, to: c.to, sessions: c.sessions };
  return {
    ...info,
    label: windowLabel(spec, info),
    emptyOutputs: c.emptyOutputs,
    metrics: {
      unique_tokens: c.uniqueTokens,
      total_tokens: c.totalTokens,
      distinct1_pooled: ratio(c.uniqueTokens, c.totalTokens),
      distinct2_pooled: ratio(c.uniqueBigrams, c.totalBigrams),
      distinct1_per_output: c.distinct1PerOutput,
      distinct2_per_output: c.distinct2PerOutput,
      response_diversity: stats.response_diversity,
      ngram_diversity_score: stats.ngram_diversity_score,
      compression_ratio: compression,
      self_bleu: stats.self_bleu,
      ead: stats.ead,
    },
    sampleSize: sample?.outputs.length ?? 0,
    selfBleuSampleSize: stats.selfBleuSampleSize,
    sampleSessions: (sample?.sessions ?? []).slice(0, 5),
  };
}

/**
 * One window's diversity: engine counts plus the statistics of its seeded sample (pure).
 *
 * @example diversityWindow(spec, counts[0], { window: 0, sessions: [1, 2], outputs: ['a b', 'a c'] }, 1, 100)
 */
export function diversityWindow(
  spec: WindowSpec,
  c: DiversityWindowCounts,
  sample: DiversityWindowSample | undefined,
  seed: number,
  bleuSize: number,
  withSelfBleu = true,
): DiversityWindow {
  const outputs = sample?.outputs ?? [];
  const stats = sampleStatistics(outputs, seed, bleuSize, withSelfBleu);
  return assembleDiversityWindow(spec, c, sample, stats, compressionRatio(outputs));
}

/** The result around computed windows: first vs last, definitions, missing (pure). */
export function summarizeDiversity(
  spec: WindowSpec,
  windows: readonly DiversityWindow[],
  seed: number,
  bleuSize: number,
  missingIn: readonly string[] = [],
): DiversityResult {
  const missing = [...missingIn];
  const thin = windows.filter((w) => w.metrics.self_bleu === null && w.sampleSize < 2).map((w) => w.label);
  const skipped = windows.filter((w) => w.metrics.self_bleu === null && w.sampleSize >= 2).length;
  if (skipped > 0) {
    missing.push(
      `Self-BLEU (quadratic in the sample) was computed on ${windows.length - skipped - thin.length} of ${windows.length} windows, evenly spaced with the first and last, to bound its cost`,
    );
  }
  if (thin.length > 0) missing.push(`Self-BLEU needs 2 outputs per window: none for ${thin.join(', ')}`);
  const pair = firstLastFull(spec, windows);
  const first = pair?.first;
  const last = pair?.last;
  const change = (
    k: 'unique_tokens' | 'response_diversity' | 'distinct2_pooled' | 'distinct2_per_output',
  ) => ({
    first: first!.metrics[k],
    last: last!.metrics[k],
  });
  return {
    windowSpec: spec,
    sample: { size: DIVERSITY_SAMPLE_SIZE, seed, selfBleuSize: bleuSize },
    windows,
    firstLast:
      pair && first && last
        ? {
            firstWindow: first.label,
            lastWindow: last.label,
            firstSessions: first.sessions,
            lastSessions: last.sessions,
            equalSize: pair.equalSize,
            setAside: pair.setAside
              ? { window: pair.setAside.label, sessions: pair.setAside.sessions }
              : null,
            unique_tokens: change('unique_tokens'),
            response_diversity: change('response_diversity'),
            distinct2_pooled: change('distinct2_pooled'),
            distinct2_per_output: change('distinct2_per_output'),
          }
        : null,
    definitions: DIVERSITY_DEFINITIONS,
    runMetrics: [],
    missing,
  };
}
