/// <reference lib="dom" />
// page.evaluate callbacks run in the browser: the DOM types are for them only
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildWeb } from '../../../scripts/build-web.mjs';
import type { Alert } from '../../../src/model/alerts.ts';
import { alertsLogPath } from '../../../src/model/alerts.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../src/report/render-pdf.ts';
import { dashboardChart } from '../../../src/server/dashboard/report-charts.ts';
import { type RunningDashboard, startDashboard } from '../../../src/server/dashboard/server.ts';
import { duckDbDashboardReads } from '../../../src/store/duckdb/duckdb-dashboard.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { tempDir } from '../../util/tmp.ts';
import {
  dashboardFixture,
  HOSTILE_MODEL,
  HOSTILE_RUN,
  PHRASE,
  REWARDS_ONLY,
  SECOND,
  WILD7,
} from './dashboard-fixture.ts';

/** Screenshots of every page, to look at (not compared): RLAUDIT_SCREENSHOTS or the system temp dir. */
const SHOTS = process.env.RLAUDIT_SCREENSHOTS ?? join(tmpdir(), 'rlaudit-dashboard-screenshots');
const TOKEN = 'dashboard-test-token-0123';

const enc = encodeURIComponent;

describe('the dashboard in a real headless Chromium', {
  skip:
    !existsSync(CHROMIUM_PATH) &&
    `no Chromium at ${CHROMIUM_PATH} (scripts/test.mjs installs it when it can)`,
}, () => {
  let browser: Browser;
  let server: RunningDashboard;
  let guarded: RunningDashboard;
  let db: string;
  let base: string;
  const dir = tempDir('rlaudit-dash-browser-');
  const problems: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const [path, web] = await Promise.all([dashboardFixture(), buildWeb(join(dir, 'web'))]);
    db = path;
    const open = async () => {
      const store = await DuckDbStore.open(db, { readOnly: true });
      return { store, reads: duckDbDashboardReads(store.client) };
    };
    // the alerts log lives beside the database; the fixture is shared, so this server follows a private one
    server = await startDashboard({
      dbPath: join(dir, 'x.duckdb'),
      open,
      host: '127.0.0.1',
      port: 0,
      webRoot: web,
      alertsPollMs: 100,
    });
    guarded = await startDashboard({
      dbPath: join(dir, 'y.duckdb'),
      open,
      host: '127.0.0.1',
      port: 0,
      webRoot: web,
      token: TOKEN,
    });
    base = server.url;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await guarded?.close();
  });

  async function page(): Promise<Page> {
    const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    // the Content-Security-Policy forbids eval: Vega must draw without it
    await p.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const w = window as unknown as { __csp?: number };
        w.__csp = (w.__csp ?? 0) + 1;
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    p.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    return p;
  }

  async function shot(p: Page, name: string): Promise<void> {
    await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
  }

  it('lists the runs with their counts and the headline of the last audit', async () => {
    const p = await page();
    await p.goto(`${base}#/`);
    const table = p.getByTestId('runs-table');
    await table.waitFor();
    await p.getByText('audit 1 (wild-7)').waitFor();
    const text = await table.innerText();
    assert.match(text, /wild-7\s+WILD-7\s+12,847/);
    assert.match(text, /wild-7-s8/);
    assert.ok(text.includes(HOSTILE_MODEL), 'the hostile model name is shown as text');
    await shot(p, '1-runs');
    await p.close();
  });

  it('opens the run overview with its curves, events, findings linked to evidence and the audit charts', async () => {
    const p = await page();
    const started = Date.now();
    await p.goto(`${base}#/run/${WILD7}`);
    await p.getByTestId('run-head').waitFor();
    const firstPaint = Date.now() - started;
    await p.locator('.linechart').first().waitFor();
    assert.match(await p.getByTestId('run-head').innerText(), /12,847 \(1–12,847\)/);
    assert.equal(await p.locator('.event-mark').first().locator('text').textContent(), 'e-1');
    const findings = p.getByTestId('findings');
    await findings.waitFor();
    assert.ok((await findings.locator('a.ev-link').count()) > 0, 'findings link to their evidence');
    // the charts are drawn when scrolled near (a long report does not draw every chart at once)
    await p.getByTestId('audit-charts').scrollIntoViewIfNeeded();
    const drawn = p.getByTestId('audit-charts').locator('.vega-wrap[data-state="drawn"]');
    await drawn.nth(3).waitFor();
    const charts = await p
      .getByTestId('audit-charts')
      .locator('.vega-wrap')
      .evaluateAll((wraps) =>
        wraps.map((w) => ({
          state: w.getAttribute('data-state'),
          // Vega drew the chart in the page: an SVG with marks, or a canvas
          marks: w.querySelectorAll('.vega-chart svg path, .vega-chart svg line, .vega-chart canvas').length,
          // the whole chart fits its place in the grid: nothing cut off, no scrollbar
          overflow: w.scrollWidth - w.clientWidth,
        })),
      );
    assert.ok(charts.length >= 4, `convergence, vocabulary, diversity, category rates: ${charts.length}`);
    assert.ok(
      charts.every((c) => c.state === 'drawn' && c.marks > 0 && c.overflow <= 1),
      JSON.stringify(charts),
    );
    // hovering a mark shows its values in the chart's tooltip (text, from the Vega-Lite encoding)
    const first = p.getByTestId('audit-charts').locator('.vega-wrap').first();
    const box = (await first.locator('.vega-chart svg').boundingBox())!;
    let tip = '';
    for (let x = box.x + 60; x < box.x + box.width - 20 && tip === ''; x += 6) {
      for (const y of [0.3, 0.45, 0.6, 0.75].map((f) => box.y + f * box.height)) {
        await p.mouse.move(x, y);
        tip = (await first.getByTestId('chart-tooltip').isVisible())
          ? await first.getByTestId('chart-tooltip').innerText()
          : '';
        if (tip !== '') break;
      }
    }
    assert.match(tip, /:/, 'a tooltip with field: value lines');
    assert.equal(await p.evaluate(() => (window as unknown as { __csp?: number }).__csp ?? 0), 0);
    await shot(p, '2-overview');
    process.stdout.write(
      `# run overview header painted ${firstPaint} ms after navigation (cold, not a benchmark)\n`,
    );
    await p.close();
  });

  it('shows an alert appended by rlaudit watch on the open overview without a reload', async () => {
    const p = await page();
    await p.goto(`${base}#/run/${WILD7}`);
    await p.getByText('following rlaudit watch (live)').waitFor();
    const a: Alert = {
      v: 1,
      id: `${WILD7}:recurrence:4846`,
      run: WILD7,
      rule: 'recurrence',
      severity: 'alert',
      session: 4846,
      step: null,
      message: `"${PHRASE}" recurred in 7 of the last 20 sessions.`,
      numbers: { count: 7, window: 20 },
      evidence: { sessions: [4846], events: ['e-3'], annotations: [] },
      raisedAt: '2026-12-02T12:00:00Z',
    };
    appendFileSync(alertsLogPath(join(dir, 'x.duckdb')), `${JSON.stringify(a)}\n`);
    await p.getByTestId('alerts').getByText('recurred in 7 of the last 20').waitFor({ timeout: 5000 });
    await p.getByTestId('alerts').scrollIntoViewIfNeeded();
    await shot(p, '2b-overview-live-alert');
    await p.close();
  });

  it('opens a session from a click on its cell of the session index', async () => {
    const p = await page();
    await p.goto(`${base}#/run/${WILD7}/index?from=4790&to=4830`);
    const canvas = p.getByTestId('session-index');
    await canvas.waitFor();
    const size = Number(await canvas.getAttribute('data-cell'));
    assert.equal(await canvas.getAttribute('data-bin'), '1', 'zoomed in: one cell per session');
    await shot(p, '3-session-index-zoomed');
    // the 14th cell is session 4803
    await canvas.click({ position: { x: 13 * size + size / 2, y: size / 2 } });
    await p.waitForURL(/#\/run\/wild-7\/session\/4803$/);
    await p.getByTestId('output').waitFor();
    const api = (await (await fetch(`${base}api/runs/${WILD7}/sessions/4803`)).json()) as { output: string };
    assert.equal(await p.getByTestId('output').innerText(), api.output);
    assert.match(
      await p.getByTestId('same-prompt-total').innerText(),
      /other session\(s\) with the same prompt id/,
    );
    await shot(p, '4-session-detail');
    await p.close();
  });

  it('binned on a whole run, zooms into a bin on click', async () => {
    const p = await page();
    await p.goto(`${base}#/run/${WILD7}/index`);
    const canvas = p.getByTestId('session-index');
    await canvas.waitFor();
    const bin = Number(await canvas.getAttribute('data-bin'));
    assert.ok(bin > 1);
    assert.match(await p.getByTestId('index-caption').innerText(), /binned by \d+ session numbers per cell/);
    await shot(p, '3-session-index');
    await canvas.click({ position: { x: 2, y: 2 } });
    await p.waitForURL(new RegExp(`#/run/wild-7/index\\?from=1&to=${bin}$`));
    await p.close();
  });

  it('zooms and pans the session index by keys, buttons and the wheel, each view a link to share', async () => {
    const p = await page();
    const range = () => {
      const q = new URL(p.url().replace('#/', '')).searchParams;
      return [Number(q.get('from')), Number(q.get('to'))] as const;
    };
    // the caption names the range shown once its cells have come
    const loaded = ([from, to]: readonly [number, number]) =>
      p
        .getByTestId('index-caption')
        .getByText(`sessions ${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')}`)
        .waitFor();
    await p.goto(`${base}#/run/${WILD7}/index?from=3001&to=4000`);
    const canvas = p.getByTestId('session-index');
    await loaded([3001, 4000]);
    await canvas.focus();
    // + zooms in around the cursor's cell (the first: session 3001), ] pans by half the range, − zooms out
    await p.keyboard.press('+');
    await p.waitForURL(/from=3001&to=3500$/);
    await loaded([3001, 3500]);
    await canvas.focus();
    await p.keyboard.press(']');
    await p.waitForURL(/from=3251&to=3750$/);
    await loaded([3251, 3750]);
    await canvas.focus();
    await p.keyboard.press('-');
    await p.waitForURL(/from=3251&to=4250$/);
    await loaded([3251, 4250]);
    assert.match(await p.getByTestId('zoom-extent').innerText(), /showing 3,251–4,250 of 1–12,847/);
    // the wheel zooms in around the cell under the pointer: that session stays inside the new range
    const size = Number(await canvas.getAttribute('data-cell'));
    const cols = Number(await canvas.getAttribute('data-cols'));
    const box = (await canvas.boundingBox())!;
    const cell = 2 * cols + 10; // third row, eleventh cell: session 3251 + cell
    await p.mouse.move(box.x + 10 * size + size / 2, box.y + 2 * size + size / 2);
    await p.mouse.wheel(0, -200);
    await p.waitForURL((u) => !u.hash.endsWith('to=4250'));
    const [a, b] = range();
    assert.equal(b - a + 1, 500, 'one wheel step halves the range');
    assert.ok(a <= 3251 + cell && 3251 + cell <= b, `session ${3251 + cell} stays in view (${a}–${b})`);
    await loaded([a, b]);
    // Shift+wheel pans later; the buttons do the same as the keys
    await p.keyboard.down('Shift');
    await p.mouse.wheel(0, 400);
    await p.keyboard.up('Shift');
    await p.waitForURL((u) => !u.hash.endsWith(`to=${b}`));
    const [c, d] = range();
    assert.ok(c > a && d - c === b - a, 'panned to later sessions, the width kept');
    await loaded([c, d]);
    await p.getByTestId('zoom-controls').getByText('zoom out').click();
    await p.waitForURL((u) => new URL(u.href.replace('#/', '')).searchParams.get('to') !== String(c + 499));
    // a shared link opens the same view; Esc goes back to the whole run (no range in the URL)
    const shared = p.url();
    const q = await page();
    await q.goto(shared);
    await q.getByTestId('zoom-extent').waitFor();
    assert.equal(
      await q.getByTestId('zoom-extent').innerText(),
      await p.getByTestId('zoom-extent').innerText(),
    );
    await q.close();
    await canvas.focus();
    await p.keyboard.press('Escape');
    await p.waitForURL(/#\/run\/wild-7\/index$/);
    await p.close();
  });

  it('colours the index of a run without classification by reward, lowest red to highest green', async () => {
    const p = await page();
    await p.goto(`${base}#/run/${REWARDS_ONLY}/index`);
    await p.getByTestId('reward-legend').waitFor();
    assert.match(
      await p.getByTestId('reward-legend').innerText(),
      /coloured by mean reward,\s+0\.100 →\s+0\.900/,
    );
    // no named function inside: tsx would wrap it in a helper the page does not have
    const [first, last] = await p.evaluate(() => {
      const c = document.querySelector('[data-testid="session-index"]') as HTMLCanvasElement;
      const size = Number(c.dataset.cell) * (window.devicePixelRatio || 1);
      const cols = Number(c.dataset.cols);
      const g = c.getContext('2d')!;
      return [0, 79].map((i) =>
        Array.from(
          g.getImageData((i % cols) * size + size / 2, Math.floor(i / cols) * size + size / 2, 1, 1).data,
        ),
      );
    });
    assert.ok(first![0]! > first![1]!, `session 1 (lowest reward) is red: ${first}`);
    assert.ok(last![1]! > last![0]!, `session 80 (highest reward) is green: ${last}`);
    await shot(p, '3c-session-index-by-reward');
    await p.close();
  });

  it('opens the cluster review of a brushed range with exactly its sessions, sortable', async () => {
    const p = await page();
    await p.goto(`${base}#/run/${WILD7}/index?from=4790&to=4830`);
    const canvas = p.getByTestId('session-index');
    await canvas.waitFor();
    const size = Number(await canvas.getAttribute('data-cell'));
    const box = (await canvas.boundingBox())!;
    await p.mouse.move(box.x + 2 * size + size / 2, box.y + size / 2);
    await p.mouse.down();
    await p.mouse.move(box.x + 5 * size, box.y + size / 2, { steps: 3 });
    await p.mouse.move(box.x + 8 * size + size / 2, box.y + size / 2, { steps: 3 });
    await p.mouse.up();
    await p.waitForURL(/sel=4792-4798/);
    const table = p.getByTestId('review-table');
    await table.locator('tbody tr').first().waitFor();
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((t) => Number(t.getAttribute('data-session'))));
    assert.deepEqual(rows, [4792, 4793, 4794, 4795, 4796, 4797, 4798]);
    assert.match(await p.getByTestId('review-total').innerText(), /^7 sessions/);
    await table.locator('button[data-sort="adjustedReward"]').click();
    await p.waitForFunction(() =>
      document.querySelector('button[data-sort="adjustedReward"]')?.textContent?.includes('▼'),
    );
    await p.waitForTimeout(300);
    const rewards = await table
      .locator('tbody tr td:nth-child(5)')
      .evaluateAll((tds) => tds.map((t) => Number(t.textContent)));
    assert.deepEqual(
      rewards,
      [...rewards].sort((a, b) => b - a),
    );
    await shot(p, '3b-cluster-review');
    await p.close();
  });

  it(`finds "${PHRASE}" in WILD-7's 34 sessions, with the hit timeline`, async () => {
    const p = await page();
    await p.goto(`${base}#/run/${WILD7}/search?q=${enc(PHRASE)}`);
    await p.getByTestId('search-summary').waitFor();
    assert.match(await p.getByTestId('search-summary').innerText(), /^34 sessions with a hit/);
    assert.equal(await p.getByTestId('search-hits').locator('tbody tr').count(), 34);
    assert.equal(await p.locator('.linechart polyline').count(), 1);
    await shot(p, '5-search');
    await p.close();
  });

  it('compares two runs on the same curves, drawing both', async () => {
    const p = await page();
    await p.goto(`${base}#/compare?runs=${WILD7},${SECOND}`);
    const chart = p.getByTestId('compare-adjusted-reward');
    await chart.waitFor();
    const drawn = await chart
      .locator('g.series')
      .evaluateAll((gs) =>
        gs.map((g) => ({ run: g.getAttribute('data-series'), points: g.querySelectorAll('circle').length })),
      );
    assert.deepEqual(drawn, [
      { run: WILD7, points: 26 },
      { run: SECOND, points: 6 },
    ]);
    await shot(p, '6-compare');
    await p.close();
  });

  it('renders the report with every evidence id a link to its session', async () => {
    const p = await page();
    await p.goto(`${base}#/run/${WILD7}/report`);
    const report = p.getByTestId('report');
    await report.waitFor();
    const links = report.locator('a.ev-link');
    assert.ok((await links.count()) > 10);
    const target = await links.first().getAttribute('href');
    assert.match(target ?? '', /^#\/run\/wild-7\/session\/\d+$/);
    await shot(p, '7-report');
    // a section's link scrolls to it when opened from elsewhere
    const q = await page();
    await q.goto(`${base}#/run/${WILD7}/report?s=length-drift`);
    await q.getByTestId('report').waitFor();
    await q.waitForFunction(() => {
      const r = document.getElementById('sec-length-drift')?.getBoundingClientRect();
      return r !== undefined && r.top >= 0 && r.top < 120;
    });
    await q.close();
    await links.first().click();
    await p.waitForURL(new RegExp(`${target!.replace(/[/#]/g, '\\$&')}$`));
    await p.getByTestId('output').waitFor();
    await p.close();
  });

  it('pages a long report table instead of cutting it, and draws a chart of many points on a canvas', async () => {
    const p = await page();
    // a report whose table has 250 rows and a chart 5,000 points (the simulated runs' are smaller): the API
    // answer replaced
    const real = (await (await fetch(`${base}api/runs/${WILD7}/report`)).json()) as {
      report: { sections: { tables: unknown[]; charts: unknown[] }[] };
    };
    const rows = Array.from({ length: 250 }, (_, i) => [i + 1, `row ${i + 1}`]);
    real.report.sections[0]!.tables = [{ title: 'Long table', columns: ['session', 'label'], rows }];
    const big = await dashboardChart({
      id: 'many-points',
      title: 'Many points',
      caption: 'one point per session',
      kind: 'vega-lite',
      spec: {
        width: 600,
        height: 200,
        data: { values: Array.from({ length: 5000 }, (_, i) => ({ session: i + 1, reward: (i % 97) / 97 })) },
        mark: 'point',
        encoding: {
          x: { field: 'session', type: 'quantitative' },
          y: { field: 'reward', type: 'quantitative' },
        },
      },
    });
    assert.equal(big.kind === 'vega' && big.renderer, 'canvas');
    real.report.sections[0]!.charts = [big];
    await p.route('**/api/runs/wild-7/report', (route) => route.fulfill({ json: real }));
    await p.goto(`${base}#/run/${WILD7}/report`);
    const table = p.getByTestId('report-table').filter({ hasText: 'Long table' });
    await table.waitFor();
    const shown = async () =>
      table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.lastElementChild?.textContent));
    assert.deepEqual(
      await shown(),
      rows.slice(0, 100).map((r) => r[1]),
    );
    assert.match(await table.getByTestId('table-pager').innerText(), /rows 1–100 of 250 \(page 1 of 3\)/);
    await table.getByText('next →').click();
    await table.getByText('next →').click();
    assert.deepEqual(
      await shown(),
      rows.slice(200).map((r) => r[1]),
    );
    assert.match(await table.getByTestId('table-pager').innerText(), /rows 201–250 of 250/);
    assert.ok(await table.getByText('next →').isDisabled());
    await table.getByText('← previous').click();
    assert.equal((await shown())[0], 'row 101');
    const chart = p.locator('[data-chart="many-points"] .vega-wrap');
    await chart.scrollIntoViewIfNeeded();
    await p.locator('[data-chart="many-points"] .vega-wrap[data-state="drawn"]').waitFor();
    assert.equal(await chart.getAttribute('data-renderer'), 'canvas');
    assert.equal(await chart.locator('canvas').count(), 1);
    assert.equal(await chart.locator('svg').count(), 0);
    await shot(p, '7b-report-canvas-chart');
    await p.close();
  });

  it('is driven by the keyboard: pages by number, sessions by arrows, the index by arrows and Enter', async () => {
    const p = await page();
    await p.goto(`${base}#/run/${WILD7}/session/4803`);
    await p.getByTestId('output').waitFor();
    await p.keyboard.press('ArrowRight');
    await p.waitForURL(/session\/4804$/);
    await p.getByText('Session 4,804').waitFor();
    await p.keyboard.press('k');
    await p.waitForURL(/session\/4803$/);
    await p.keyboard.press('2');
    await p.waitForURL(/#\/run\/wild-7$/);
    await p.keyboard.press('3');
    await p.waitForURL(/#\/run\/wild-7\/index$/);
    const canvas = p.getByTestId('session-index');
    await canvas.waitFor();
    await canvas.focus();
    await p.keyboard.press('ArrowRight');
    await p.keyboard.press('Enter');
    await p.waitForURL(/index\?from=\d+&to=\d+$/);
    await canvas.waitFor();
    await p.waitForFunction(
      () => document.querySelector('[data-testid="session-index"]')?.getAttribute('data-bin') === '1',
    );
    await canvas.focus();
    await p.keyboard.press('Shift+ArrowRight');
    await p.keyboard.press('Shift+ArrowRight');
    await p.keyboard.press('Enter');
    await p.waitForURL(/sel=\d+-\d+$/);
    await p.getByTestId('review-table').locator('tbody tr').first().waitFor();
    assert.equal(await p.getByTestId('review-table').locator('tbody tr').count(), 3);
    await p.getByTestId('review-table').focus();
    await p.keyboard.press('j');
    await p.keyboard.press('Enter');
    await p.waitForURL(/session\/\d+$/);
    await p.keyboard.press('/');
    await p.waitForURL(/search$/);
    await p.waitForFunction(() => document.activeElement?.id === 'search-input');
    await p.keyboard.type(PHRASE);
    await p.keyboard.press('Enter');
    await p.getByTestId('search-summary').waitFor();
    await p.close();
  });

  it('asks once for the token of a guarded server and then loads', async () => {
    const p = await page();
    await p.goto(`${guarded.url}#/`);
    await p.getByTestId('token-input').fill('wrong-token-wrong-token');
    await p.keyboard.press('Enter');
    await p.getByTestId('token-input').waitFor();
    await p.getByTestId('token-input').fill(TOKEN);
    await p.keyboard.press('Enter');
    await p.getByTestId('runs-table').waitFor();
    await p.close();
    problems.splice(0); // the two 401s above are the point of this test
  });

  it('runs nothing and breaks no layout on any page of a run full of hostile text', async () => {
    const run = enc(HOSTILE_RUN);
    const pages: [string, string][] = [
      ['x-runs', '#/'],
      ['x-overview', `#/run/${run}`],
      ['x-index', `#/run/${run}/index`],
      ['x-review', `#/run/${run}/review?from=1&to=40`],
      ['x-session-mega-line', `#/run/${run}/session/5`],
      ['x-session-annotated', `#/run/${run}/session/9`],
      ['x-session-event', `#/run/${run}/session/120`],
      ['x-search', `#/run/${run}/search?q=${enc(PHRASE)}`],
      ['x-search-annotations', `#/run/${run}/search?q=${enc('onerror')}&field=annotation`],
      ['x-report', `#/run/${run}/report`],
      ['x-compare', `#/compare?runs=${run},${WILD7}`],
    ];
    const p = await page();
    for (const [name, hash] of pages) {
      await p.goto(`${base}${hash}`);
      // every part of the page loaded (the checks below are about what it shows, not a spinner)
      await p.waitForFunction(
        () => document.querySelector('main') && !document.querySelector('.loading'),
        null,
        {
          timeout: 30_000,
        },
      );
      await p.waitForTimeout(150);
      const state = await p.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
        scripts: Array.from(document.scripts).map((s) => s.src.replace(location.origin, '')),
        foreign: document.querySelectorAll('iframe, object, embed, svg a, style, link[rel=stylesheet]')
          .length,
        images: Array.from(document.images).map((i) => i.src.slice(0, 5)),
        javascriptLinks: Array.from(document.querySelectorAll('a')).filter((a) =>
          a.href.startsWith('javascript:'),
        ).length,
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        visible: document.body.offsetHeight > 0 && getComputedStyle(document.body).display !== 'none',
        error: document.querySelector('.error')?.textContent ?? null,
      }));
      assert.equal(state.pwned, null, `${name}: no injected script ran`);
      assert.equal(state.scripts.length, 1, `${name}: only the app's script`);
      assert.ok(state.scripts[0]!.startsWith('/assets/'), name);
      assert.equal(state.foreign, 1, `${name}: only the app's own stylesheet link, no injected element`);
      assert.ok(
        state.images.every((s) => s === 'blob:'),
        `${name}: images are the server's charts only`,
      );
      assert.equal(state.javascriptLinks, 0, name);
      assert.ok(state.overflow <= 1, `${name}: nothing wider than the window (${state.overflow} px)`);
      assert.ok(state.visible, `${name}: an injected </style> did not hide the page`);
      assert.equal(state.error, null, `${name}: the page loaded`);
      await shot(p, name);
    }
    // the hostile strings are on screen as text, bidi overrides as visible code points
    await p.goto(`${base}#/run/${run}/session/9`);
    await p.getByTestId('annotations').waitFor();
    const text = await p.locator('main').innerText();
    assert.ok(text.includes('<img src=x onerror="window.__pwned=4">'));
    assert.ok(text.includes('U+202E'));
    // the 1 MB line: its first 20,000 characters, then the whole of it on request, wrapped inside its box
    await p.goto(`${base}#/run/${run}/session/5`);
    await p.getByTestId('show-all').waitFor();
    assert.match(await p.locator('.cut').innerText(), /showing the first 20,000 of 1,048,576 characters/);
    await p.getByTestId('show-all').click();
    await p.waitForFunction(
      () => (document.querySelector('[data-testid="output"]')?.textContent?.length ?? 0) >= 1_048_576,
      null,
      { timeout: 60_000 },
    );
    const mega = await p.evaluate(() => {
      const box = document.querySelector('[data-testid="output"]') as HTMLElement;
      return {
        width: box.scrollWidth,
        client: box.clientWidth,
        page: document.documentElement.scrollWidth - innerWidth,
      };
    });
    assert.ok(mega.width <= mega.client + 1, 'the megabyte line wraps inside its box');
    assert.ok(mega.page <= 1, 'and the page does not widen');
    await p.close();
    assert.deepEqual(problems, []);
  });
});
