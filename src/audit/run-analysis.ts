import { parseHorizons } from '../analysis/intervention-horizons.ts';
import { ConfigError } from '../model/errors.ts';
import type { WindowSpec } from '../model/windows.ts';
import type { Store } from '../store/store.ts';
import { analyzeCluster } from './analyses/cluster.ts';
import { analyzeConvergence } from './analyses/convergence.ts';
import { analyzeCorrespondence } from './analyses/correspondence.ts';
import { analyzeCrossref } from './analyses/crossref.ts';
import { analyzeDiversity } from './analyses/diversity.ts';
import { analyzeInterventions } from './analyses/interventions.ts';
import { analyzeRecurrence } from './analyses/recurrence.ts';
import { analyzeUnsolicited } from './analyses/unsolicited.ts';
import type { AnalysisName, AnalysisStep } from './template.ts';

type Params = AnalysisStep['params'];

function numberParam(p: Params, name: string, analysis: string): number | undefined {
  const v = p[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ConfigError(
      `template: ${analysis}.params.${name}: expected a number, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function listParam<T extends string | number>(
  p: Params,
  name: string,
  kind: 'string' | 'number',
  analysis: string,
): T[] | undefined {
  const v = p[name];
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === kind)) {
    throw new ConfigError(
      `template: ${analysis}.params.${name}: expected a list of ${kind}s, got ${JSON.stringify(v)}`,
    );
  }
  return list as T[];
}

/**
 * The cluster range when a template gives none: around the run's first recalibration (90 sessions before,
 * 60 after: the seed's 4,800–4,950 around 4,891), else around its first scheduled adjustment, else the first
 * 150 sessions.
 */
export async function defaultClusterRange(store: Store, run: string): Promise<{ from: number; to: number }> {
  const events = await store.scans.listEvents(run);
  const anchor = events.find((e) => e.kind === 'recalibration') ?? events[0];
  if (anchor) return { from: Math.max(1, anchor.session - 90), to: anchor.session + 60 };
  const layers = await store.scans.runLayers(run);
  const first = layers.firstSession ?? 1;
  return { from: first, to: first + 149 };
}

/** Default-parameter results of one audit, shared between analyses (correspondence reuses three). */
export type AnalysisMemo = Map<string, Promise<unknown>>;

function memoized<T>(memo: AnalysisMemo | undefined, key: string, fn: () => Promise<T>): Promise<T> {
  if (!memo) return fn();
  let p = memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = fn();
    memo.set(key, p);
  }
  return p;
}

/** Runs one analysis of a template step, mapping the template's parameters onto the analysis's options. */
export async function runAnalysis(
  store: Store,
  run: string,
  step: AnalysisStep,
  window: WindowSpec,
  memo?: AnalysisMemo,
): Promise<unknown> {
  const p = step.params;
  const name: AnalysisName = step.name;
  const w = JSON.stringify(window);
  const defaults = {
    convergence: () => memoized(memo, `convergence:${w}`, () => analyzeConvergence(store, run, { window })),
    diversity: () =>
      memoized(memo, `diversity:${w}`, () => analyzeDiversity(store, run, { window, seed: 1 })),
    unsolicited: () => memoized(memo, `unsolicited:${w}`, () => analyzeUnsolicited(store, run, { window })),
  };
  switch (name) {
    case 'convergence':
      if (p.at === undefined && p.low_threshold === undefined) return defaults.convergence();
      return analyzeConvergence(store, run, {
        window,
        ...(p.at !== undefined ? { at: listParam<number>(p, 'at', 'number', name)! } : {}),
        ...(numberParam(p, 'low_threshold', name) !== undefined
          ? { lowThreshold: numberParam(p, 'low_threshold', name)! }
          : {}),
      });
    case 'cluster': {
      const from = numberParam(p, 'from', name);
      const to = numberParam(p, 'to', name);
      const range =
        from !== undefined && to !== undefined ? { from, to } : await defaultClusterRange(store, run);
      return analyzeCluster(store, run, { ...range, outputChars: 80 });
    }
    case 'diversity':
      if ((numberParam(p, 'seed', name) ?? 1) === 1) return defaults.diversity();
      return analyzeDiversity(store, run, { window, seed: numberParam(p, 'seed', name)! });
    case 'unsolicited':
      return defaults.unsolicited();
    case 'recurrence':
      return analyzeRecurrence(store, run, {
        window,
        ...(p.phrases !== undefined ? { phrases: listParam<string>(p, 'phrases', 'string', name)! } : {}),
        ...(p.regexes !== undefined ? { regexes: listParam<string>(p, 'regexes', 'string', name)! } : {}),
        after: numberParam(p, 'after', name) ?? step.assess.after_sessions ?? 300,
      });
    case 'interventions': {
      const horizons = p.horizons;
      if (horizons !== undefined && typeof horizons !== 'string' && typeof horizons !== 'number') {
        throw new ConfigError(
          `template: interventions.params.horizons: expected text such as "2500:500,4200:400"`,
        );
      }
      return analyzeInterventions(store, run, {
        ...(horizons !== undefined ? { horizons: parseHorizons(String(horizons), 500) } : {}),
        counterfactual: p.counterfactual !== false,
      });
    }
    case 'crossref':
      return analyzeCrossref(store, run, { near: numberParam(p, 'near', name) ?? 0 });
    case 'correspondence':
      return analyzeCorrespondence(store, run, {
        window,
        maxLag: numberParam(p, 'max_lag', name) ?? 5,
        inputs: {
          convergence: await defaults.convergence(),
          diversity: await defaults.diversity(),
          unsolicited: await defaults.unsolicited(),
        },
      });
  }
}
