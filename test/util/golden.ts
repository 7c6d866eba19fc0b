import { basename } from 'node:path';

/**
 * A report.json with what legitimately varies between two runs of the same audit taken out: when it was
 * made and how long it took (`generatedAt`, `durationMs`, `operations`), where the database and inputs
 * live on this machine (`database`, input directories). Everything else — every number, claim, chart and
 * excerpt — must stay byte-identical across refactors.
 */
export function normalizeReport(report: Record<string, unknown>): Record<string, unknown> {
  const provenance = report.provenance as Record<string, unknown>;
  const inputs = provenance.inputs as { path: string }[];
  return {
    ...report,
    provenance: {
      ...provenance,
      generatedAt: null,
      durationMs: null,
      database: null,
      inputs: inputs.map((i) => ({ ...i, path: i.path.startsWith('/') ? basename(i.path) : i.path })),
    },
    operations: null,
  };
}

/** A report with the sections of the given ids (and their headline findings) removed. */
export function withoutSections(
  report: Record<string, unknown>,
  ids: readonly string[],
): Record<string, unknown> {
  const sections = report.sections as { id: string }[];
  const headline = report.headline as string[];
  return {
    ...report,
    sections: sections.filter((s) => !ids.includes(s.id)),
    headline: headline.filter((h) => !ids.some((id) => h.startsWith(`${id}.`))),
  };
}
