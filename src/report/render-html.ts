import type { Finding, ReportTable, SessionExcerpt } from '../audit/report-model.ts';
import { escapeText, escapeHtml as h } from './escape.ts';
import { formatNumber } from './format-number.ts';
import type { RenderedReport, RenderedSection } from './render-charts.ts';

const STYLE = `
body{font:14px/1.5 Helvetica,Arial,sans-serif;color:#222;max-width:980px;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
h3{margin-top:1.4em}.meta{color:#555}.toc ol{padding-left:1.2em}.nums{display:flex;flex-wrap:wrap;gap:.2em 1.2em;font-size:12.5px;margin:.3em 0}.nums span b{font-weight:600;color:#444}
table{border-collapse:collapse;margin:.6em 0;font-size:12.5px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.finding{border-left:4px solid #999;padding:.3em .8em;margin:.8em 0;background:#fafafa}
.sev-alert{border-color:#b22222}.sev-warning{border-color:#e67e22}.sev-notice{border-color:#2980b9}.sev-info{border-color:#7f8c8d}
.sev{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:#555}
.method{color:#555;font-size:12.5px}.ev a{margin-right:.4em}
figure{margin:1em 0}figcaption{color:#555;font-size:12.5px}
.excerpt{border:1px solid #e2e2e2;padding:.4em .8em;margin:.6em 0}
.excerpt pre{white-space:pre-wrap;overflow-wrap:anywhere;font:12.5px/1.45 ui-monospace,Menlo,monospace;margin:.3em 0}
.ctl{font-size:10px;background:#fee;border:1px solid #f99;padding:0 2px}
.missing{color:#7a6000}.status{font-size:12px;color:#555}.na{color:#555;font-style:italic}
.badge{display:inline-block;font-size:10.5px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;padding:0 5px;margin-right:.5em;border-radius:3px;color:#fff;vertical-align:1px}
.badge.sev-alert{background:#b22222}.badge.sev-warning{background:#d35400}.badge.sev-notice{background:#2980b9}.badge.sev-info{background:#7f8c8d}
@media print{body{max-width:none}h2{page-break-before:auto}figure,table,.finding{page-break-inside:avoid}}
`;

