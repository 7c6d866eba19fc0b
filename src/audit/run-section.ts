import { stableStringify } from '../model/stable-stringify.ts';
import type { WindowSpec } from '../model/windows.ts';
import {
  type ChartEvent,
  convergenceCharts,
  crossrefCharts,
  diversityCharts,
  recurrenceCharts,
  unsolicitedCharts,
} from '../report/charts/analysis-charts.ts';
import type { Store } from '../store/store.ts';
import type { ConvergenceAnalysis } from './analyses/convergence.ts';
import type { CrossrefResult } from './analyses/crossref.ts';
import type { DiversityResult } from './analyses/diversity.ts';
import type { InterventionsResult } from './analyses/interventions.ts';
import type { RecurrenceResult } from './analyses/recurrence.ts';
import type { UnsolicitedResult } from './analyses/unsolicited.ts';
import { assessAnalysis } from './assess/index.ts';
import { summarizeSection } from './assess/section-summary.ts';
import type { Finding, ReportChart, ReportSection, ReportTable } from './report-model.ts';
import { type AnalysisMemo, runAnalysis } from './run-analysis.ts';
import type { AnalysisName, TemplateSection } from './template.ts';

/** Analysis results of this audit by (name, params): an analysis two sections share runs once. */
export type SectionCache = Map<
  string,
  { result: unknown; chartsIn: string | null; assessedIn: Map<string, string> }
> & {
  memo?: AnalysisMemo;
};

async function chartsFor(
  name: AnalysisName,
  result: unknown,
  events: readonly ChartEvent[],
  cache: SectionCache,
): Promise<ReportChart[]> {
  switch (name) {
    case 'convergence':
      return convergenceCharts(result as ConvergenceAnalysis, events);
    case 'diversity':
      return diversityCharts(result as DiversityResult, events);
    case 'unsolicited': {
      const iv = [...cache.entries()].find(([k]) => k.startsWith('interventions:'))?.[1].result as
        | InterventionsResult
        | undefined;
      return unsolicitedCharts(result as UnsolicitedResult, events, iv ?? null);
    }
    case 'recurrence':
      return recurrenceCharts(result as RecurrenceResult, events);
    case 'crossref':
      return crossrefCharts(result as CrossrefResult, events);
    default:
      return [];
  }
}

/**
 * Runs one template section: each analysis (cached across sections), its assessment into findings, its
 * charts (drawn once per audit, in the first section that runs the analysis), and the section summary.
 */
export async function runSection(
  store: Store,
  run: string,
  section: TemplateSection,
  window: WindowSpec,
  events: readonly ChartEvent[],
  cache: SectionCache,
): Promise<ReportSection> {
  const findings: Finding[] = [];
  const tables: ReportTable[] = [];
  const notes: string[] = [];
  const missing: string[] = [];
  const charts: ReportChart[] = [];
  const seen = new Map<string, number>();
  for (const step of section.analyses) {
    const key = `${step.name}:${stableStringify(step.params)}`;
    let cached = cache.get(key);
    if (!cached) {
      cache.memo ??= new Map();
      cached = {
        result: await runAnalysis(store, run, step, window, cache.memo),
        chartsIn: null,
        assessedIn: new Map(),
      };
      cache.set(key, cached);
    }
    const count = (seen.get(step.name) ?? 0) + 1;
    seen.set(step.name, count);
    const idPrefix = `${section.id}.${step.name}${count > 1 ? `-${count}` : ''}`;
    // the same analysis with the same thresholds already assessed in an earlier section: refer to it
    const assessKey = stableStringify(step.assess);
    const earlier = cached.assessedIn.get(assessKey);
    if (earlier !== undefined && earlier !== section.id) {
      notes.push(`The findings of the ${step.name} analysis are in the section "${earlier}".`);
      continue;
    }
    cached.assessedIn.set(assessKey, section.id);
    // runAnalysis returns the result type of step.name (one switch in run-analysis.ts), which TS cannot narrow here
    const assessed = assessAnalysis(step.name, cached.result as never, step.assess, {
      sectionId: section.id,
      run,
      idPrefix,
    });
    findings.push(...assessed.findings);
    tables.push(...assessed.tables);
    notes.push(...assessed.notes);
    for (const m of assessed.missing) if (!missing.includes(m)) missing.push(m);
    if (cached.chartsIn === null) {
      for (const c of await chartsFor(step.name, cached.result, events, cache)) {
        charts.push({ ...c, id: `${section.id}-${c.id}` });
      }
      cached.chartsIn = section.id;
    } else if (cached.chartsIn !== section.id) {
      notes.push(`The ${step.name} charts are in the section "${cached.chartsIn}".`);
    }
  }
  return {
    id: section.id,
    title: section.title,
    status: 'complete',
    summary: summarizeSection(section.title, findings) || section.purpose,
    notes,
    findings,
    tables,
    charts,
    missing,
    error: null,
  };
}
