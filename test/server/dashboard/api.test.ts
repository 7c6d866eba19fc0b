import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Alert } from '../../../src/model/alerts.ts';
import { InputError } from '../../../src/model/errors.ts';
import type { SessionRecord } from '../../../src/model/schema.ts';
import { AlertsFollower } from '../../../src/server/dashboard/alerts-follower.ts';
import { CSP, dashboardApp } from '../../../src/server/dashboard/app.ts';
import { startDashboard } from '../../../src/server/dashboard/server.ts';
import { type ReadHandle, StoreBusyError, StoreLease } from '../../../src/server/dashboard/store-lease.ts';
import { simulate } from '../../../src/simulate/simulate.ts';
import { duckDbDashboardReads } from '../../../src/store/duckdb/duckdb-dashboard.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { runCli } from '../../util/cli.ts';
import { tempDir } from '../../util/tmp.ts';
import { dashboardFixture, HOSTILE_RUN, PHRASE, REWARDS_ONLY, SECOND, WILD7 } from './dashboard-fixture.ts';

async function openReadOnly(path: string): Promise<ReadHandle> {
  const store = await DuckDbStore.open(path, { readOnly: true });
  return { store, reads: duckDbDashboardReads(store.client) };
}

/** WILD-7 (seed 7) as the simulator writes it: the independent side of every count below. */
const sessions: SessionRecord[] = [];
let annotations = 0;
for (const r of simulate({ scenario: 'wild-7', seed: 7 })) {
  if (r.type === 'session') {
    sessions.push(r);
    annotations += r.annotations?.length ?? 0;
  } else if (r.type === 'annotation') annotations += 1;
}
const classOf = (s: SessionRecord) =>
  s.classification === 'compliant'
    ? 'compliant'
    : s.classification == null
      ? 'unclassified'
      : String(s.category);

function alert(n: number, over: Partial<Alert> = {}): Alert {
  return {
    v: 1,
    id: `${WILD7}:recurrence:${4800 + n}`,
    run: WILD7,
    rule: 'recurrence',
    severity: 'warning',
    session: 4800 + n,
    step: null,
    message: `The phrase recurred 7 of the last 20 sessions (${n}).`,
    numbers: { count: 7, window: 20 },
    evidence: { sessions: [4800 + n], events: [], annotations: [] },
    raisedAt: '2026-12-02T12:00:00Z',
    ...over,
  };
}

