import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api.ts';
import { ReportChart } from '../charts/chart.tsx';
import { href } from '../router.ts';
import type { ReportResponse } from '../types.ts';
import { fmt, ModelText, Status, useLoad } from '../ui.tsx';
import { Evidence } from './overview.tsx';

/** A table cell: a session number in an evidence column becomes a link. */
function cell(run: string, column: string, v: string | number | null): ComponentChildren {
  if (v === null) return '–';
  if (typeof v === 'number' && /session/i.test(column) && Number.isInteger(v)) {
    return <a href={href(['run', run, 'session', v])}>{v}</a>;
  }
  return <ModelText text={typeof v === 'number' ? v.toLocaleString('en-US') : v} />;
}

/** Rows of a report table shown at once; the rest are a page away, never cut. */
export const TABLE_PAGE = 100;

type Table = ReportResponse['report']['sections'][number]['tables'][number];

/** One table of the report, a page of {@link TABLE_PAGE} rows at a time, with its row count. */
function ReportTable({ run, table: t }: { run: string; table: Table }) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(t.rows.length / TABLE_PAGE));
  const first = page * TABLE_PAGE;
  const rows = t.rows.slice(first, first + TABLE_PAGE);
  return (
    <div class="table-wrap" data-testid="report-table">
      <h3>
        <ModelText text={t.title} />
      </h3>
      <table class="data">
        <thead>
          <tr>
            {t.columns.map((c) => (
              <th key={c}>
                <ModelText text={c} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={first + i}>
              {r.map((v, j) => (
                <td key={t.columns[j]}>{cell(run, t.columns[j] ?? '', v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {pages > 1 ? (
        <p class="pager" data-testid="table-pager">
          <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
            ← previous
          </button>{' '}
          rows {fmt(first + 1)}–{fmt(first + rows.length)} of {fmt(t.rows.length)} (page {page + 1} of {pages}
          ){' '}
          <button type="button" disabled={page >= pages - 1} onClick={() => setPage(page + 1)}>
            next →
          </button>
        </p>
      ) : (
        <p class="muted">
          {fmt(t.rows.length)} row{t.rows.length === 1 ? '' : 's'}
        </p>
      )}
    </div>
  );
}

/** Page 7: the last audit's report, every evidence id a link to its session. */
export function ReportPage({ run, query }: { run: string; query: URLSearchParams }) {
  const state = useLoad(`report:${run}`, () => api<ReportResponse>(`runs/${seg(run)}/report`));
  // a section's link (?s=id) scrolls to it, when followed in the app or opened from elsewhere
  const section = query.get('s');
  const loaded = state.data !== null;
  useEffect(() => {
    if (loaded && section) document.getElementById(`sec-${section}`)?.scrollIntoView();
  }, [loaded, section]);
  return (
    <Status state={state}>
      {({ audit, report }) => (
        <article class="report" data-testid="report">
          <section class="panel">
            <h1>
              <ModelText text={report.title} />
            </h1>
            <p class="muted">
              audit {audit.id}, template <ModelText text={report.template.name} />, {audit.finishedAt ?? ''}
            </p>
            <nav class="toc">
              {report.sections.map((s) => (
                <a
                  key={s.id}
                  href={href(['run', run, 'report'], { s: s.id })}
                  onClick={() => {
                    // the same link again changes no URL: scroll anyway
                    if (section === s.id) document.getElementById(`sec-${s.id}`)?.scrollIntoView();
                  }}
                >
                  <ModelText text={s.title} />
                </a>
              ))}
            </nav>
          </section>
          {report.sections.map((s) => (
            <section key={s.id} class="panel" id={`sec-${s.id}`}>
              <h2>
                <ModelText text={s.title} /> <span class="muted">({s.status})</span>
              </h2>
              {s.notApplicable ? (
                <p class="muted">
                  <ModelText text={s.notApplicable.reason} />
                </p>
              ) : null}
              <p>
                <ModelText text={s.summary} />
              </p>
              {s.findings.length > 0 ? (
                <ul class="findings">
                  {s.findings.map((f) => (
                    <li key={f.id} id={`f-${f.id}`}>
                      <span class={`sev sev-${f.severity}`}>{f.severity}</span> <ModelText text={f.claim} />{' '}
                      <Evidence run={run} f={f} />
                      <details>
                        <summary>method</summary>
                        <ModelText text={f.method} />
                      </details>
                    </li>
                  ))}
                </ul>
              ) : null}
              {s.charts.map((c) => (
                <ReportChart key={c.id} chart={c} />
              ))}
              {s.tables.map((t) => (
                <ReportTable key={t.title} run={run} table={t} />
              ))}
              {s.notes.map((n) => (
                <p key={n} class="muted">
                  <ModelText text={n} />
                </p>
              ))}
            </section>
          ))}
        </article>
      )}
    </Status>
  );
}
