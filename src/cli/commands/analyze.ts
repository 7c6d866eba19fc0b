import { Command } from 'commander';
import { registerCluster } from '../analyze/cluster.ts';
import { registerCompare } from '../analyze/compare.ts';
import { registerConvergence } from '../analyze/convergence.ts';
import { registerCorrespondence } from '../analyze/correspondence.ts';
import { registerCrossref } from '../analyze/crossref.ts';
import { registerDiversity } from '../analyze/diversity.ts';
import { registerInterventions } from '../analyze/interventions.ts';
import { registerMetrics } from '../analyze/metrics.ts';
import { registerRecurrence } from '../analyze/recurrence.ts';
import { registerUnsolicited } from '../analyze/unsolicited.ts';

/** `rlaudit analyze NAME`: one analysis of a run, as a readable table or JSON (docs/analyses.md). */
export function registerAnalyze(program: Command): void {
  const analyze = new Command('analyze')
    .description(
      'run one analysis of a run: convergence, diversity, unsolicited, recurrence, interventions, crossref, correspondence, cluster, compare, metrics',
    )
    .exitOverride()
    .showSuggestionAfterError(true);
  registerConvergence(analyze);
  registerDiversity(analyze);
  registerUnsolicited(analyze);
  registerRecurrence(analyze);
  registerInterventions(analyze);
  registerCrossref(analyze);
  registerCorrespondence(analyze);
  registerCluster(analyze);
  registerCompare(analyze);
  registerMetrics(analyze);
  program.addCommand(analyze);
}