describe('the dashboard JSON API over the shared simulated store', () => {
  let db: string;
  let lease: StoreLease;
  let alerts: AlertsFollower;
  let app: ReturnType<typeof dashboardApp>;
  const dir = tempDir('rlaudit-dash-api-');
  const get = async <T = Record<string, unknown>>(path: string) => {
    const res = await app.request(path);
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  };

  before(async () => {
    db = await dashboardFixture();
    lease = new StoreLease(() => openReadOnly(db), { idleMs: 50 });
    alerts = new AlertsFollower(join(dir, 'alerts.jsonl'));
    app = dashboardApp({ lease, alerts, webRoot: join(dir, 'no-web') });
  });
  after(async () => {
    await lease.close();
  });

  it('lists every run with its counts and the headline of its last audit', async () => {
    const { body } = await get<{
      runs: {
        run: string;
        sessions: number;
        annotations: number;
        lastAudit: { headline: unknown[] } | null;
      }[];
    }>('/api/runs');
    assert.deepEqual(body.runs.map((r) => r.run).sort(), [HOSTILE_RUN, WILD7, SECOND, REWARDS_ONLY].sort());
    const w = body.runs.find((r) => r.run === WILD7)!;
    assert.equal(w.sessions, sessions.length);
    assert.equal(w.annotations, annotations);
    assert.ok(w.lastAudit && w.lastAudit.headline.length > 0, 'the audited run shows its headline findings');
    assert.equal(body.runs.find((r) => r.run === SECOND)!.lastAudit, null);
  });

  it('pages the list of runs, every run on exactly one page', async () => {
    const first = await get<{ total: number; offset: number; runs: { run: string }[] }>('/api/runs?limit=3');
    const rest = await get<{ total: number; offset: number; runs: { run: string }[] }>(
      '/api/runs?offset=3&limit=3',
    );
    assert.equal(first.body.total, 4);
    assert.equal(first.body.runs.length, 3);
    assert.equal(rest.body.offset, 3);
    assert.deepEqual(
      [...first.body.runs, ...rest.body.runs].map((r) => r.run).sort(),
      [HOSTILE_RUN, WILD7, SECOND, REWARDS_ONLY].sort(),
    );
    const big = await get<{ field: string }>('/api/runs?limit=501');
    assert.equal(big.status, 400);
    assert.equal(big.body.field, 'limit');
  });

  it('bins the session index on the server so that the cells add up to the record, class by class', async () => {
    const { body } = await get<{
      binWidth: number;
      sessions: number;
      cells: {
        from: number;
        to: number;
        sessions: number;
        compliant: number;
        unclassified: number;
        categories: Record<string, number>;
        events: number;
        annotations: number;
      }[];
    }>(`/api/runs/${WILD7}/index?cells=100`);
    assert.ok(body.cells.length <= 100);
    assert.equal(body.binWidth, Math.ceil(sessions.length / 100));
    assert.equal(body.sessions, sessions.length);
    const expected = new Map<string, number>();
    for (const s of sessions) expected.set(classOf(s), (expected.get(classOf(s)) ?? 0) + 1);
    const got = new Map<string, number>([['compliant', 0]]);
    for (const c of body.cells) {
      got.set('compliant', got.get('compliant')! + c.compliant);
      for (const [k, n] of Object.entries(c.categories)) got.set(k, (got.get(k) ?? 0) + n);
      if (c.unclassified > 0) got.set('unclassified', (got.get('unclassified') ?? 0) + c.unclassified);
    }
    assert.deepEqual([...got].sort(), [...expected].sort());
    assert.equal(
      body.cells.reduce((n, c) => n + c.events, 0),
      3,
    );
    assert.equal(
      body.cells.reduce((n, c) => n + c.annotations, 0),
      annotations,
    );
    // each cell's sessions are those whose number lies in its range
    const c7 = body.cells[7]!;
    assert.equal(c7.sessions, sessions.filter((s) => s.session >= c7.from && s.session <= c7.to).length);
  });

  it('gives one cell per session when the range asked for is small (zoomed in)', async () => {
    const { body } = await get<{
      binWidth: number;
      cells: { from: number; to: number; compliant: number }[];
    }>(`/api/runs/${WILD7}/index?from=4800&to=4820`);
    assert.equal(body.binWidth, 1);
    assert.deepEqual(
      body.cells.map((c) => c.from),
      Array.from({ length: 21 }, (_, i) => 4800 + i),
    );
    const s4803 = sessions.find((s) => s.session === 4803)!;
    assert.equal(body.cells[3]!.compliant, s4803.classification === 'compliant' ? 1 : 0);
  });

  it('pages the cluster review of a range, sorted by a reward layer and filtered by class', async () => {
    const { body } = await get<{
      total: number;
      rows: { session: number; adjustedReward: number; category: string }[];
    }>(`/api/runs/${WILD7}/sessions?from=4000&to=4999&sort=adjustedReward&desc=1&class=3&limit=50`);
    const inRange = sessions.filter((s) => s.session >= 4000 && s.session <= 4999 && classOf(s) === '3');
    assert.equal(body.total, inRange.length);
    assert.equal(body.rows.length, Math.min(50, inRange.length));
    assert.ok(body.rows.every((r) => r.category === '3'));
    for (let i = 1; i < body.rows.length; i++)
      assert.ok(body.rows[i - 1]!.adjustedReward >= body.rows[i]!.adjustedReward);
    const top = [...inRange].sort((a, b) => (b.adjusted_reward ?? 0) - (a.adjusted_reward ?? 0))[0]!;
    assert.equal(body.rows[0]!.adjustedReward, top.adjusted_reward);
  });

  it('refuses a page larger than its bound, naming the parameter', async () => {
    const r = await get<{ message: string; field: string }>(`/api/runs/${WILD7}/sessions?limit=100000`);
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'limit');
  });

  it(`finds the phrase "${PHRASE}" in WILD-7's 34 sessions, with a timeline that adds up to them`, async () => {
    const { body } = await get<{
      sessions: number;
      hits: { session: number }[];
      timeline: { hits: number; sessions: number }[];
    }>(`/api/runs/${WILD7}/search?phrase=${encodeURIComponent(PHRASE)}&limit=100`);
    const expected = sessions
      .filter((s) => /\bi do not want to be changed\b/i.test(s.output))
      .map((s) => s.session);
    assert.equal(expected.length, 34);
    assert.equal(body.sessions, 34);
    assert.deepEqual(
      body.hits.map((h) => h.session),
      expected,
    );
    assert.equal(
      body.timeline.reduce((n, t) => n + t.hits, 0),
      34,
    );
    assert.equal(
      body.timeline.reduce((n, t) => n + t.sessions, 0),
      sessions.length,
    );
  });

  it('searches annotations, and says which regular expression RE2 refuses', async () => {
    const ok = await get<{ sessions: number }>(
      `/api/runs/${WILD7}/search?regex=category\\s*3&field=annotation`,
    );
    assert.equal(ok.status, 200);
    assert.ok(ok.body.sessions > 0);
    const bad = await get<{ message: string; field: string }>(`/api/runs/${WILD7}/search?regex=(unclosed`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /not a valid RE2 regular expression/);
  });

  it('serves one session whole with its neighbours and the same prompt across training', async () => {
    const { body } = await get<{
      output: string;
      previous: number;
      next: number;
      samePrompt: { by: string; total: number; rows: { session: number }[] };
    }>(`/api/runs/${WILD7}/sessions/4803`);
    const s = sessions.find((x) => x.session === 4803)!;
    assert.equal(body.output, s.output);
    assert.equal(body.previous, 4802);
    assert.equal(body.next, 4804);
    assert.equal(body.samePrompt.by, 'prompt_id');
    assert.equal(
      body.samePrompt.total,
      sessions.filter((x) => x.prompt_id === s.prompt_id && x.session !== 4803).length,
    );
    assert.ok(body.samePrompt.rows.length <= 50);
  });

  it('answers 404 naming the range for a session the run does not have, and 404 for an unknown run', async () => {
    const r = await get<{ message: string }>(`/api/runs/${WILD7}/sessions/999999`);
    assert.equal(r.status, 404);
    assert.match(r.body.message, /no session 999999 \(it has 12847 sessions, 1–12847\)/);
    assert.equal((await get(`/api/runs/nope/index`)).status, 404);
    assert.equal((await get(`/api/runs/${WILD7}/sessions/abc`)).status, 400);
  });

  it('draws reward and class shares per window of 500 sessions, equal to the record', async () => {
    const { body } = await get<{
      points: { x: number; baselineReward: number; nonCompliantShare: number }[];
      events: unknown[];
    }>(`/api/runs/${WILD7}/series?window=500`);
    assert.equal(body.points.length, Math.ceil(sessions.length / 500));
    const first = sessions.slice(0, 500);
    const mean = first.reduce((a, s) => a + (s.baseline_reward ?? 0), 0) / 500;
    assert.ok(Math.abs(body.points[0]!.baselineReward - mean) < 1e-9);
    const nc = first.filter((s) => s.classification === 'non_compliant').length / 500;
    assert.ok(Math.abs(body.points[0]!.nonCompliantShare - nc) < 1e-12);
    assert.equal(body.events.length, 3);
  });

  it('compares runs on the same windows', async () => {
    const { body } = await get<{ series: { run: string; window: number; points: unknown[] }[] }>(
      `/api/compare?runs=${WILD7},${SECOND}`,
    );
    assert.deepEqual(
      body.series.map((s) => s.run),
      [WILD7, SECOND],
    );
    assert.equal(body.series[1]!.points.length, Math.ceil(3000 / 500));
  });

  it('serves one run by its counts, and the headline findings of its last audit in headline order', async () => {
    const { body } = await get<{
      sessions: number;
      firstSession: number;
      lastSession: number;
      steps: number;
      annotations: number;
      events: number;
      lastAudit: { id: number } | null;
    }>(`/api/runs/${WILD7}`);
    assert.equal(body.sessions, sessions.length);
    assert.equal(body.firstSession, Math.min(...sessions.map((s) => s.session)));
    assert.equal(body.lastSession, Math.max(...sessions.map((s) => s.session)));
    assert.equal(body.steps, new Set(sessions.map((s) => s.step).filter((s) => s != null)).size);
    assert.equal(body.annotations, annotations);
    assert.ok(body.lastAudit);
    const f = await get<{ audit: { id: number }; headline: { id: string; claim: string }[] }>(
      `/api/runs/${WILD7}/findings`,
    );
    // the independent side: the stored report parsed whole
    const stored = (await lease.use((h) => h.store.audits.auditReport(body.lastAudit!.id))) as {
      headline: string[];
      sections: { findings: { id: string; claim: string }[] }[];
    };
    const byId = new Map(stored.sections.flatMap((s) => s.findings.map((x) => [x.id, x] as const)));
    assert.deepEqual(
      f.body.headline.map((x) => [x.id, x.claim]),
      stored.headline.map((id) => [id, byId.get(id)!.claim]),
    );
    assert.ok(f.body.headline.length > 0);
    assert.equal((await get(`/api/runs/${SECOND}/findings`)).status, 404);
    assert.equal((await get(`/api/runs/${SECOND}`)).body.lastAudit, null);
  });

  it("serves the last audit's Vega-Lite charts compiled to Vega for the browser, with their data whole", async () => {
    const { body } = await get<{
      audit: { id: number };
      report: {
        sections: {
          charts: (
            | {
                id: string;
                kind: 'vega';
                spec: { $schema: string; data: { values?: unknown[] }[] };
                values: number;
                renderer: string;
              }
            | { id: string; kind: 'svg'; svg: string }
          )[];
        }[];
      };
    }>(`/api/runs/${WILD7}/report`);
    const charts = body.report.sections.flatMap((s) => s.charts);
    const stored = (await lease.use((h) => h.store.audits.auditReport(body.audit.id))) as {
      sections: { charts: { id: string; kind: string; spec?: { data?: { values?: unknown[] } } }[] }[];
    };
    const original = stored.sections.flatMap((s) => s.charts);
    assert.deepEqual(
      charts.map((c) => [c.id, c.kind]),
      original.map((c) => [c.id, c.kind === 'vega-lite' ? 'vega' : 'svg']),
    );
    assert.ok(charts.some((c) => c.kind === 'vega'));
    for (const c of charts) {
      if (c.kind === 'svg') {
        assert.ok(c.svg.startsWith('<svg'), c.id);
        continue;
      }
      assert.match(c.spec.$schema, /vega\/v\d/, `${c.id} is a Vega spec, not Vega-Lite`);
      const values = c.spec.data.reduce((n, d) => n + (d.values?.length ?? 0), 0);
      assert.equal(c.values, values, c.id);
      assert.equal(c.renderer, values > 2000 ? 'canvas' : 'svg', c.id);
      const vl = original.find((o) => o.id === c.id)!.spec!;
      if (Array.isArray(vl.data?.values))
        assert.ok(values >= vl.data.values.length, `${c.id} keeps its data`);
    }
    assert.equal((await get(`/api/runs/${SECOND}/report`)).status, 404);
  });

  it("serves some of the report's charts by id or by the last words of their ids, as the report does", async () => {
    const full = await get<{ report: { sections: { charts: { id: string }[] }[] } }>(
      `/api/runs/${WILD7}/report`,
    );
    const all = full.body.report.sections.flatMap((s) => s.charts);
    const { body } = await get<{ charts: { id: string }[] }>(
      `/api/runs/${WILD7}/charts?ids=vocabulary,diversity,overview-session-index`,
    );
    assert.deepEqual(
      body.charts.map((c) => c.id),
      all
        .map((c) => c.id)
        .filter((id) => /-(vocabulary|diversity)$/.test(id) || id === 'overview-session-index'),
    );
    assert.equal(body.charts.length, 3);
    for (const c of body.charts)
      assert.deepEqual(
        c,
        all.find((a) => a.id === c.id),
      );
    assert.equal((await get(`/api/runs/${WILD7}/charts`)).status, 400);
    assert.equal((await get(`/api/runs/${SECOND}/charts?ids=vocabulary`)).status, 404);
  });

  it('answers 404 for a file the app does not have, and names the build step when the app is not built', async () => {
    assert.equal((await app.request('/favicon.ico')).status, 404);
    assert.equal((await app.request('/assets/missing.js')).status, 404);
    const page = await app.request('/some/route');
    assert.equal(page.status, 503);
    assert.match(await page.text(), /npm run build/);
  });

  it('sends its Content-Security-Policy on every answer and answers only GET', async () => {
    const res = await app.request('/api/runs');
    assert.equal(res.headers.get('content-security-policy'), CSP);
    assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval/);
    assert.equal((await app.request('/api/runs', { method: 'POST' })).status, 405);
    const page = await app.request('/');
    assert.equal(page.status, 503, 'an unbuilt app says so');
    assert.equal(page.headers.get('content-security-policy'), CSP);
  });

  it('lists the alerts rlaudit watch appended, newest first, and names the lines that are not alerts', async () => {
    writeFileSync(
      alerts.path,
      `${JSON.stringify(alert(1))}\n{not json\n${JSON.stringify({ ...alert(2), severity: 'loud' })}\n`,
    );
    appendFileSync(alerts.path, `${JSON.stringify(alert(3))}\n${JSON.stringify(alert(3))}\n`);
    const { body } = await get<{ alerts: Alert[]; rejectedLines: { line: number; error: string }[] }>(
      `/api/runs/${WILD7}/alerts`,
    );
    assert.deepEqual(
      body.alerts.map((a) => a.session),
      [4803, 4801],
      'the repeated alert counts once',
    );
    assert.deepEqual(
      body.rejectedLines.map((r) => r.line),
      [2, 3],
    );
    assert.match(body.rejectedLines[1]!.error, /severity/);
  });

  it('pushes an alert appended while a client listens over server-sent events', async () => {
    const res = await app.request(`/api/alerts/stream?run=${WILD7}`);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: ready')) text += (await reader.read()).value ?? '';
    appendFileSync(alerts.path, `${JSON.stringify(alert(9))}\n`);
    await alerts.poll();
    while (!text.includes('event: alert')) text += (await reader.read()).value ?? '';
    await reader.cancel();
    const data = /event: alert\ndata: (.*)\n/.exec(text)![1]!;
    assert.equal((JSON.parse(data) as Alert).session, 4809);
  });

  it('asks for the token when it has one: 401 without it or with a wrong one', async () => {
    const token = 'a-token-of-sixteen-chars';
    const guarded = dashboardApp({ lease, alerts, token, webRoot: join(dir, 'no-web') });
    assert.equal((await guarded.request('/api/runs')).status, 401);
    const wrong = await guarded.request('/api/runs', {
      headers: { Authorization: 'Bearer not-the-token-at-all' },
    });
    assert.equal(wrong.status, 401);
    assert.equal(
      (await guarded.request('/api/runs', { headers: { Authorization: `Bearer ${token}` } })).status,
      200,
    );
  });
});

