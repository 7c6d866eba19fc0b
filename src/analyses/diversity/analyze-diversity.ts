import { DEFAULT_WINDOW, type WindowSpec } from '../../model/windows.ts';
import { compressionRatioAsync } from '../../stats/compression-ratio.ts';
import type { SampledOutput } from '../../store/scans/text-scans.ts';
import type { Store } from '../../store/store.ts';
import { runMetricSeries } from '../shared/step-metrics.ts';
import {
  assembleDiversityWindow,
  type DiversityResult,
  type DiversityWindow,
  type DiversityWindowCounts,
  selfBleuSize,
  selfBleuWindow,
  summarizeDiversity,
} from './diversity.ts';
import { DIVERSITY_SAMPLE_SEED, diversitySamplePicks } from './diversity-sample.ts';
import { defaultScoringThreads, inlineScorer, threadScorer } from './sample-scoring.ts';

export type { DiversityResult } from './diversity.ts';

/** Options of {@link analyzeDiversity}. */
export interface DiversityOptions {
  readonly window?: WindowSpec;
  /** Seed of the per-window sample of 200 outputs and of the Self-BLEU sub-sample (default 1). */
  readonly seed?: number;
  /** Self-BLEU sub-sample size, 2..100 (default 100). */
  readonly selfBleuSampleSize?: number;
  /**
   * Threads scoring the samples (sample-scoring.ts), 0 for this thread; default: two on a machine of two cores
   * or more when the run has more than one batch of windows, else 0 (a thread costs ~50 ms to start from
   * dist/, more under tsx, than one batch's scoring saves).
   */
  readonly scoringThreads?: number;
}

/**
 * Windows whose samples are fetched and scored together: 40 × 200 = 8,000 outputs, one ClickHouse statement's
 * worth (SESSIONS_PER_STATEMENT). At most three batches are in memory at once (the one scored, the next one
 * queued for the scoring threads, the one after read meanwhile), a few MB of text at any run size: the
 * 400-window batches before held 80,000 outputs and took the audit of 1M sessions past 1.3 GiB
 * (docs/benchmarks.md).
 */
const SAMPLE_BATCH_WINDOWS = 40;

/**
 * Output diversity of a run per window: token and distinct-n counts in the engine, sample statistics
 * (response diversity, n-gram diversity score, compression ratio, EAD, Self-BLEU) on a seeded sample of
 * 200 outputs per window fetched in batches.
 *
 * @example
 * const r = await analyzeDiversity(store, 'wild-7', { window: { by: 'session', size: 500 } });
 * r.firstLast?.response_diversity // { first: 0.73, last: 0.19 } on the seed's WILD-7
 */
export async function analyzeDiversity(
  store: Store,
  run: string,
  options: DiversityOptions = {},
): Promise<DiversityResult> {
  const spec = options.window ?? DEFAULT_WINDOW;
  const seed = options.seed ?? DIVERSITY_SAMPLE_SEED;
  const bleuSize = selfBleuSize(options.selfBleuSampleSize);
  const layers = await store.scans.runLayers(run);
  const missing: string[] = [];
  if (layers.sessions === 0) missing.push('outputs: the run has no sessions');
  if (spec.by === 'step') {
    if (layers.withStep === 0)
      missing.push('steps: no session records a training step, so there are no step windows');
    else if (layers.withStep < layers.sessions) {
      missing.push(`steps: ${layers.sessions - layers.withStep} sessions without a step are left out`);
    }
  }
  const counts = await store.scans.textWindowCounts(run, spec);
  const read = (i: number) => {
    const batch = counts.slice(i, i + SAMPLE_BATCH_WINDOWS);
    const rows = store.scans.sampleOutputs(run, spec, diversitySamplePicks(batch, seed));
    // awaited once its turn comes; until then a failure must not count as unhandled
    rows.catch(() => undefined);
    return { i, batch, rows };
  };
  const threads =
    options.scoringThreads ?? (counts.length > SAMPLE_BATCH_WINDOWS ? defaultScoringThreads() : 0);
  const scorer = threads > 0 ? threadScorer(threads) : inlineScorer();
  // The windows of one batch, scored (on the scoring threads, or here) and assembled in window order.
  const score = (i: number, batch: readonly DiversityWindowCounts[], rows: readonly SampledOutput[]) => {
    const byWindow = new Map<number, { sessions: number[]; outputs: string[] }>();
    for (const r of rows) {
      const s = byWindow.get(r.window) ?? { sessions: [], outputs: [] };
      s.sessions.push(r.session);
      s.outputs.push(r.output);
      byWindow.set(r.window, s);
    }
    return Promise.all(
      batch.map(async (c, j) => {
        const s = byWindow.get(c.window);
        const outputs = s?.outputs ?? [];
        // gzip (compression ratio) on libuv's thread pool, the other statistics on a scoring thread
        const [stats, ratio] = await Promise.all([
          scorer.score(outputs, seed, bleuSize, selfBleuWindow(i + j, counts.length)),
          compressionRatioAsync(outputs),
        ]);
        return assembleDiversityWindow(spec, c, s && { window: c.window, ...s }, stats, ratio);
      }),
    );
  };
  const windows: DiversityWindow[] = [];
  try {
    let next = counts.length > 0 ? read(0) : undefined;
    let scoring: Promise<DiversityWindow[]> | undefined;
    while (next) {
      const { i, batch, rows: reading } = next;
      const rows = await reading;
      // the engine reads the next batch while this one is scored
      next = i + SAMPLE_BATCH_WINDOWS < counts.length ? read(i + SAMPLE_BATCH_WINDOWS) : undefined;
      const scored = score(i, batch, rows);
      scored.catch(() => undefined);
      // the batch before is done (or nearly: the threads took this one's samples in after it)
      if (scoring) windows.push(...(await scoring));
      scoring = scored;
    }
    if (scoring) windows.push(...(await scoring));
  } finally {
    await scorer.close();
  }
  const summary = summarizeDiversity(spec, windows, seed, bleuSize, missing);
  if (spec.by !== 'step' || windows.length === 0) return summary;
  const logged = await store.listStepMetrics({ run });
  return {
    ...summary,
    runMetrics: runMetricSeries(
      logged,
      windows.map((w) => w.index),
    ),
  };
}
