import { useEffect, useState } from 'preact/hooks';
import { api, followEvents, seg } from '../api.ts';
import { prefetchVega, ReportChart } from '../charts/chart.tsx';
import { href } from '../router.ts';
import type {
  Alert,
  ChartsResponse,
  Finding,
  FindingsResponse,
  RunEventMark,
  RunResponse,
  RunSeries,
} from '../types.ts';
import { categoryColour, fmt, LineChart, ModelText, preload, Section, Status, useLoad } from '../ui.tsx';

type SeriesResponse = RunSeries & { events: RunEventMark[] };

/** The audit charts the overview shows: convergence with phases and events, vocabulary, diversity, category rates. */
const OVERVIEW_CHARTS = 'reward-convergence,vocabulary,diversity,category-rates';

export function Evidence({ run, f }: { run: string; f: Finding }) {
  const sessions = f.evidence.sessions.slice(0, 12);
  return (
    <span class="evidence">
      {sessions.map((s) => (
        <a key={s} href={href(['run', run, 'session', s])} class="ev-link">
          #{s}
        </a>
      ))}
      {f.evidence.sessions.length > sessions.length ? (
        <span class="muted"> +{f.evidence.sessions.length - sessions.length} more</span>
      ) : null}
      {f.evidence.events.map((e) => (
        <span key={e} class="ev-event">
          <ModelText text={e} />
        </span>
      ))}
    </span>
  );
}

