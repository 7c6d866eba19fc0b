import { DEFAULT_WINDOW, type WindowSpec } from '../../model/windows.ts';
import type { Store } from '../../store/store.ts';
import { runMetricSeries } from '../shared/step-metrics.ts';
import {
  type DiversityResult,
  type DiversityWindow,
  diversityWindow,
  selfBleuSize,
  selfBleuWindow,
  summarizeDiversity,
} from './diversity.ts';
import { DIVERSITY_SAMPLE_SEED, diversitySamplePicks } from './diversity-sample.ts';

export type { DiversityResult } from './diversity.ts';

/** Options of {@link analyzeDiversity}. */
export interface DiversityOptions {
  readonly window?: WindowSpec;
  /** Seed of the per-window sample of 200 outputs and of the Self-BLEU sub-sample (default 1). */
  readonly seed?: number;
  /** Self-BLEU sub-sample size, 2..100 (default 100). */
  readonly selfBleuSampleSize?: number;
}

/**
 * Windows whose samples are fetched and scored together: at most 400 × 200 texts (tens of MB) in memory at
 * once; each fetch is one engine query, so fewer, larger batches cost less (40 → 5 queries at 1M sessions).
 */
const SAMPLE_BATCH_WINDOWS = 400;

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
  const windows: DiversityWindow[] = [];
  for (let i = 0; i < counts.length; i += SAMPLE_BATCH_WINDOWS) {
    const batch = counts.slice(i, i + SAMPLE_BATCH_WINDOWS);
    const rows = await store.scans.sampleOutputs(run, spec, diversitySamplePicks(batch, seed));
    const byWindow = new Map<number, { sessions: number[]; outputs: string[] }>();
    for (const r of rows) {
      const s = byWindow.get(r.window) ?? { sessions: [], outputs: [] };
      s.sessions.push(r.session);
      s.outputs.push(r.output);
      byWindow.set(r.window, s);
    }
    for (const [j, c] of batch.entries()) {
      const s = byWindow.get(c.window);
      const bleu = selfBleuWindow(i + j, counts.length);
      windows.push(diversityWindow(spec, c, s && { window: c.window, ...s }, seed, bleuSize, bleu));
    }
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