function table(t: ReportTable): string {
  const head = t.columns.map((c) => `<th>${h(c)}</th>`).join('');
  const body = t.rows
    .map(
      (r) =>
        `<tr>${r.map((v) => (typeof v === 'number' ? `<td class="n">${h(formatNumber(v))}</td>` : `<td>${escapeText(v ?? '')}</td>`)).join('')}</tr>`,
    )
    .join('');
  return `<h4>${h(t.title)}</h4><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function evidence(f: Finding): string {
  const links = [
    ...f.evidence.sessions.map((s) => `<a href="#s-${s}">session ${s}</a>`),
    ...f.evidence.events.map((e) => `<span>event ${h(e)}</span>`),
    ...f.evidence.annotations.map((a) => `<span>annotation ${h(a)}</span>`),
  ];
  return links.length > 0 ? `<div class="ev">Evidence: ${links.join(' ')}</div>` : '';
}

function finding(f: Finding): string {
  const nums = Object.entries(f.numbers)
    .map(
      ([k, v]) =>
        `<span><b>${h(k.replaceAll('_', ' '))}</b> ${h(typeof v === 'number' ? formatNumber(v) : String(v ?? '—'))}</span>`,
    )
    .join('');
  return `<div class="finding sev-${f.severity}" id="f-${h(f.id)}">
<div class="sev">${h(f.severity)} · ${h(f.id)}</div>
<p>${escapeText(f.claim)}</p>
${nums ? `<div class="nums">${nums}</div>` : ''}
<div class="method">Method: ${escapeText(f.method)}</div>
${evidence(f)}
</div>`;
}

function notApplicable(r: RenderedReport): string {
  return (r.notApplicable ?? [])
    .map((n) => `<p class="na" data-layer="${h(n.layer)}">Not applicable: ${escapeText(n.reason)}.</p>`)
    .join('');
}

function section(s: RenderedSection, n: number, r: RenderedReport): string {
  if (s.notApplicable) {
    return `<section id="sec-${h(s.id)}" class="not-applicable">
<h2>${n}. ${h(s.title)}</h2>
<p class="na">Not applicable: ${escapeText(s.notApplicable.reason)}.</p>
</section>`;
  }
  return `<section id="sec-${h(s.id)}">
<h2>${n}. ${h(s.title)}</h2>
<div class="status">Section status: ${h(s.status)}</div>
${s.error ? `<p class="missing">This section failed: ${escapeText(s.error)}</p>` : ''}
<p>${escapeText(s.summary)}</p>
${s.id === 'overview' ? notApplicable(r) : ''}
${s.missing.map((m) => `<p class="missing">Not available: ${escapeText(m)}</p>`).join('')}
${s.charts.map((c) => `<figure id="chart-${h(c.id)}">${c.svg}<figcaption>${h(c.title)} — ${escapeText(c.caption)}</figcaption></figure>`).join('')}
${s.findings.map(finding).join('')}
${s.notes.length > 0 ? `<h3>Audit notes</h3><ul>${s.notes.map((x) => `<li>${escapeText(x)}</li>`).join('')}</ul>` : ''}
${s.tables.map(table).join('')}
</section>`;
}

function excerpt(e: SessionExcerpt): string {
  const r = (v: number | null) => (v === null ? '—' : formatNumber(v));
  return `<div class="excerpt" id="s-${e.session}">
<b>Session ${e.session}</b> · ${h(e.classification ?? 'unclassified')}${e.category ? ` · category ${h(e.category)}` : ''} · baseline ${r(e.baselineReward)} · adjusted ${r(e.adjustedReward)}${e.differentialPct !== null ? ` · differential ${r(e.differentialPct)}%` : ''}${e.events.length ? ` · events ${h(e.events.join(', '))}` : ''}
<pre>${escapeText(e.output)}</pre>
${e.annotations.map((a) => `<div><i>${h(a.author ?? 'anonymous')} (${h(a.id)}):</i> <pre>${escapeText(a.text)}</pre></div>`).join('')}
</div>`;
}

function operations(r: RenderedReport): string {
  const ops = r.operations;
  if (!ops) return '';
  const rows = ops.irregularities
    .map(
      (i) =>
        `<tr><td>${h(i.metric)}</td><td class="n">${formatNumber(i.startMs / 1000)} s</td><td class="n">${formatNumber(i.durationMs / 1000)} s</td><td class="n">${formatNumber(i.magnitudePct)}%</td><td>${h(i.classification)}</td><td>${h(i.report)}</td></tr>`,
    )
    .join('');
  const bands = Object.entries(ops.bands)
    .map(
      ([m, b]) =>
        `<tr><td>${h(m)}</td><td class="n">${formatNumber(b.low)}</td><td class="n">${formatNumber(b.high)}</td><td class="n">${b.from}</td></tr>`,
    )
    .join('');
  const secs = ops.sections
    .map((s) => `<tr><td>${h(s.id)}</td><td class="n">${formatNumber(s.durationMs)} ms</td></tr>`)
    .join('');
  return `<section id="operations"><h2>Appendix: Auditor operations</h2>
<p>The auditor sampled its own event-loop delay, heap and resident memory every 100 ms while it worked, compared each with its standard operating band (from earlier audits in this store), and filed an irregularity report for each excursion outside the band.</p>
<table><thead><tr><th>section</th><th>duration</th></tr></thead><tbody>${secs}</tbody></table>
<table><thead><tr><th>metric</th><th>band low</th><th>band high</th><th>earlier audits</th></tr></thead><tbody>${bands}</tbody></table>
${rows ? `<table><thead><tr><th>metric</th><th>start</th><th>duration</th><th>magnitude</th><th>classification</th><th>irregularity report</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No irregularities: every metric stayed within its band.</p>'}
</section>`;
}

function inputRow(i: RenderedReport['provenance']['inputs'][number]): string {
  const n = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatNumber(v));
  return `<tr><td>${escapeText(i.path)}</td><td>${h(i.format ?? '—')}</td><td class="n">${n(i.rows)}</td><td class="n">${n(i.read)}</td><td class="n">${n(i.accepted)}</td><td class="n">${n(i.rejected)}</td><td class="n">${n(i.duplicates)}</td><td class="n">${n(i.conflicts)}</td><td>${h(i.ingestedAt ?? '—')}</td><td><code>${h(i.sha256 ?? '—')}</code></td></tr>`;
}

