import type { ComponentChildren } from 'preact';
import { api, seg } from '../api.ts';
import { href } from '../router.ts';
import type { ReportResponse } from '../types.ts';
import { ModelText, Status, SvgImage, useLoad } from '../ui.tsx';
import { Evidence } from './overview.tsx';

/** A table cell: a session number in an evidence column becomes a link. */
function cell(run: string, column: string, v: string | number | null): ComponentChildren {
  if (v === null) return '–';
  if (typeof v === 'number' && /session/i.test(column) && Number.isInteger(v)) {
    return <a href={href(['run', run, 'session', v])}>{v}</a>;
  }
  return <ModelText text={typeof v === 'number' ? v.toLocaleString('en-US') : v} />;
}

/** Page 7: the last audit's report, every evidence id a link to its session. */
export function ReportPage({ run }: { run: string }) {
  const state = useLoad(`report:${run}`, () => api<ReportResponse>(`runs/${seg(run)}/report`));
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
                  href={`#/run/${seg(run)}/report?s=${encodeURIComponent(s.id)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    document.getElementById(`sec-${s.id}`)?.scrollIntoView();
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
                <figure key={c.id} class="chart">
                  <SvgImage svg={c.svg} alt={c.title} />
                  <figcaption>
                    <strong>
                      <ModelText text={c.title} />
                    </strong>{' '}
                    <ModelText text={c.caption} />
                  </figcaption>
                </figure>
              ))}
              {s.tables.map((t) => (
                <div key={t.title} class="table-wrap">
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
                      {t.rows.slice(0, 200).map((r, i) => (
                        <tr key={i}>
                          {r.map((v, j) => (
                            <td key={t.columns[j]}>{cell(run, t.columns[j] ?? '', v)}</td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {t.rows.length > 200 ? (
                    <p class="muted">{t.rows.length - 200} more rows in report.json</p>
                  ) : null}
                </div>
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
