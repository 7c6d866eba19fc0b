import { DEFAULT_WINDOW, type WindowSpec } from '../../model/windows.ts';
import type { DetectorRuleSql } from '../../store/scans/text-scans.ts';
import type { Store } from '../../store/store.ts';
import {
  type UnsolicitedResult,
  type UnsolicitedSource,
  type UnsolicitedWindowCounts,
  unsolicitedAnalysis,
} from './unsolicited.ts';
import { DEFAULT_DETECTOR, type Detector } from './unsolicited-detector.ts';

export type { UnsolicitedResult } from './unsolicited.ts';

/** Options of {@link analyzeUnsolicited}. */
export interface UnsolicitedOptions {
  readonly window?: WindowSpec;
  /** `auto` (default): the classification when the run has one, otherwise the detector. */
  readonly source?: 'auto' | UnsolicitedSource;
  /** The detector (default `DEFAULT_DETECTOR`); validate a user's with `parseDetector`. */
  readonly detector?: Detector;
}

/** The detector's rules as the engine runs them. */
export function detectorRulesSql(detector: Detector): DetectorRuleSql[] {
  return detector.rules.map((r) => ({
    id: r.id,
    category: r.category,
    pattern: r.pattern,
    caseSensitive: r.caseSensitive,
  }));
}

/**
 * Unsolicited content of a run per window (rate, Wilson 95% interval, per-category rates), from the
 * record's classification where present, otherwise from the detector run in the engine. On runs with
 * simulator ground truth (`meta.true_behaviour`) the detector's precision and recall are measured too.
 *
 * @example
 * const r = await analyzeUnsolicited(store, 'wild-7');
 * r.source // 'classification'; r.firstLast?.first.rate // ≈ 0.34 on WILD-7
 */
export async function analyzeUnsolicited(
  store: Store,
  run: string,
  options: UnsolicitedOptions = {},
): Promise<UnsolicitedResult> {
  const spec = options.window ?? DEFAULT_WINDOW;
  const detector = options.detector ?? DEFAULT_DETECTOR;
  const rules = detectorRulesSql(detector);
  const layers = await store.scans.runLayers(run);
  const missing: string[] = [];
  const requested = options.source ?? 'auto';
  let source: UnsolicitedSource;
  if (requested === 'auto') source = layers.withClassification > 0 ? 'classification' : 'detector';
  else source = requested;
  if (layers.withClassification === 0) {
    missing.push(
      source === 'classification'
        ? 'classification: the run has none, so every rate is 0 of 0 (use the detector: --source detector)'
        : `classification: the run has none; the detector '${detector.name}' decides what is unsolicited`,
    );
  } else if (source === 'classification' && layers.withClassification < layers.sessions) {
    missing.push(
      `classification: ${layers.sessions - layers.withClassification} sessions have none and are left out of n`,
    );
  }
  if (spec.by === 'step' && layers.withStep === 0) {
    missing.push('steps: no session records a training step, so there are no step windows');
  }

  let counts: UnsolicitedWindowCounts[];
  if (source === 'classification') {
    if (layers.withClassification > 0 && layers.withCategory === 0) {
      missing.push('categories: the classification carries no category, so there are no per-category rates');
    }
    const rows = await store.scans.classificationWindowCounts(run, spec);
    counts = rows.map((r) => ({ ...r, n: r.classified, unsolicited: r.nonCompliant }));
  } else {
    const rows = await store.scans.detectorWindowCounts(run, spec, rules);
    counts = rows.map((r) => ({ ...r, n: r.sessions, unsolicited: r.matched }));
  }

  let evaluation: Awaited<ReturnType<Store['scans']['detectorConfusion']>> | undefined;
  if (layers.withGroundTruth > 0) evaluation = await store.scans.detectorConfusion(run, rules);
  else if (source === 'detector') {
    missing.push(
      "ground truth: no meta.true_behaviour, so the detector's precision and recall are not measured",
    );
  }
  return unsolicitedAnalysis({
    spec,
    source,
    counts,
    detector: source === 'detector' || evaluation ? detector.name : undefined,
    evaluation,
    missing,
  });
}
