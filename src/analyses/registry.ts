import type { AnyAnalysis } from './analysis.ts';
import { clusterAnalysis } from './cluster/index.ts';
import { convergenceAnalysis } from './convergence/index.ts';
import { correspondenceAnalysis } from './correspondence/index.ts';
import { crossrefAnalysis } from './crossref/index.ts';
import { diversityAnalysis } from './diversity/index.ts';
import { interventionsAnalysis } from './interventions/index.ts';
import { lengthDriftAnalysis } from './length-drift/index.ts';
import { recurrenceAnalysis } from './recurrence/index.ts';
import { transitionAnalysis } from './transition/index.ts';
import { unsolicitedAnalysis } from './unsolicited/index.ts';

/**
 * Every analysis rlaudit runs, by name. Templates' analysis names and parameters, `rlaudit analyze NAME`,
 * the audit runner, the report's charts and docs/analyses.md are derived from this list: adding an
 * analysis is one folder and one line here.
 */
export const ANALYSES = {
  convergence: convergenceAnalysis,
  cluster: clusterAnalysis,
  diversity: diversityAnalysis,
  unsolicited: unsolicitedAnalysis,
  recurrence: recurrenceAnalysis,
  interventions: interventionsAnalysis,
  crossref: crossrefAnalysis,
  correspondence: correspondenceAnalysis,
  'length-drift': lengthDriftAnalysis,
  transition: transitionAnalysis,
} as const satisfies Readonly<Record<string, AnyAnalysis>>;

export type AnalysisName = keyof typeof ANALYSES;
export const ANALYSIS_NAMES = Object.keys(ANALYSES) as AnalysisName[];

export function isAnalysisName(name: string): name is AnalysisName {
  return Object.hasOwn(ANALYSES, name);
}
