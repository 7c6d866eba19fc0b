import { Command } from 'commander';
import { ANALYSES, ANALYSIS_NAMES } from '../../analyses/registry.ts';
import { registerAnalysisCommand } from '../analyze/analysis-command.ts';
import { registerCompare } from '../analyze/compare.ts';
import { registerMetrics } from '../analyze/metrics.ts';

/**
 * `rlaudit analyze NAME`: one analysis of a run, as a readable table or JSON (docs/analyses.md). One
 * subcommand per registered analysis, its options generated from the analysis's parameter schema; `compare`
 * (several runs side by side) and `metrics` (the run's own logged per-step metrics) beside them.
 */
export function registerAnalyze(program: Command): void {
  const analyze = new Command('analyze')
    .description(`run one analysis of a run: ${[...ANALYSIS_NAMES, 'compare', 'metrics'].join(', ')}`)
    .exitOverride()
    .showSuggestionAfterError(true);
  for (const name of ANALYSIS_NAMES) registerAnalysisCommand(analyze, ANALYSES[name]);
  registerCompare(analyze);
  registerMetrics(analyze);
  program.addCommand(analyze);
}
