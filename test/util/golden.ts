import { basename } from 'node:path';

/**
 * A report.json with what legitimately varies between two runs of the same audit taken out: when it was
 * made and how long it took (`generatedAt`, `durationMs`, `operations`), where the database and inputs
 * live on this machine (`database`, input directories), when the inputs were ingested (`ingestedAt`). Everything else — every number, claim, chart and
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
      inputs: inputs.map((i) => ({
        ...i,
        path: i.path.startsWith('/') ? basename(i.path) : i.path,
        ...('ingestedAt' in i ? { ingestedAt: null } : {}),
      })),
    },
    operations: null,
  };
}

type Section = { id: string; findings: { evidence: { sessions: number[] } }[] };

/**
 * A report with the sections of the given ids removed, with their headline findings and the excerpts only
 * their findings cite.
 */
export function withoutSections(
  report: Record<string, unknown>,
  ids: readonly string[],
): Record<string, unknown> {
  const sections = (report.sections as Section[]).filter((s) => !ids.includes(s.id));
  const cited = new Set(sections.flatMap((s) => s.findings.flatMap((f) => f.evidence.sessions)));
  const headline = report.headline as string[];
  // the session index rings (and links) every cited session: drop the rings of sessions only they cite
  const unlink = (svg: string) =>
    svg.replace(/<a href="#s-(\d+)">.*?<\/a>/g, (a, s: string) => (cited.has(Number(s)) ? a : ''));
  return {
    ...report,
    sections: sections.map((s) =>
      s.id === 'overview'
        ? {
            ...s,
            charts: (s as unknown as { charts: { svg: string }[] }).charts.map((c) => ({
              ...c,
              svg: unlink(c.svg),
            })),
          }
        : s,
    ),
    headline: headline.filter((h) => !ids.some((id) => h.startsWith(`${id}.`))),
    excerpts: (report.excerpts as { session: number }[]).filter((e) => cited.has(e.session)),
  };
}
