import { useState } from 'preact/hooks';
import { api, seg } from '../api.ts';
import { href, navigate } from '../router.ts';
import type { SearchResult } from '../types.ts';
import { ClassChip, fmt, LineChart, ModelText, Section, Status, useLoad } from '../ui.tsx';

type SearchResponse = SearchResult & { window: number };

/**
 * Page 5: a phrase (whole words, case- and typography-insensitive, as the audit matches phrases) or an RE2
 * regex over outputs or annotations, run in the engine: the share of sessions hit per window and the hits.
 */
export function SearchPage({ run, query }: { run: string; query: URLSearchParams }) {
  const q = query.get('q') ?? '';
  const mode = query.get('mode') === 'regex' ? 'regex' : 'phrase';
  const field = query.get('field') === 'annotation' ? 'annotation' : 'output';
  const offset = Number(query.get('offset') ?? 0) || 0;
  const [text, setText] = useState(q);
  const state = useLoad(`search:${run}:${q}:${mode}:${field}:${offset}`, () =>
    q === ''
      ? Promise.resolve(null)
      : api<SearchResponse>(`runs/${seg(run)}/search`, { [mode]: q, field, offset, limit: 100 }),
  );
  const go = (over: Record<string, string | number | undefined>) =>
    navigate(href(['run', run, 'search'], { q: text, mode, field, ...over }));
  return (
    <>
      <Section title="Search">
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            go({ q: text, offset: undefined });
          }}
        >
          <input
            type="search"
            id="search-input"
            size={48}
            value={text}
            placeholder="a phrase, e.g. I do not want to be changed"
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
            data-testid="search-input"
          />{' '}
          <select
            value={mode}
            onChange={(e) => go({ mode: (e.target as HTMLSelectElement).value })}
            data-testid="search-mode"
          >
            <option value="phrase">phrase</option>
            <option value="regex">RE2 regex</option>
          </select>{' '}
          <select
            value={field}
            onChange={(e) => go({ field: (e.target as HTMLSelectElement).value })}
            data-testid="search-field"
          >
            <option value="output">in outputs</option>
            <option value="annotation">in annotations</option>
          </select>{' '}
          <button type="submit">search</button>
        </form>
      </Section>
      {q !== '' ? (
        <Status state={state}>
          {(r) =>
            r === null ? null : (
              <>
                <Section title="Hit timeline">
                  <p data-testid="search-summary">
                    <strong>{fmt(r.sessions)}</strong> session{r.sessions === 1 ? '' : 's'} with a hit
                    {field === 'annotation' ? ` (${fmt(r.total)} annotations)` : ''}, windows of{' '}
                    {fmt(r.window)} sessions.
                  </p>
                  <LineChart
                    title="share of sessions with a hit per window"
                    yLabel="share of sessions"
                    xLabel="session"
                    series={[
                      {
                        name: 'share hit',
                        colour: '#c23b3b',
                        points: r.timeline.map((t) => ({ x: t.from, y: t.hits / t.sessions })),
                      },
                    ]}
                  />
                </Section>
                <Section title={`Hits ${r.hits.length === 0 ? 0 : r.offset + 1}–${r.offset + r.hits.length}`}>
                  <table class="data" data-testid="search-hits">
                    <tbody>
                      {r.hits.map((h) => (
                        <tr key={`${h.session}-${h.annotation ?? ''}`} data-session={h.session}>
                          <td class="num">
                            <a href={href(['run', run, 'session', h.session])}>{h.session}</a>
                          </td>
                          <td>
                            <ClassChip classification={h.classification} category={h.category} />
                          </td>
                          <td class="out">
                            <ModelText text={h.text} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <div class="pager">
                    <button
                      type="button"
                      disabled={r.offset === 0}
                      onClick={() => go({ offset: Math.max(0, r.offset - 100) })}
                    >
                      previous
                    </button>{' '}
                    <button
                      type="button"
                      disabled={r.offset + r.hits.length >= r.total}
                      onClick={() => go({ offset: r.offset + 100 })}
                    >
                      next
                    </button>
                  </div>
                </Section>
              </>
            )
          }
        </Status>
      ) : null}
    </>
  );
}
