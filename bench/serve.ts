// npm run bench -- serve [--sessions N] [--runs N]: the dashboard's two timings of issue 14, in a real
// headless Chromium against `rlaudit serve` (in-process, the built SPA):
//   1. first meaningful paint of the WILD-7 run overview: navigation start → the run's header and its reward
//      and category curves drawn (the audit's charts, drawn by Vega in the browser, come after; timed apart);
//   2. the session index of a run of N sessions (default 1,000,000; binned on the server): navigation start →
//      the canvas drawn with its cells.
// Each is timed `runs` times (default 5) after one warm-up load; the first (cold: the database opened for
// the first request, nothing cached) is printed apart. The databases are built once under bench/out/.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { buildWeb } from '../scripts/build-web.mjs';
import { runAudit } from '../src/audit/run-audit.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../src/report/render-pdf.ts';
import { startDashboard } from '../src/server/dashboard/server.ts';
import { simulate } from '../src/simulate/simulate.ts';
import { duckDbDashboardReads } from '../src/store/duckdb/duckdb-dashboard.ts';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../src/store/ingest.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function ensure(path: string, build: (store: DuckDbStore) => Promise<void>): Promise<void> {
  if (existsSync(path)) return;
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  const store = await DuckDbStore.open(partial);
  try {
    await build(store);
  } finally {
    await store.close();
  }
  const { renameSync } = await import('node:fs');
  renameSync(partial, path);
}

async function timeLoads(page: Page, url: string, ready: (p: Page) => Promise<void>, runs: number) {
  const once = async () => {
    await page.goto('about:blank');
    const t = performance.now();
    await page.goto(url);
    await ready(page);
    return performance.now() - t;
  };
  const cold = await once();
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) warm.push(await once());
  return { cold, warm };
}

export async function benchServe(outDir: string, sessions: number, runs: number): Promise<void> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`serve benchmark: no Chromium at ${CHROMIUM_PATH}`);
  const wild = join(outDir, 'serve-wild7.duckdb');
  const big = join(outDir, `serve-${sessions}.duckdb`);
  let t = performance.now();
  await ensure(wild, async (store) => {
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7 }), {
      name: 'wild-7.jsonl',
      run: 'wild-7',
    });
    await runAudit(store, { run: 'wild-7', template: 'wild-7', operations: false });
  });
  await ensure(big, async (store) => {
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 11, sessions }), {
      name: 'big.jsonl',
      run: 'big',
    });
  });
  console.log(`databases ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  const web = await buildWeb(join(outDir, 'serve-web'));
  console.log(`SPA built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    for (const [db, label, hash, ready] of [
      [
        wild,
        'WILD-7 run overview, first meaningful paint (header + reward and category curves)',
        '#/run/wild-7',
        async (p: Page) => {
          await p.getByTestId('run-head').waitFor();
          await p.locator('.linechart polyline').nth(1).waitFor();
        },
      ],
      [
        wild,
        "WILD-7 run overview with the audit's charts (drawn by Vega in the browser, scrolled to)",
        '#/run/wild-7',
        async (p: Page) => {
          // drawn in the browser by Vega when scrolled near: scroll to them as a reader would
          await p.getByTestId('audit-charts').scrollIntoViewIfNeeded();
          await p.getByTestId('audit-charts').locator('.vega-wrap[data-state="drawn"]').nth(3).waitFor();
        },
      ],
      [
        big,
        `session index of a ${sessions.toLocaleString('en-US')}-session run (binned on the server, canvas drawn)`,
        '#/run/big/index',
        async (p: Page) => {
          await p.waitForFunction(
            () =>
              Number(document.querySelector('[data-testid="session-index"]')?.getAttribute('data-cells')) > 0,
          );
        },
      ],
    ] as const) {
      const open = async () => {
        const store = await DuckDbStore.open(db, { readOnly: true });
        return { store, reads: duckDbDashboardReads(store.client) };
      };
      const server = await startDashboard({ dbPath: db, open, host: '127.0.0.1', port: 0, webRoot: web });
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const r = await timeLoads(page, `${server.url}${hash}`, ready, runs);
      console.log(
        `${label}: cold ${r.cold.toFixed(0)} ms; warm median ${median(r.warm).toFixed(0)} ms ` +
          `(min ${Math.min(...r.warm).toFixed(0)}, max ${Math.max(...r.warm).toFixed(0)}, ${runs} loads)`,
      );
      await page.close();
      await server.close();
    }
  } finally {
    await browser.close();
  }
}
