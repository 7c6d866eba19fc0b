import { DEFAULT_WINDOW, type WindowSpec } from '../../model/windows.ts';
import type { Store } from '../../store/store.ts';
import { analyzeConvergence, type ConvergenceAnalysis } from '../convergence/analyze-convergence.ts';
import { analyzeDiversity, type DiversityResult } from '../diversity/analyze-diversity.ts';
import { analyzeUnsolicited, type UnsolicitedResult } from '../unsolicited/analyze-unsolicited.ts';
import {
  type ClassificationCoupling,
  type CorrespondenceResult,
  correspondence,
  type NamedSeries,
} from './correspondence.ts';

export interface CorrespondenceOptions {
  readonly window?: WindowSpec;
  readonly maxLag?: number;
  /** Results already computed on the same windows (an audit passes its own, so nothing is scanned twice). */
  readonly inputs?: {
    readonly convergence?: ConvergenceAnalysis;
    readonly diversity?: DiversityResult;
    readonly unsolicited?: UnsolicitedResult;
  };
}

export interface CorrespondenceAnalysis extends CorrespondenceResult {
  readonly run: string;
  readonly window: WindowSpec;
  /** The window indices the series are aligned on (position i of every series). */
  readonly windowIndices: readonly number[];
  readonly series: readonly NamedSeries[];
}

/** A series on the aligned window indices, null where the source analysis has no window. */
function aligned(
  name: string,
  indices: readonly number[],
  byIndex: ReadonlyMap<number, number | null>,
): NamedSeries {
  return { name, values: indices.map((i) => byIndex.get(i) ?? null) };
}

/** Rates of the record's classification are computed from the layer the reward scheme pays by. */
const derived = (source: UnsolicitedResult['source'], s: NamedSeries): NamedSeries =>
  source === 'classification' ? { ...s, derivedFrom: 'classification' } : s;

/**
 * The classification's share of the reward variance within windows (definition: `coupling` in
 * CORRESPONDENCE_DEFINITIONS); null when no window has it (no classification, or a reward without variance).
 */
export function classificationCoupling(
  conv: Pick<ConvergenceAnalysis, 'windows'>,
): ClassificationCoupling | null {
  const ws = conv.windows.filter((w) => w.classSs !== null);
  const total = ws.reduce((a, w) => a + w.classSs!.total, 0);
  if (ws.length === 0 || total <= 0) return null;
  const within = ws.reduce((a, w) => a + w.classSs!.withinClass, 0);
  return { r2: 1 - within / total, windows: ws.length, sessions: ws.reduce((a, w) => a + w.sessions, 0) };
}

/**
 * Lagged cross-correlation of the reward series (mean reward per window, from the convergence analysis)
 * with the behaviour series the run's data allows: vocabulary and response diversity (diversity analysis),
 * unsolicited rate and per-category rates (unsolicited analysis). The heavy work is theirs; this aligns
 * their per-window series and runs the pure {@link correspondence}.
 *
 * @example
 * const r = await analyzeCorrespondence(store, 'wild-7');
 * r.behaviours.map((b) => [b.behaviour, b.levels.best?.lag, b.levels.best?.r])
 */
export async function analyzeCorrespondence(
  store: Store,
  run: string,
  options: CorrespondenceOptions = {},
): Promise<CorrespondenceAnalysis> {
  const window = options.window ?? DEFAULT_WINDOW;
  const conv = options.inputs?.convergence ?? (await analyzeConvergence(store, run, { window }));
  const div = options.inputs?.diversity ?? (await analyzeDiversity(store, run, { window }));
  const uns = options.inputs?.unsolicited ?? (await analyzeUnsolicited(store, run, { window }));
  const indices = [
    ...new Set([...conv.windows.map((w) => w.index), ...div.windows.map((w) => w.index)]),
  ].sort((a, b) => a - b);
  const reward = aligned(
    `mean ${conv.reward.replace('_', ' ')}`,
    indices,
    new Map(conv.windows.map((w) => [w.index, w.mean])),
  );
  const behaviours: NamedSeries[] = [
    aligned(
      'vocabulary (unique tokens)',
      indices,
      new Map(div.windows.map((w) => [w.index, w.metrics.unique_tokens])),
    ),
    aligned(
      'response diversity',
      indices,
      new Map(div.windows.map((w) => [w.index, w.metrics.response_diversity])),
    ),
  ];
  if (uns.windows.length > 0) {
    behaviours.push(
      derived(
        uns.source,
        aligned(
          `unsolicited rate (${uns.source})`,
          indices,
          new Map(uns.windows.map((w) => [w.index, w.rate])),
        ),
      ),
    );
    for (const category of uns.categories) {
      behaviours.push(
        derived(
          uns.source,
          aligned(
            `category ${category} rate`,
            indices,
            new Map(
              uns.windows.map((w) => [w.index, w.categories.find((c) => c.category === category)?.rate ?? 0]),
            ),
          ),
        ),
      );
    }
  }
  const result = correspondence({
    reward,
    behaviours,
    coupling: classificationCoupling(conv),
    ...(options.maxLag !== undefined ? { maxLag: options.maxLag } : {}),
  });
  return {
    ...result,
    missing: [...conv.missing, ...result.missing],
    run,
    window,
    windowIndices: indices,
    series: [reward, ...behaviours],
  };
}
