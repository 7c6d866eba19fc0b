import type { AnyAnalysis, ChartContext, Dependencies } from '../analyses/analysis.ts';
import { ANALYSES } from '../analyses/registry.ts';
import type { ChartAxis, ChartEvent, RunMetricValue } from '../analyses/shared/chart-specs.ts';
import type { ChartData, Finding, ReportTable } from '../model/findings.ts';
import { stableStringify } from '../model/stable-stringify.ts';
import { AnalysisResults } from './analysis-results.ts';
import type { ReportSection } from './report-model.ts';
import { summarizeSection } from './section-summary.ts';
import type { AuditTemplate, TemplateSection } from './template.ts';

/** What the sections of one audit share: the results, and where each result's charts and findings went. */
export interface AuditState {
  readonly results: AnalysisResults;
  readonly template: AuditTemplate;
  readonly events: readonly ChartEvent[];
  /** The charts' x axis: sessions, or training steps when the windows are steps. */
  readonly axis: ChartAxis;
  /** The run's own per-step metrics. */
  readonly runMetrics: readonly RunMetricValue[];
  /** Result key → the section whose charts show it. */
  readonly chartsIn: Map<string, string>;
  /** Result key + thresholds → the section whose findings assess it. */
  readonly assessedIn: Map<string, string>;
}

/**
 * The results a chart builder reads (`chartsUse`): each named analysis as the template's first step of it
 * runs it, or null when the template does not run it. Independent of section order and of resuming.
 */
async function chartUses(state: AuditState, uses: Dependencies): Promise<ChartContext<Dependencies>['uses']> {
  const out: Record<string, unknown> = {};
  for (const [key, analysis] of Object.entries(uses)) {
    const step = state.template.sections.flatMap((s) => s.analyses).find((a) => a.name === analysis.name);
    out[key] = step ? await state.results.get(analysis, step.params) : null;
  }
  return out;
}

/**
 * Records where a section taken from an interrupted audit put its findings and charts, as running it would
 * have, so that later sections refer to it instead of repeating them: a resumed audit equals a clean one.
 */
export function markResumed(section: TemplateSection, state: AuditState): void {
  for (const step of section.analyses) {
    const key = AnalysisResults.key(ANALYSES[step.name], step.params);
    const assessKey = `${key}|${stableStringify(step.assess)}`;
    if (!state.assessedIn.has(assessKey)) state.assessedIn.set(assessKey, section.id);
    if (!state.chartsIn.has(key)) state.chartsIn.set(key, section.id);
  }
}

/**
 * Runs one template section: each analysis (shared across sections), its assessment into findings, its
 * chart data (once per audit, in the first section that runs the analysis), and the section summary.
 */
export async function runSection(
  section: TemplateSection,
  state: AuditState,
  run: string,
): Promise<ReportSection> {
  const findings: Finding[] = [];
  const tables: ReportTable[] = [];
  const notes: string[] = [];
  const missing: string[] = [];
  const charts: ChartData[] = [];
  const seen = new Map<string, number>();
  for (const step of section.analyses) {
    const analysis: AnyAnalysis = ANALYSES[step.name];
    const key = AnalysisResults.key(analysis, step.params);
    const result = await state.results.get(analysis, step.params);
    const count = (seen.get(step.name) ?? 0) + 1;
    seen.set(step.name, count);
    const idPrefix = `${section.id}.${step.name}${count > 1 ? `-${count}` : ''}`;
    // the same analysis with the same thresholds already assessed in an earlier section: refer to it
    const assessKey = `${key}|${stableStringify(step.assess)}`;
    const earlier = state.assessedIn.get(assessKey);
    if (earlier !== undefined && earlier !== section.id) {
      notes.push(`The findings of the ${step.name} analysis are in the section "${earlier}".`);
      continue;
    }
    state.assessedIn.set(assessKey, section.id);
    const assessed = analysis.assess(result, step.assess, { sectionId: section.id, run, idPrefix });
    findings.push(...assessed.findings);
    tables.push(...assessed.tables);
    notes.push(...assessed.notes);
    for (const m of assessed.missing) if (!missing.includes(m)) missing.push(m);
    const chartsIn = state.chartsIn.get(key);
    if (chartsIn === undefined) {
      const uses = await chartUses(state, analysis.chartsUse ?? {});
      for (const c of analysis.charts(result, {
        events: state.events,
        axis: state.axis,
        runMetrics: state.runMetrics,
        uses,
      })) {
        charts.push({ ...c, id: `${section.id}-${c.id}` });
      }
      state.chartsIn.set(key, section.id);
    } else if (chartsIn !== section.id) {
      notes.push(`The ${step.name} charts are in the section "${chartsIn}".`);
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
    notApplicable: null,
  };
}
