import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditReport } from '../audit/report-model.ts';
import { renderReportCharts } from './render-charts.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import { CHROMIUM_PATH, chromiumAvailable, renderPdf } from './render-pdf.ts';

export interface WrittenReport {
  readonly dir: string;
  readonly files: readonly string[];
  /** Why report.pdf was not written (Chromium missing or failed), else null. */
  readonly pdfSkipped: string | null;
}

/**
 * Writes report.md, report.html (self-contained), report.json and, when Debian's Chromium is installed,
 * report.pdf into `dir`; chart data is rendered to SVG first (report.json carries the SVG).
 */
export async function writeReport(
  report: AuditReport,
  dir: string,
  options: { readonly pdf?: boolean } = {},
): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const rendered = await renderReportCharts(report);
  const html = renderHtml(rendered);
  const files = [join(dir, 'report.md'), join(dir, 'report.html'), join(dir, 'report.json')];
  await writeFile(files[0]!, renderMarkdown(rendered));
  await writeFile(files[1]!, html);
  await writeFile(files[2]!, `${JSON.stringify(rendered, null, 2)}\n`);
  let pdfSkipped: string | null = null;
  if (options.pdf === false) pdfSkipped = 'PDF not requested (--no-pdf)';
  else if (!chromiumAvailable()) {
    pdfSkipped = `report.pdf skipped: Chromium not found at ${CHROMIUM_PATH} (install Debian's chromium, or set RLAUDIT_CHROMIUM)`;
  } else {
    try {
      await renderPdf(html, join(dir, 'report.pdf'));
      files.push(join(dir, 'report.pdf'));
    } catch (err) {
      pdfSkipped = `report.pdf skipped: Chromium failed (${(err as Error).message.split('\n')[0]})`;
    }
  }
  return { dir, files, pdfSkipped };
}
