import { compile, type TopLevelSpec } from 'vega-lite';
import type { AuditReport, ReportSection } from '../../audit/report-model.ts';
import type { ChartData } from '../../model/findings.ts';
import { renderChart } from '../../report/render-charts.ts';
import { CANVAS_ABOVE, type DashboardChart } from './chart-types.ts';

export type { DashboardChart } from './chart-types.ts';

export type DashboardSection = Omit<ReportSection, 'charts'> & { readonly charts: readonly DashboardChart[] };

/** The report as GET /api/runs/:run/report answers it. */
export type DashboardReport = Omit<AuditReport, 'sections'> & {
  readonly sections: readonly DashboardSection[];
};

/**
 * The Vega-Lite spec with tooltips on its marks (every encoded field shown on hover) where the spec sets
 * none: the dashboard's charts answer a pointer, which the report's static SVG cannot.
 */
function withTooltips(spec: TopLevelSpec): TopLevelSpec {
  const config = (spec as { config?: Record<string, unknown> }).config ?? {};
  const mark = (config.mark as Record<string, unknown> | undefined) ?? {};
  return {
    ...spec,
    config: { ...config, mark: { tooltip: { content: 'encoding' }, ...mark } },
  } as TopLevelSpec;
}

function countValues(vega: { data?: readonly object[] }): number {
  let n = 0;
  for (const d of vega.data ?? []) {
    const values = (d as { values?: unknown }).values;
    if (Array.isArray(values)) n += values.length;
  }
  return n;
}

/** One chart of the stored report, made ready for the browser. */
export async function dashboardChart(chart: ChartData): Promise<DashboardChart> {
  const { id, title, caption } = chart;
  if (chart.kind === 'vega-lite') {
    const spec = compile(withTooltips(chart.spec)).spec;
    const values = countValues(spec);
    return {
      id,
      title,
      caption,
      kind: 'vega',
      spec,
      values,
      renderer: values > CANVAS_ABOVE ? 'canvas' : 'svg',
    };
  }
  return { ...(await renderChart(chart)), kind: 'svg' };
}

/**
 * The stored report with its charts made ready for the browser: compiling Vega-Lite to Vega takes
 * milliseconds per chart, where rendering every chart to SVG on the server took seconds on the first request.
 */
export async function dashboardReport(report: AuditReport): Promise<DashboardReport> {
  const sections: DashboardSection[] = [];
  for (const s of report.sections) {
    const charts: DashboardChart[] = [];
    for (const c of s.charts) {
      charts.push(await dashboardChart(c));
      // let the requests in flight answer between two charts
      await new Promise((resolve) => setImmediate(resolve));
    }
    sections.push({ ...s, charts });
  }
  return { ...report, sections };
}