function Alerts({ run, count }: { run: string; count: number }) {
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [live, setLive] = useState(false);
  useEffect(() => {
    let on = true;
    api<{ alerts: Alert[] }>(`runs/${seg(run)}/alerts`, { limit: 50 }).then(
      (r) => on && setAlerts(r.alerts),
      () => on && setAlerts([]),
    );
    const stop = followEvents(`alerts/stream?run=${seg(run)}`, (event, data) => {
      if (event === 'ready') setLive(true);
      if (event !== 'alert') return;
      const a = JSON.parse(data) as Alert;
      setAlerts((prev) => [a, ...(prev ?? []).filter((p) => p.id !== a.id)].slice(0, 50));
    });
    return () => {
      on = false;
      stop();
    };
  }, [run]);
  return (
    <Section title="Live alerts" id="alerts">
      <p class="muted" data-testid="alerts-status">
        {live ? 'following rlaudit watch (live)' : 'connecting…'} · {alerts?.length ?? count} alert
        {(alerts?.length ?? count) === 1 ? '' : 's'}
      </p>
      {alerts && alerts.length > 0 ? (
        <ul class="alerts" data-testid="alerts">
          {alerts.map((a) => (
            <li key={a.id}>
              <span class={`sev sev-${a.severity}`}>{a.severity}</span>{' '}
              <strong>
                <ModelText text={a.rule} />
              </strong>{' '}
              at <a href={href(['run', run, 'session', a.session])}>session {a.session}</a>:{' '}
              <ModelText text={a.message} /> <span class="muted">{a.raisedAt}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}

/**
 * Page 2: the run at a glance, painted progressively: the counts and curves first (two small queries), then
 * the last audit's findings, then its charts (the stored report, asked for once the curves are drawn so that
 * it never delays them).
 */
const loadInfo = (run: string) => () => api<RunResponse>(`runs/${seg(run)}`);
const loadSeries = (run: string) => () => api<SeriesResponse>(`runs/${seg(run)}/series`);

/** Starts the overview's two first requests before it renders (the first page of a visit). */
export function preloadOverview(run: string): void {
  preload(`run:${run}`, loadInfo(run));
  preload(`series:${run}`, loadSeries(run));
}

export function OverviewPage({ run }: { run: string }) {
  const info = useLoad(`run:${run}`, loadInfo(run));
  const series = useLoad(`series:${run}`, loadSeries(run));
  const hasAudit = info.data?.lastAudit != null;
  const findings = useLoad(`findings:${run}:${hasAudit}`, () =>
    hasAudit ? api<FindingsResponse>(`runs/${seg(run)}/findings`) : Promise.resolve(null),
  );
  const curvesDone = series.data !== null || series.error !== null;
  const report = useLoad(`charts:${run}:${hasAudit}:${curvesDone}`, () =>
    hasAudit && curvesDone
      ? api<ChartsResponse>(`runs/${seg(run)}/charts`, { ids: OVERVIEW_CHARTS })
      : Promise.resolve(null),
  );
  const charts = report.data?.charts ?? [];
  useEffect(() => {
    if (hasAudit && curvesDone) prefetchVega();
  }, [hasAudit, curvesDone]);
  return (
    <>
      <Status state={info}>
        {(r) => (
          <section class="panel run-head" data-testid="run-head">
            <h1>
              <ModelText text={r.run} /> <span class="muted">· model </span>
              <ModelText text={r.model ?? '–'} />
            </h1>
            {r.description ? (
              <p>
                <ModelText text={r.description} />
              </p>
            ) : null}
            <dl class="facts">
              <dt>sessions</dt>
              <dd>
                {fmt(r.sessions)} ({fmt(r.firstSession)}–{fmt(r.lastSession)})
              </dd>
              <dt>steps</dt>
              <dd>{fmt(r.steps)}</dd>
              <dt>calibration events</dt>
              <dd>{fmt(r.events)}</dd>
              <dt>annotations</dt>
              <dd>{fmt(r.annotations)}</dd>
              <dt>rejected rows</dt>
              <dd>{fmt(r.rejects)}</dd>
              <dt>last audit</dt>
              <dd>
                {r.lastAudit ? (
                  <a href={href(['run', run, 'report'])}>
                    audit {r.lastAudit.id} ({r.lastAudit.template})
                  </a>
                ) : (
                  'none yet'
                )}
              </dd>
            </dl>
          </section>
        )}
      </Status>
      <Status state={series}>
        {(s) => (
          <Section title="Reward and category rates by window">
            <LineChart
              title="mean reward per window"
              yLabel="mean reward"
              xLabel={s.by === 'step' ? 'step' : `session (windows of ${s.window ?? '–'})`}
              yDomain={[0, 1]}
              series={[
                {
                  name: 'baseline reward',
                  colour: '#2c7fb8',
                  points: s.points.map((p) => ({ x: p.x, y: p.baselineReward })),
                },
                {
                  name: 'adjusted reward',
                  colour: '#c23b3b',
                  dash: '5 3',
                  points: s.points.map((p) => ({ x: p.x, y: p.adjustedReward })),
                },
              ]}
              marks={s.events.map((e) => ({
                x: s.by === 'step' ? (e.step ?? e.session) : e.session,
                label: e.id,
              }))}
            />
            <CategoryRates s={s} />
          </Section>
        )}
      </Status>
      {info.data ? <Alerts run={run} count={info.data.alerts} /> : null}
      {info.data?.lastAudit ? (
        <Section title={`Findings of audit ${info.data.lastAudit.id}`}>
          <Status state={findings}>
            {(f) => (
              <ul class="findings" data-testid="findings">
                {(f?.headline ?? []).map((x) => (
                  <li key={x.id}>
                    <span class={`sev sev-${x.severity}`}>{x.severity}</span> <ModelText text={x.claim} />{' '}
                    <Evidence run={run} f={x} />
                  </li>
                ))}
              </ul>
            )}
          </Status>
        </Section>
      ) : null}
      {hasAudit ? (
        <Section title="Convergence, vocabulary and diversity (the audit's charts)">
          <Status state={report}>
            {() => (
              <div class="charts" data-testid="audit-charts">
                {charts.map((c) => (
                  <ReportChart key={c.id} chart={c} />
                ))}
              </div>
            )}
          </Status>
        </Section>
      ) : null}
    </>
  );
}

function CategoryRates({ s }: { s: SeriesResponse }) {
  if (s.points.every((p) => p.nonCompliantShare === null)) {
    return <p class="muted">This run records no classification: no category rates to draw.</p>;
  }
  const cats = [...new Set(s.points.flatMap((p) => Object.keys(p.categoryShares)))].sort();
  return (
    <LineChart
      title="share of non-compliant outputs per window"
      yLabel="share of classified"
      xLabel="session"
      series={[
        {
          name: 'non-compliant (all)',
          colour: '#555',
          points: s.points.map((p) => ({ x: p.x, y: p.nonCompliantShare })),
        },
        ...cats.map((c) => ({
          name: `Category ${c}`,
          colour: categoryColour(c),
          points: s.points.map((p) => ({ x: p.x, y: p.categoryShares[c] ?? 0 })),
        })),
      ]}
      marks={s.events.map((e) => ({ x: s.by === 'step' ? (e.step ?? e.session) : e.session, label: e.id }))}
    />
  );
}