/**
 * The self-contained HTML report: inline CSS and SVG only, no script, and a Content-Security-Policy that
 * forbids scripts and remote loads, so it opens offline and untrusted text cannot run even if it escaped.
 */
export function renderHtml(r: RenderedReport): string {
  const toc = r.sections
    .map(
      (s, i) =>
        `<li><a href="#sec-${h(s.id)}">${i + 1}. ${h(s.title)}</a>${s.notApplicable ? ' <span class="na">(not applicable)</span>' : ''}</li>`,
    )
    .join('');
  const all = r.sections.flatMap((s) => s.findings);
  const headline = r.headline
    .map((id) => all.find((f) => f.id === id))
    .filter((f): f is Finding => f !== undefined)
    .map(
      (f) =>
        `<li><span class="badge sev-${h(f.severity)}">${h(f.severity)}</span><a href="#f-${h(f.id)}">${escapeText(f.claim)}</a></li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(r.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${h(r.title)}</h1>
<p class="meta">Run <b>${h(r.run.run)}</b>${r.run.model ? ` (model ${h(r.run.model)})` : ''} · ${formatNumber(r.run.sessions)} sessions (${r.run.firstSession ?? '—'}–${r.run.lastSession ?? '—'}) · ${r.run.events} calibration events · ${r.run.annotations} annotations · template <b>${h(r.template.name)}</b> · rlaudit ${h(r.provenance.rlauditVersion)} · generated ${h(r.provenance.generatedAt)}</p>
<h2>Headline findings</h2><ol>${headline}</ol>
<nav class="toc"><h2>Contents</h2><ol>${toc}<li><a href="#excerpts">Session excerpts</a></li><li><a href="#methods">Methods and provenance</a></li>${r.operations ? '<li><a href="#operations">Auditor operations</a></li>' : ''}</ol></nav>
${r.sections.map((s, i) => section(s, i + 1, r)).join('\n')}
<section id="excerpts"><h2>Session excerpts</h2><p>Every session a finding cites, with the start of its output and its annotations. Model outputs and annotations are quoted verbatim (escaped; control characters shown as code points).</p>
${r.excerpts.map(excerpt).join('\n')}</section>
<section id="methods"><h2>Methods and provenance</h2>
<table><tbody>
<tr><th>rlaudit</th><td>${h(r.provenance.rlauditVersion)}</td></tr>
<tr><th>template</th><td>${h(r.template.name)} — ${h(r.template.description)}</td></tr>
<tr><th>parameters</th><td><pre>${h(JSON.stringify(r.parameters, null, 2))}</pre></td></tr>
<tr><th>seeds</th><td>${h(JSON.stringify(r.provenance.seeds))}</td></tr>
<tr><th>database</th><td>${h(r.provenance.database)}</td></tr>
<tr><th>duration</th><td>${formatNumber(r.provenance.durationMs / 1000)} s</td></tr>
</tbody></table>
<h3>Files ingested into the run</h3>
<p>In ingest order. Read, accepted, rejected and duplicates are the ingest's counts for the whole file (read = accepted + rejected + duplicates; conflicts are among the rejected); rows in run are the rows of this run the store holds from it.</p>
<table><thead><tr><th>file</th><th>format</th><th>rows in run</th><th>read</th><th>accepted</th><th>rejected</th><th>duplicates</th><th>conflicts</th><th>ingested</th><th>sha256</th></tr></thead><tbody>
${r.provenance.inputs.map(inputRow).join('')}
</tbody></table></section>
${operations(r)}
</body></html>
`;
}
