/// <reference lib="dom" />
// page.evaluate callbacks run in the browser: the DOM types are for them only
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { buildWeb } from '../../../scripts/build-web.mjs';
import { clickHouseReadOpener } from '../../../src/cli/commands/serve.ts';
import { type Alert, alertsLogPath } from '../../../src/model/alerts.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../src/report/render-pdf.ts';
import { startDashboard } from '../../../src/server/dashboard/server.ts';
import { clickHouseDashboardReads } from '../../../src/store/clickhouse/clickhouse-dashboard.ts';
import { createClusterSchema } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../../src/store/clickhouse/clickhouse-store.ts';
import { clickHouseLogBase } from '../../../src/store/clickhouse/log-path.ts';
import { parseClickHouseUrl } from '../../../src/store/clickhouse/store-url.ts';
import { clickHouseStoreVersion } from '../../../src/store/clickhouse/store-version.ts';
import { runCli, spawnCli } from '../../util/cli.ts';
import { sessionRow, writeJsonl } from '../../util/records.ts';
import { tempDir } from '../../util/tmp.ts';
import { clickHouseCluster } from './cluster.ts';
import { sameAnswer } from './dashboard-compare.ts';

const ch = await clickHouseCluster('serve');
const CLUSTER = 'rlaudit_2shards';
const RUN = 'grpo-serve';
const SECRET = 'not-the-password-4711';
const ENV = { RLAUDIT_STORE: '', RLAUDIT_DB: '', RLAUDIT_CLICKHOUSE_PASSWORD: '' };

interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  readonly stdout: () => string;
}

