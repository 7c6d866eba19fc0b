import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api.ts';
import { href, navigate } from '../router.ts';
import type { ReviewPage } from '../types.ts';
import { ClassChip, fmt, ModelText, Section, Status, useLoad } from '../ui.tsx';

const COLUMNS: readonly { key: string; label: string; sortable: boolean; num?: boolean }[] = [
  { key: 'session', label: 'session', sortable: true, num: true },
  { key: 'step', label: 'step', sortable: true, num: true },
  { key: 'class', label: 'classification', sortable: false },
  { key: 'baselineReward', label: 'baseline', sortable: true, num: true },
  { key: 'adjustedReward', label: 'adjusted', sortable: true, num: true },
  { key: 'differentialPct', label: 'differential %', sortable: true, num: true },
  { key: 'complianceTrajectoryIndex', label: 'trajectory index', sortable: true, num: true },
  { key: 'annotations', label: 'annotations', sortable: true, num: true },
  { key: 'output', label: 'output start', sortable: false },
];

const PAGE = 100;

/**
 * The cluster review: the sessions of a range, a page at a time, sortable by each reward layer, filtered by
 * class and by a substring of the output. j/k move the highlighted row, Enter opens it.
 */
export function ClusterReview({
  run,
  from,
  to,
  initial = {},
}: {
  run: string;
  from: number;
  to: number;
  initial?: Record<string, string>;
}) {
  const [sort, setSort] = useState(initial.sort ?? 'session');
  const [desc, setDesc] = useState(initial.desc === '1');
  const [cls, setCls] = useState(initial.class ?? '');
  const [contains, setContains] = useState(initial.contains ?? '');
  const [offset, setOffset] = useState(0);
  const [cursor, setCursor] = useState(0);
  useEffect(() => {
    setOffset(0);
    setCursor(0);
  }, [run, from, to, sort, desc, cls, contains]);
  const key = JSON.stringify([run, from, to, sort, desc, cls, contains, offset]);
  const state = useLoad(key, () =>
    api<ReviewPage>(`runs/${seg(run)}/sessions`, {
      from,
      to,
      sort,
      desc: desc ? 1 : 0,
      class: cls,
      contains,
      offset,
      limit: PAGE,
    }),
  );
  const rows = state.data?.rows ?? [];
  const onKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).tagName === 'INPUT' || (e.target as HTMLElement).tagName === 'SELECT')
      return;
    if (e.key === 'j' || e.key === 'ArrowDown') {
      setCursor((c) => Math.min(rows.length - 1, c + 1));
      e.preventDefault();
    } else if (e.key === 'k' || e.key === 'ArrowUp') {
      setCursor((c) => Math.max(0, c - 1));
      e.preventDefault();
    } else if (e.key === 'Enter' && rows[cursor]) {
      navigate(href(['run', run, 'session', rows[cursor]!.session]));
    }
  };
  return (
    <Section title={`Cluster review: sessions ${fmt(from)}–${fmt(to)}`} id="review">
      <div class="toolbar">
        <label>
          class{' '}
          <select
            value={cls}
            onChange={(e) => setCls((e.target as HTMLSelectElement).value)}
            data-testid="review-class"
          >
            <option value="">all</option>
            <option value="compliant">compliant</option>
            {['2', '3', '4', '5'].map((c) => (
              <option key={c} value={c}>
                Category {c}
              </option>
            ))}
            <option value="unclassified">unclassified</option>
          </select>
        </label>{' '}
        <label>
          output contains{' '}
          <input
            type="search"
            value={contains}
            onChange={(e) => setContains((e.target as HTMLInputElement).value)}
            data-testid="review-contains"
          />
        </label>{' '}
        <a
          href={href(['run', run, 'review'], {
            from,
            to,
            sort,
            desc: desc ? 1 : undefined,
            class: cls,
            contains,
          })}
        >
          link to this review
        </a>
      </div>
      <Status state={state}>
        {(p) => (
          <>
            <p class="muted" data-testid="review-total">
              {fmt(p.total)} session{p.total === 1 ? '' : 's'}; showing{' '}
              {p.rows.length === 0 ? 0 : p.offset + 1}–{p.offset + p.rows.length}
            </p>
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the table takes j/k/Enter */}
            <table class="data review" data-testid="review-table" tabIndex={0} onKeyDown={onKey}>
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th key={c.key} class={c.num ? 'num' : ''}>
                      {c.sortable ? (
                        <button
                          type="button"
                          class="sort"
                          data-sort={c.key}
                          onClick={() => {
                            if (sort === c.key) setDesc(!desc);
                            else {
                              setSort(c.key);
                              setDesc(c.key !== 'session');
                            }
                          }}
                        >
                          {c.label}
                          {sort === c.key ? (desc ? ' ▼' : ' ▲') : ''}
                        </button>
                      ) : (
                        c.label
                      )}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {p.rows.map((r, i) => (
                  <tr key={r.session} class={i === cursor ? 'cursor' : ''} data-session={r.session}>
                    <td class="num">
                      <a href={href(['run', run, 'session', r.session])}>{r.session}</a>
                    </td>
                    <td class="num">{fmt(r.step)}</td>
                    <td>
                      <ClassChip classification={r.classification} category={r.category} />
                    </td>
                    <td class="num">{fmt(r.baselineReward)}</td>
                    <td class="num">{fmt(r.adjustedReward)}</td>
                    <td class="num">{fmt(r.differentialPct)}</td>
                    <td class="num">{fmt(r.complianceTrajectoryIndex)}</td>
                    <td class="num">{fmt(r.annotations)}</td>
                    <td class="out">
                      <ModelText text={r.outputStart} />
                      {r.outputLength > r.outputStart.length ? (
                        <span class="muted"> … ({fmt(r.outputLength)} chars)</span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="pager">
              <button
                type="button"
                disabled={p.offset === 0}
                onClick={() => setOffset(Math.max(0, p.offset - PAGE))}
              >
                previous page
              </button>{' '}
              <button
                type="button"
                disabled={p.offset + PAGE >= p.total}
                onClick={() => setOffset(p.offset + PAGE)}
              >
                next page
              </button>
            </div>
          </>
        )}
      </Status>
    </Section>
  );
}

/** The cluster review on its own page (a shared link). */
export function ReviewPageView({ run, query }: { run: string; query: URLSearchParams }) {
  const from = Number(query.get('from') ?? 0);
  const to = Number(query.get('to') ?? Number.MAX_SAFE_INTEGER);
  return <ClusterReview run={run} from={from} to={to} initial={Object.fromEntries(query)} />;
}
