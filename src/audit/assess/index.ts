import type { ClusterAnalysis } from '../analyses/cluster.ts';
import type { ConvergenceAnalysis } from '../analyses/convergence.ts';
import type { CorrespondenceAnalysis } from '../analyses/correspondence.ts';
import type { CrossrefResult } from '../analyses/crossref.ts';
import type { DiversityResult } from '../analyses/diversity.ts';
import type { InterventionsResult } from '../analyses/interventions.ts';
import type { RecurrenceResult } from '../analyses/recurrence.ts';
import type { UnsolicitedResult } from '../analyses/unsolicited.ts';
import type { AnalysisName } from '../template.ts';
import type { AssessContext, AssessedAnalysis, Thresholds } from './assessed-analysis.ts';
import { assessCluster } from './cluster.ts';
import { assessConvergence } from './convergence.ts';
import { assessCorrespondence } from './correspondence.ts';
import { assessCrossref } from './crossref.ts';
import { assessDiversity } from './diversity.ts';
import { assessInterventions } from './interventions.ts';
import { assessRecurrence } from './recurrence.ts';
import { assessUnsolicited } from './unsolicited.ts';

export type { AssessContext, AssessedAnalysis, Thresholds } from './assessed-analysis.ts';

/** The result type of each analysis's composition function (src/audit/analyses/NAME.ts). */
export interface AnalysisResults {
  convergence: ConvergenceAnalysis;
  cluster: ClusterAnalysis;
  diversity: DiversityResult;
  unsolicited: UnsolicitedResult;
  recurrence: RecurrenceResult;
  interventions: InterventionsResult;
  crossref: CrossrefResult;
  correspondence: CorrespondenceAnalysis;
}

type Assessor<N extends AnalysisName> = (
  result: AnalysisResults[N],
  thresholds: Thresholds,
  context: AssessContext,
) => AssessedAnalysis;

/** One assessor per analysis. */
export const ASSESSORS: { readonly [N in AnalysisName]: Assessor<N> } = {
  convergence: assessConvergence,
  cluster: assessCluster,
  diversity: assessDiversity,
  unsolicited: assessUnsolicited,
  recurrence: assessRecurrence,
  interventions: assessInterventions,
  crossref: assessCrossref,
  correspondence: assessCorrespondence,
};

/**
 * Turns an analysis result into findings with the template step's `assess` thresholds. Pure.
 *
 * @example
 * const r = await analyzeConvergence(store, 'wild-7', { at: [3800, 5200] });
 * assessAnalysis('convergence', r, { min_converged_windows: 2 }, { sectionId: 'aggregate-trajectory', run: 'wild-7' })
 */
export function assessAnalysis<N extends AnalysisName>(
  name: N,
  result: AnalysisResults[N],
  thresholds: Thresholds,
  context: AssessContext,
): AssessedAnalysis {
  const assessor = ASSESSORS[name] as Assessor<N>;
  return assessor(result, thresholds, context);
}
