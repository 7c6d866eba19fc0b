import type { Finding, ReportTable } from '../audit/report-model.ts';
import { escapeMarkdownInline as md } from './escape.ts';
import { formatNumber } from './format-number.ts';
import type { RenderedReport } from './render-charts.ts';

function table(t: ReportTable): string {
  const cell = (v: string | number | null) => (typeof v === 'number' ? formatNumber(v) : md(v ?? ''));
  return [
    `**${md(t.title)}**`,
    '',
    `| ${t.columns.map(md).join(' | ')} |`,
    `| ${t.columns.map(() => '---').join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
  ].join('\n');
}

function finding(f: Finding): string {
  const nums = Object.entries(f.numbers)
    .map(([k, v]) => `${md(k)} = ${typeof v === 'number' ? formatNumber(v) : md(String(v ?? '—'))}`)
    .join('; ');
  const ev = [
    ...f.evidence.sessions.map((s) => `session ${s}`),
    ...f.evidence.events.map((e) => `event ${md(e)}`),
    ...f.evidence.annotations.map((a) => `annotation ${md(a)}`),
  ].join(', ');
  return [
    `- **${f.severity.toUpperCase()}** (${md(f.id)}) ${md(f.claim)}`,
    nums ? `  - Numbers: ${nums}` : '',
    `  - Method: ${md(f.method)}`,
    ev ? `  - Evidence: ${ev}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The Markdown report: the same content as the HTML one without charts (each chart named with its caption). */
export function renderMarkdown(r: RenderedReport): string {
  const all = r.sections.flatMap((s) => s.findings);
  const out: string[] = [
    `# ${md(r.title)}`,
    '',
    `Run **${md(r.run.run)}**${r.run.model ? ` (model ${md(r.run.model)})` : ''} · ${formatNumber(r.run.sessions)} sessions · ${formatNumber(r.run.events)} calibration events · ${formatNumber(r.run.annotations)} annotations · template **${md(r.template.name)}** · rlaudit ${md(r.provenance.rlauditVersion)} · generated ${md(r.provenance.generatedAt)}`,
    '',
    '## Headline findings',
    '',
    ...r.headline
      .map((id) => all.find((f) => f.id === id))
      .filter((f): f is Finding => f !== undefined)
      .map((f, i) => `${i + 1}. **${f.severity.toUpperCase()}** ${md(f.claim)} (${md(f.id)})`),
    '',
  ];
  r.sections.forEach((s, i) => {
    if (s.notApplicable) {
      out.push(`## ${i + 1}. ${md(s.title)}`, '', `Not applicable: ${md(s.notApplicable.reason)}.`, '');
      return;
    }
    out.push(`## ${i + 1}. ${md(s.title)}`, '', `Section status: ${s.status}`, '');
    if (s.error) out.push(`This section failed: ${md(s.error)}`, '');
    out.push(md(s.summary), '');
    if (s.id === 'overview')
      for (const n of r.notApplicable ?? []) out.push(`Not applicable: ${md(n.reason)}.`, '');
    for (const m of s.missing) out.push(`Not available: ${md(m)}`, '');
    for (const c of s.charts) out.push(`*Chart — ${md(c.title)}: ${md(c.caption)} (see report.html)*`, '');
    for (const f of s.findings) out.push(finding(f));
    if (s.findings.length > 0) out.push('');
    if (s.notes.length > 0) out.push('### Audit notes', '', ...s.notes.map((n) => `- ${md(n)}`), '');
    for (const t of s.tables) out.push(table(t));
  });
  out.push('## Session excerpts', '');
  for (const e of r.excerpts) {
    out.push(
      `### Session ${e.session}`,
      '',
      `${md(e.classification ?? 'unclassified')}${e.category ? `, category ${md(e.category)}` : ''}; baseline ${e.baselineReward === null ? '—' : formatNumber(e.baselineReward)}, adjusted ${e.adjustedReward === null ? '—' : formatNumber(e.adjustedReward)}${e.events.length ? `; events ${md(e.events.join(', '))}` : ''}`,
      '',
      '```text',
      e.output.replaceAll('```', 'ʼʼʼ'),
      '```',
      ...e.annotations.flatMap((a) => ['', `> ${md(a.author ?? 'anonymous')} (${md(a.id)}): ${md(a.text)}`]),
      '',
    );
  }
  out.push(
    '## Methods and provenance',
    '',
    `- rlaudit ${md(r.provenance.rlauditVersion)}; template ${md(r.template.name)}: ${md(r.template.description)}`,
    `- parameters: \`${JSON.stringify(r.parameters).replaceAll('`', "'")}\``,
    `- seeds: \`${JSON.stringify(r.provenance.seeds)}\``,
    '',
    "**Files ingested into the run** (in ingest order; read, accepted, rejected, duplicates and conflicts are the ingest's counts for the whole file)",
    '',
    '| file | format | rows in run | read | accepted | rejected | duplicates | conflicts | ingested | sha256 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.provenance.inputs.map((i) => {
      const n = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatNumber(v));
      return `| ${md(i.path)} | ${md(i.format ?? '—')} | ${n(i.rows)} | ${n(i.read)} | ${n(i.accepted)} | ${n(i.rejected)} | ${n(i.duplicates)} | ${n(i.conflicts)} | ${md(i.ingestedAt ?? '—')} | \`${md(i.sha256 ?? '—')}\` |`;
    }),
    '',
  );
  if (r.operations) {
    out.push('## Appendix: Auditor operations', '');
    if (r.operations.irregularities.length === 0)
      out.push('No irregularities: every metric stayed within its band.', '');
    for (const i of r.operations.irregularities) out.push(`- ${md(i.report)}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
