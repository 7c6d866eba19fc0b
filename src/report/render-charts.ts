import type { AuditReport, ReportSection } from '../audit/report-model.ts';
import type { ChartData } from '../model/findings.ts';
import { renderVegaLite } from './charts/render-svg.ts';
import { sessionIndexSvg } from './charts/session-index.ts';

/** A chart as report.json and report.html carry it: rendered to SVG. */
export interface RenderedChart {
  readonly id: string;
  readonly title: string;
  /** What the reader should look at, in one sentence. */
  readonly caption: string;
  /** Rendered SVG (inline in HTML); labels and data values are escaped by the renderer. */
  readonly svg: string;
}

export type RenderedSection = Omit<ReportSection, 'charts'> & { readonly charts: readonly RenderedChart[] };

/** The report as it is written (report.json is this object): every chart rendered to SVG. */
export type RenderedReport = Omit<AuditReport, 'sections'> & {
  readonly sections: readonly RenderedSection[];
};

/** Renders one chart's data to SVG. */
export async function renderChart(chart: ChartData): Promise<RenderedChart> {
  const svg =
    chart.kind === 'vega-lite'
      ? await renderVegaLite(chart.spec)
      : sessionIndexSvg(chart.cells, {
          title: chart.heading,
          linked: new Set(chart.linked),
          colour: chart.colour,
          reward: chart.reward,
          rows: chart.rows,
        });
  return { id: chart.id, title: chart.title, caption: chart.caption, svg };
}

/**
 * The audit's report with its chart data rendered (Vega-Lite specs and the session index to SVG).
 *
 * @example const rendered = await renderReportCharts(report); rendered.sections[0].charts[0].svg
 */
export async function renderReportCharts(report: AuditReport): Promise<RenderedReport> {
  const sections: RenderedSection[] = [];
  for (const s of report.sections) {
    const charts: RenderedChart[] = [];
    for (const c of s.charts) charts.push(await renderChart(c));
    sections.push({ ...s, charts });
  }
  return { ...report, sections };
}