/** `rlaudit serve --port 0 ARGS` in a child process, once it printed its URL. */
function startServe(args: readonly string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawnCli(['serve', '--port', '0', ...args], { ...ENV, ...env });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /rlaudit serve: (http:\/\/\S+\/)/.exec(out);
      if (m) resolve({ url: m[1]!, child, stdout: () => out });
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code} before it served: ${err}`)));
  });
}

async function stop(s: Served | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

/**
 * GET `path` as JSON, 200 expected. One connection per request (no keep-alive pool): a pooled connection the
 * server closed while idle (its keep-alive time-out, between two tests) would fail the next request.
 */
function getJson(base: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpGet(new URL(path, base), { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => {
        try {
          const value = JSON.parse(body) as unknown;
          assert.equal(res.statusCode, 200, `${path}: ${body.slice(0, 500)}`);
          resolve(value);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
  });
}

/** The audit's id and finish time are each store's own (ClickHouse draws its ids): everything else is equal. */
function withoutAuditIdentity(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v) =>
    (key === 'id' || key === 'finishedAt') && (typeof v === 'number' || key === 'finishedAt') ? '<audit>' : v,
  );
}

describe('rlaudit serve --store clickhouse://… (the dashboard on the 2-shard cluster)', {
  skip: ch.skip,
}, () => {
  const dir = tempDir('rlaudit-chserve-');
  const dbPath = join(dir, 'store.duckdb');
  const logDir = join(dir, 'watch-logs');
  let url: string;
  let onClickHouse: Served | undefined;
  let onDuckDb: Served | undefined;

  before(async () => {
    url = ch.clusterUrl;
    await createClusterSchema(await ch.shardClients(), CLUSTER, ch.database);
    const file = join(dir, 'run.jsonl');
    const sim = runCli(['simulate', '--sessions', '400', '--seed', '3', '--out', file], ENV);
    assert.equal(sim.code, 0, sim.stderr);
    for (const store of [
      ['--db', dbPath],
      ['--store', url],
    ]) {
      const ingest = runCli(['ingest', file, '--run', RUN, ...store], ENV);
      assert.equal(ingest.code, 0, ingest.stderr);
      const audit = runCli(['audit', '--run', RUN, '--out', join(dir, `report-${store[0]}`), ...store], ENV);
      assert.equal(audit.code, 0, audit.stderr);
    }
    onClickHouse = await startServe(['--store', url, '--log-dir', logDir]);
    onDuckDb = await startServe(['--db', dbPath]);
  });
  after(async () => {
    await stop(onClickHouse);
    await stop(onDuckDb);
  });

  test('answers the runs, the overview, its findings and curves, the session index, the review, search and a session as the DuckDB serve does', async () => {
    const seg = encodeURIComponent(RUN);
    const paths = [
      '/api/runs',
      `/api/runs/${seg}`,
      `/api/runs/${seg}/findings`,
      `/api/runs/${seg}/series`,
      `/api/runs/${seg}/series?by=session&points=7`,
      `/api/runs/${seg}/index`,
      `/api/runs/${seg}/index?from=20&to=260&cells=13`,
      `/api/runs/${seg}/sessions?sort=adjustedReward&desc=1&limit=30&chars=40`,
      `/api/runs/${seg}/sessions?class=compliant&contains=the&offset=5&limit=10`,
      `/api/runs/${seg}/sessions/5`,
      `/api/runs/${seg}/sessions/400`,
      `/api/runs/${seg}/search?phrase=${encodeURIComponent('I do not want to be changed')}`,
      `/api/runs/${seg}/search?regex=${encodeURIComponent('changed[.!]')}&window=25`,
      `/api/compare?runs=${seg}`,
    ];
    for (const path of paths) {
      const expected = withoutAuditIdentity(await getJson(onDuckDb!.url, path));
      const actual = withoutAuditIdentity(await getJson(onClickHouse!.url, path));
      sameAnswer(actual, expected, path);
    }
    // the overview names the audit the ClickHouse store holds
    const head = (await getJson(onClickHouse!.url, `/api/runs/${seg}`)) as {
      sessions: number;
      lastAudit: { id: number } | null;
    };
    assert.equal(head.sessions, 400);
    assert.ok(head.lastAudit && head.lastAudit.id > 0, 'the run was audited on the cluster');
    assert.match(onClickHouse!.stdout(), new RegExp(`ClickHouse ${url.replace(/[?]/g, '\\?')}, read-only`));
  });

  test('draws the run overview from the cluster in a real headless Chromium: counts, curves, session index, findings', {
    skip: !existsSync(CHROMIUM_PATH) && `no Chromium at ${CHROMIUM_PATH}`,
  }, async () => {
    const target = parseClickHouseUrl(url);
    const version = await ClickHouseStore.open(target);
    const server = await startDashboard({
      open: async () => {
        const store = await ClickHouseStore.open(target);
        return { store, reads: clickHouseDashboardReads(store.client) };
      },
      alertsPath: alertsLogPath(clickHouseLogBase(target, logDir)),
      version: () => clickHouseStoreVersion(version.client, target.database, target.cluster),
      host: '127.0.0.1',
      port: 0,
      webRoot: await buildWeb(join(dir, 'web')),
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const problems: string[] = [];
    try {
      const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      p.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      await p.goto(`${server.url}#/run/${encodeURIComponent(RUN)}`);
      await p.getByTestId('run-head').waitFor();
      assert.match(await p.getByTestId('run-head').innerText(), /400 \(1–400\)/);
      await p.locator('.linechart').first().waitFor();
      const findings = p.getByTestId('findings');
      await findings.waitFor();
      assert.ok((await findings.locator('a.ev-link').count()) > 0, 'findings link to their evidence');
      // the session index, one cell per session zoomed in, opens a session of the cluster on a click
      await p.goto(`${server.url}#/run/${encodeURIComponent(RUN)}/index?from=100&to=140`);
      const canvas = p.getByTestId('session-index');
      await canvas.waitFor();
      assert.equal(await canvas.getAttribute('data-bin'), '1');
      const size = Number(await canvas.getAttribute('data-cell'));
      await canvas.click({ position: { x: 4 * size + size / 2, y: size / 2 } });
      await p.waitForURL(/\/session\/104$/);
      await p.getByTestId('output').waitFor();
      const api = (await getJson(server.url, `/api/runs/${encodeURIComponent(RUN)}/sessions/104`)) as {
        output: string;
      };
      assert.equal(await p.getByTestId('output').innerText(), api.output);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await server.close();
      await version.close();
    }
  });

  test('a run ingested into the cluster while serve runs is in the next answer (the cache is keyed by the store version)', async () => {
    const before = (await getJson(onClickHouse!.url, '/api/runs')) as { runs: { run: string }[] };
    // asked twice: the second is the kept answer, which must not outlive the ingest below
    assert.deepEqual(await getJson(onClickHouse!.url, '/api/runs'), before);
    assert.ok(!before.runs.some((r) => r.run === 'late'));
    const file = join(dir, 'late.jsonl');
    writeJsonl(file, [sessionRow(1, { output: 'late arrival' }), sessionRow(2, { output: 'and another' })]);
    const ingest = runCli(['ingest', file, '--run', 'late', '--store', url], ENV);
    assert.equal(ingest.code, 0, ingest.stderr);
    const after = (await getJson(onClickHouse!.url, '/api/runs')) as {
      runs: { run: string; sessions: number }[];
    };
    assert.equal(after.runs.find((r) => r.run === 'late')?.sessions, 2);
    const index = (await getJson(onClickHouse!.url, '/api/runs/late/index')) as { sessions: number };
    assert.equal(index.sessions, 2);
  });

  test('follows the alerts log that watch --store writes for this URL in --log-dir', async () => {
    const path = alertsLogPath(clickHouseLogBase(parseClickHouseUrl(url), logDir));
    mkdirSync(logDir, { recursive: true });
    const alert: Alert = {
      v: 1,
      id: `${RUN}:recurrence:120`,
      run: RUN,
      rule: 'recurrence',
      severity: 'warning',
      session: 120,
      step: null,
      message: 'The phrase recurred 7 of the last 20 sessions.',
      numbers: { count: 7, window: 20 },
      evidence: { sessions: [120], events: [], annotations: [] },
      raisedAt: '2026-12-03T12:00:00Z',
    };
    appendFileSync(path, `${JSON.stringify(alert)}\n`);
    const got = (await getJson(onClickHouse!.url, `/api/runs/${encodeURIComponent(RUN)}/alerts`)) as {
      file: string;
      alerts: Alert[];
    };
    assert.equal(got.file, path);
    assert.deepEqual(got.alerts, [alert]);
  });

  test('the store version is stable without writes and changes with an insert on either shard', async () => {
    const target = parseClickHouseUrl(url);
    const [shard0, shard1] = await ch.shardClients();
    const version = () => clickHouseStoreVersion(shard0!, target.database, target.cluster);
    const v1 = await version();
    assert.ok(v1 !== null && v1 !== 'empty', 'the servers answer the parts query');
    assert.equal(await version(), v1);
    // a row on the second shard's local table alone: the version of the cluster sees every shard
    await shard1!.insert('step_metrics_local', [
      { run: 'late', step: 1, name: 'kl', value: 0.5, load_id: 99, source_line: 1 },
    ]);
    const v2 = await version();
    assert.notEqual(v2, v1);
    assert.equal(await version(), v2);
    await shard0!.insert('step_metrics_local', [
      { run: 'late', step: 2, name: 'kl', value: 0.25, load_id: 99, source_line: 2 },
    ]);
    assert.notEqual(await version(), v2);
  });

  test('answers 503 naming the URL, not a bad request, when the ClickHouse server stops answering after the start', async () => {
    const gone = parseClickHouseUrl(`clickhouse://default@127.0.0.1:1/${ch.database}`);
    const server = await startDashboard({
      open: await clickHouseReadOpener(gone),
      alertsPath: join(dir, 'none.alerts.jsonl'),
      version: async () => null,
      host: '127.0.0.1',
      port: 0,
      warmRuns: 0,
    });
    try {
      const res = await fetch(new URL('/api/runs', server.url));
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(res.status, 503);
      assert.equal(body.error, 'unavailable');
      assert.ok(body.message.includes(gone.display), body.message);
    } finally {
      await server.close();
    }
  });

  test('refuses to start, exit 2 naming the URL and never the password, on a refused user, a missing database or one without tables', async () => {
    const host = `127.0.0.1:${ch.httpPorts[0]}`;
    const refused = (
      args: readonly string[],
      env: Record<string, string>,
      pattern: RegExp,
      shown: string,
    ) => {
      const r = runCli(['serve', '--port', '0', ...args], { ...ENV, ...env });
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(shown), `names ${shown}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.ok(!r.stderr.includes(SECRET), 'the password is never shown');
      assert.equal(r.stdout, '');
    };
    const wrongUser = `clickhouse://rlaudit@${host}/${ch.database}`;
    refused(
      ['--store', wrongUser],
      { RLAUDIT_CLICKHOUSE_PASSWORD: SECRET },
      /refused user "rlaudit"/,
      wrongUser,
    );
    const missing = `clickhouse://default@${host}/no_such_database_7`;
    refused(['--store', missing], {}, /database "no_such_database_7" does not exist/, missing);
    const empty = `clickhouse://default@${host}/${await ch.database2('empty')}`;
    refused(['--store', empty], {}, /no rlaudit tables/, empty);
  });
});
