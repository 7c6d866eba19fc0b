import { api } from '../api.ts';
import { href } from '../router.ts';
import type { RunsResponse } from '../types.ts';
import { fmt, ModelText, Section, Status, useLoad } from '../ui.tsx';

/** Runs listed a page at a time (the API's default page). */
const RUNS_PAGE = 100;

/** Page 1: every run with its counts, its last audit and that audit's headline findings, a page at a time. */
export function RunsPage({ query }: { query: URLSearchParams }) {
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const state = useLoad(`runs:${offset}`, () => api<RunsResponse>('runs', { offset, limit: RUNS_PAGE }));
  return (
    <Section title="Runs">
      <Status state={state}>
        {(d) =>
          d.total === 0 ? (
            <p>No runs yet. Add one with rlaudit ingest FILE, rlaudit simulate, or rlaudit demo.</p>
          ) : (
            <>
              <table class="data" data-testid="runs-table">
                <thead>
                  <tr>
                    <th>run</th>
                    <th>model</th>
                    <th class="num">sessions</th>
                    <th class="num">steps</th>
                    <th class="num">events</th>
                    <th class="num">annotations</th>
                    <th class="num">rejects</th>
                    <th>last audit and its headline</th>
                  </tr>
                </thead>
                <tbody>
                  {d.runs.map((r) => (
                    <tr key={r.run}>
                      <td class="runid">
                        <a href={href(['run', r.run])}>
                          <ModelText text={r.run} />
                        </a>
                      </td>
                      <td>
                        <ModelText text={r.model ?? '–'} />
                      </td>
                      <td class="num">{fmt(r.sessions)}</td>
                      <td class="num">{fmt(r.steps)}</td>
                      <td class="num">{fmt(r.events)}</td>
                      <td class="num">{fmt(r.annotations)}</td>
                      <td class="num">{fmt(r.rejects)}</td>
                      <td>
                        {r.lastAudit ? (
                          <>
                            <a href={href(['run', r.run, 'report'])}>
                              audit {r.lastAudit.id} ({r.lastAudit.template}),{' '}
                              {r.lastAudit.finishedAt?.slice(0, 16).replace('T', ' ')}
                            </a>
                            <ul class="headline">
                              {r.lastAudit.headline.map((f) => (
                                <li key={f.id}>
                                  <span class={`sev sev-${f.severity}`}>{f.severity}</span>{' '}
                                  <ModelText text={f.claim} />
                                </li>
                              ))}
                            </ul>
                          </>
                        ) : (
                          <span class="muted">no audit yet (rlaudit audit --run …)</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {d.total > d.runs.length ? (
                <p class="pager" data-testid="runs-pager">
                  {d.offset > 0 ? (
                    <a href={href(['runs'], { offset: Math.max(0, d.offset - RUNS_PAGE) })}>← previous</a>
                  ) : null}{' '}
                  runs {fmt(d.offset + 1)}–{fmt(d.offset + d.runs.length)} of {fmt(d.total)}{' '}
                  {d.offset + d.runs.length < d.total ? (
                    <a href={href(['runs'], { offset: d.offset + RUNS_PAGE })}>next →</a>
                  ) : null}
                </p>
              ) : null}
            </>
          )
        }
      </Status>
    </Section>
  );
}
