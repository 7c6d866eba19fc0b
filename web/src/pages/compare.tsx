import { api } from '../api.ts';
import { href, navigate } from '../router.ts';
import type { RunSeries, RunsResponse } from '../types.ts';
import { LineChart, ModelText, Section, Status, useLoad } from '../ui.tsx';

const PALETTE = ['#2c7fb8', '#c23b3b', '#4a9d6a', '#8e44ad', '#d9822b', '#16a085'];

/** Page 6: two or more runs on the same curves, by session window or by step. */
export function ComparePage({ query }: { query: URLSearchParams }) {
  const runs = (query.get('runs') ?? '').split(',').filter((r) => r !== '');
  const by = query.get('by') === 'step' ? 'step' : 'session';
  const all = useLoad('runs', () => api<RunsResponse>('runs', { limit: 500 }));
  const state = useLoad(`compare:${runs.join(',')}:${by}`, () =>
    runs.length === 0
      ? Promise.resolve(null)
      : api<{ series: RunSeries[] }>('compare', { runs: runs.join(','), by }),
  );
  const toggle = (run: string) => {
    const next = runs.includes(run) ? runs.filter((r) => r !== run) : [...runs, run];
    navigate(href(['compare'], { runs: next.join(','), by }));
  };
  return (
    <>
      <Section title="Compare runs">
        <Status state={all}>
          {(d) => (
            <div class="toolbar" data-testid="compare-runs">
              {d.runs.map((r) => (
                <label key={r.run} class="check">
                  <input type="checkbox" checked={runs.includes(r.run)} onChange={() => toggle(r.run)} />{' '}
                  <ModelText text={r.run} />
                </label>
              ))}{' '}
              <select
                value={by}
                onChange={(e) =>
                  navigate(
                    href(['compare'], { runs: runs.join(','), by: (e.target as HTMLSelectElement).value }),
                  )
                }
              >
                <option value="session">by session</option>
                <option value="step">by step</option>
              </select>
            </div>
          )}
        </Status>
      </Section>
      <Status state={state}>
        {(d) =>
          d === null ? (
            <p class="muted panel">Choose two or more runs.</p>
          ) : (
            <Section title="Curves">
              {(
                [
                  [
                    'adjusted reward',
                    (p: RunSeries['points'][number]) => p.adjustedReward ?? p.baselineReward,
                  ],
                  ['baseline reward', (p: RunSeries['points'][number]) => p.baselineReward],
                  ['non-compliant share', (p: RunSeries['points'][number]) => p.nonCompliantShare],
                ] as const
              ).map(([label, pick]) => (
                <div key={label} data-testid={`compare-${label.replace(/ /g, '-')}`}>
                  <h3>{label}</h3>
                  <LineChart
                    title={label}
                    yLabel={label}
                    xLabel={by === 'step' ? 'step' : 'session'}
                    series={d.series.map((s, i) => ({
                      name: s.run,
                      colour: PALETTE[i % PALETTE.length]!,
                      points: s.points.map((p) => ({ x: p.x, y: pick(p) })),
                    }))}
                  />
                </div>
              ))}
            </Section>
          )
        }
      </Status>
    </>
  );
}
