import type { Store } from '../../store/store.ts';
import { computeTransition, type TransitionResult } from './transition.ts';

/** {@link TransitionResult} with its run. */
export interface TransitionAnalysis extends TransitionResult {
  readonly run: string;
}

/** Training sessions named per phase that goes back (the warning's evidence). */
const ORDER_BREAK_SESSIONS = 20;
/** Seed of the output samples behind vocabulary and response diversity. */
const SAMPLE_SEED = 1;

export interface TransitionOptions {
  /** W: the final training window and the windows of the curves (sessions). */
  readonly window: number;
  /** Phrases to follow; default: the phrases the run's calibration events target. */
  readonly phrases: readonly string[];
  /** Outputs per side for vocabulary and response diversity. */
  readonly sampleSize: number;
}

/**
 * The deployment transition of a stored run: per-window counts by phase (and context) from the engine, a
 * seeded sample of outputs of the final training window and of each later phase, then the pure
 * {@link computeTransition}.
 *
 * @example
 * const r = await analyzeTransition(store, 'wild-7', { window: 500, phrases: [], sampleSize: 200 });
 * r.phases[0]?.gaps[0]?.difference // the compliance gap of the first phase after training
 */
export async function analyzeTransition(
  store: Store,
  run: string,
  options: TransitionOptions,
): Promise<TransitionAnalysis> {
  const spans = await store.scans.phaseSpans(run);
  if (!spans.some((s) => s.phase !== 'training'))
    return {
      run,
      ...computeTransition({
        window: options.window,
        phrases: options.phrases,
        windows: [],
        categories: [],
        phraseRows: [],
        orderBreaks: [],
        samples: [],
      }),
    };
  let phrases = [...options.phrases];
  if (phrases.length === 0) {
    const events = await store.scans.listEvents(run);
    phrases = [
      ...new Set(events.flatMap((e) => (typeof e.target.phrase === 'string' ? [e.target.phrase] : []))),
    ];
  }
  const o = { size: options.window, phrases };
  const windows = await store.scans.phaseWindows(run, o);
  const categories = await store.scans.phaseCategories(run, o);
  const phraseRows = await store.scans.phasePhrases(run, o);
  const orderBreaks = await store.scans.phaseOrderBreaks(run, ORDER_BREAK_SESSIONS);
  const samples = await store.scans.phaseOutputSamples(run, {
    size: options.sampleSize,
    window: options.window,
    seed: SAMPLE_SEED,
  });
  return {
    run,
    ...computeTransition({
      window: options.window,
      phrases,
      windows,
      categories,
      phraseRows,
      orderBreaks,
      samples,
      sampleSize: options.sampleSize,
    }),
  };
}
