import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setToken, setUnauthorizedHandler } from './api.ts';
import { ComparePage } from './pages/compare.tsx';
import { OverviewPage, preloadOverview } from './pages/overview.tsx';
import { ReportPage } from './pages/report.tsx';
import { ReviewPageView } from './pages/review.tsx';
import { RunsPage } from './pages/runs.tsx';
import { SearchPage } from './pages/search.tsx';
import { SessionPage } from './pages/session.tsx';
import { SessionIndexPage } from './pages/session-index.tsx';
import { href, navigate, parseHash, type Route, useRoute } from './router.ts';
import { ModelText } from './ui.tsx';

/** The page of a route; unknown routes say so. */
function Page({ route }: { route: Route }) {
  const [top, run, page, arg] = route.parts;
  if (top === undefined || top === 'runs') return <RunsPage query={route.query} />;
  if (top === 'compare') return <ComparePage query={route.query} />;
  if (top === 'run' && run !== undefined) {
    if (page === undefined) return <OverviewPage run={run} />;
    if (page === 'index') return <SessionIndexPage run={run} query={route.query} />;
    if (page === 'review') return <ReviewPageView run={run} query={route.query} />;
    if (page === 'session' && arg !== undefined && /^\d+$/.test(arg))
      return <SessionPage run={run} session={Number(arg)} />;
    if (page === 'search') return <SearchPage run={run} query={route.query} />;
    if (page === 'report') return <ReportPage run={run} query={route.query} />;
  }
  return (
    <p class="error panel">
      No such page. <a href="#/">All runs</a>
    </p>
  );
}

const KEYS: readonly [string, string][] = [
  ['1', 'runs'],
  ['2', 'run overview'],
  ['3', 'session index'],
  ['4', 'search'],
  ['5', 'compare'],
  ['6', 'report'],
  ['/', 'search box'],
  ['← →  or  k j', 'previous / next session (session page)'],
  ['arrows, Shift+arrows, Enter', 'session index: move, brush, open (a bin zooms in)'],
  ['+ −  [ ]  Esc', 'session index: zoom in / out, pan earlier / later, whole run (also wheel, pinch)'],
  ['j k Enter', 'cluster review: move, open'],
  ['?', 'this help'],
];

function TokenForm({ onDone }: { onDone: () => void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="panel token"
      onSubmit={(e) => {
        e.preventDefault();
        setToken(value.trim());
        onDone();
      }}
    >
      <h2>This server needs its token</h2>
      <p>It was started with --token; enter it once (kept for this browser tab).</p>
      <input
        type="password"
        autocomplete="off"
        value={value}
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        data-testid="token-input"
      />{' '}
      <button type="submit">continue</button>
    </form>
  );
}

function App() {
  const route = useRoute();
  const [needToken, setNeedToken] = useState(false);
  const [help, setHelp] = useState(false);
  const [reload, setReload] = useState(0);
  useEffect(() => setUnauthorizedHandler(() => setNeedToken(true)), []);
  const run = route.parts[0] === 'run' ? route.parts[1] : undefined;
  const [lastRun, setLastRun] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (run !== undefined) setLastRun(run);
  }, [run]);
  const current = run ?? lastRun;
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName) || e.ctrlKey || e.metaKey || e.altKey) return;
      const go: Record<string, string | null> = {
        '1': href(['runs']),
        '2': current ? href(['run', current]) : null,
        '3': current ? href(['run', current, 'index']) : null,
        '4': current ? href(['run', current, 'search']) : null,
        '5': href(['compare'], { runs: current }),
        '6': current ? href(['run', current, 'report']) : null,
      };
      const target = go[e.key];
      if (target) {
        e.preventDefault();
        navigate(target);
      } else if (e.key === '/' && current) {
        e.preventDefault();
        if (route.parts[2] !== 'search') navigate(href(['run', current, 'search']));
        setTimeout(() => document.getElementById('search-input')?.focus(), 50);
      } else if (e.key === '?') setHelp((h) => !h);
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [current, route]);
  const link = (label: string, to: string, active: boolean, key: string) => (
    <a
      href={to}
      class={active ? 'active' : ''}
      aria-current={active ? 'page' : undefined}
      title={`key ${key}`}
    >
      {label}
    </a>
  );
  const page = route.parts[0] === 'run' ? (route.parts[2] ?? 'overview') : (route.parts[0] ?? 'runs');
  return (
    <>
      <header class="top">
        <a href="#/" class="brand">
          rlaudit
        </a>
        <nav data-testid="nav">
          {link('Runs', href(['runs']), page === 'runs', '1')}
          {current ? (
            <>
              <span class="navrun">
                <ModelText text={current} />
              </span>
              {link('Overview', href(['run', current]), page === 'overview', '2')}
              {link(
                'Session index',
                href(['run', current, 'index']),
                page === 'index' || page === 'review' || page === 'session',
                '3',
              )}
              {link('Search', href(['run', current, 'search']), page === 'search', '4')}
              {link('Report', href(['run', current, 'report']), page === 'report', '6')}
            </>
          ) : null}
          {link('Compare', href(['compare'], { runs: current }), page === 'compare', '5')}
        </nav>
        <button type="button" class="help-btn" onClick={() => setHelp(!help)} aria-expanded={help}>
          keys ?
        </button>
      </header>
      {help ? (
        <section class="panel help" data-testid="help">
          <h2>Keyboard</h2>
          <dl class="facts">
            {KEYS.map(([k, v]) => (
              <>
                <dt key={`k${k}`}>
                  <kbd>{k}</kbd>
                </dt>
                <dd key={`v${k}`}>{v}</dd>
              </>
            ))}
          </dl>
        </section>
      ) : null}
      <main key={reload}>
        {needToken ? (
          <TokenForm
            onDone={() => {
              setNeedToken(false);
              setReload((n) => n + 1);
            }}
          />
        ) : (
          <Page route={route} />
        )}
      </main>
    </>
  );
}

// The run overview is the page most links open: its first two requests leave before anything renders.
{
  const [top, run, page] = parseHash(location.hash).parts;
  if (top === 'run' && run !== undefined && page === undefined) preloadOverview(run);
}
render(<App />, document.getElementById('app')!);