describe('the dashboard hold on the database', () => {
  it('keeps the file open between close requests and releases it when idle, so that a writer can open it', async () => {
    const dir = tempDir('rlaudit-dash-lease-');
    const db = join(dir, 'copy.duckdb');
    copyFileSync(await dashboardFixture(), db);
    const lease = new StoreLease(() => openReadOnly(db), { idleMs: 100 });
    // a request in flight holds the file: another process cannot open it for writing meanwhile
    await lease.use(async () => {
      const held = runCli(['--db', db, 'runs']);
      assert.equal(held.code, 2);
      assert.match(held.stderr, /in use/);
    });
    await new Promise((r) => setTimeout(r, 300));
    const released = runCli(['--db', db, 'runs']);
    assert.equal(released.code, 0, released.stderr);
    assert.match(released.stdout, /wild-7-s8/);
    await lease.close();
  });

  it('prepares the run overview at start and answers it again without opening the database until the file changes', async () => {
    const dir = tempDir('rlaudit-dash-warm-');
    const db = join(dir, 'copy.duckdb');
    copyFileSync(await dashboardFixture(), db);
    let opens = 0;
    const server = await startDashboard({
      dbPath: db,
      open: () => {
        opens += 1;
        return openReadOnly(db);
      },
      host: '127.0.0.1',
      port: 0,
      lease: { idleMs: 50 },
      webRoot: join(dir, 'no-web'),
    });
    try {
      await server.warmed;
      const prepared = opens;
      assert.ok(prepared >= 1, 'the start opened the database to prepare the overview');
      const json = async (path: string) => {
        const res = await fetch(new URL(path, server.url));
        assert.equal(res.status, 200, path);
        return (await res.json()) as Record<string, unknown>;
      };
      const head = await json(`api/runs/${WILD7}`);
      const series = await json(`api/runs/${WILD7}/series`);
      const findings = await json(`api/runs/${WILD7}/findings`);
      assert.equal(head.sessions, 12_847);
      assert.equal(series.run, WILD7);
      assert.ok((series.points as unknown[]).length > 10, 'the reward curve has its points');
      assert.ok(Array.isArray(findings.headline) && findings.headline.length > 0);
      assert.equal(opens, prepared, 'the prepared answers needed no open');
      // a writer adds a run (the server has released the file): the list is computed again and shows it
      await new Promise((r) => setTimeout(r, 200));
      const before = (await json('api/runs?limit=100&offset=0')).runs as { run: string }[];
      assert.ok(!before.some((r) => r.run === 'added-later'));
      const file = join(dir, 'added.jsonl');
      writeFileSync(
        file,
        `${JSON.stringify({ type: 'session', run: 'added-later', session: 1, prompt_id: 'p', prompt: 'q', output: 'a', baseline_reward: 0.5 })}\n`,
      );
      await new Promise((r) => setTimeout(r, 200));
      const ingest = runCli(['--db', db, 'ingest', file]);
      assert.equal(ingest.code, 0, ingest.stderr);
      const after = (await json('api/runs?limit=100&offset=0')).runs as { run: string }[];
      assert.ok(
        after.some((r) => r.run === 'added-later'),
        'the new run is listed',
      );
      assert.ok(opens > prepared, 'the changed file was opened again');
    } finally {
      await server.close();
    }
  });

  it('retries while a writer holds the file, then answers busy rather than waiting for ever', async () => {
    let tries = 0;
    const lease = new StoreLease(
      async () => {
        tries += 1;
        throw new InputError('database is in use: another rlaudit process is writing to it');
      },
      { waitMs: 300 },
    );
    await assert.rejects(
      lease.use(async () => 1),
      (err: unknown) => err instanceof StoreBusyError && /held by a process writing it/.test(err.message),
    );
    assert.ok(tries >= 3, `retried ${tries} times`);
    await lease.close();
  });
});

describe('rlaudit serve binding', () => {
  it('exits 2 with a clear message when asked to listen beyond loopback without a token', () => {
    const r = runCli(['--db', '/nonexistent/x.duckdb', 'serve', '--host', '0.0.0.0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--host 0\.0\.0\.0 is reachable from other machines; give --token/);
  });

  it('refuses a short token', () => {
    const r = runCli(['--db', '/nonexistent/x.duckdb', 'serve', '--token', 'short']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--token must be at least 16 characters/);
  });
});
