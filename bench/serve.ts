// npm run bench -- serve [--sessions N] [--runs N]: the dashboard's two timings of issue 14, in a real
// headless Chromium against `rlaudit serve` (in-process, the built SPA):
//   1. first meaningful paint of the WILD-7 run overview: navigation start → the run's header and its reward
//      and category curves drawn (the audit's charts, drawn by Vega in the browser, come after; timed apart);
//   2. the session index of a run of N sessions (default 1,000,000; binned on the server): navigation start →
//      the canvas drawn with its cells.
// The server is the built CLI a user runs (`node bin/rlaudit.js --db DB serve --port 0`, dist/ rebuilt first
// when stale), a process of its own, so that neither tsx's on-the-fly compiling nor this process's Playwright
// client is in its timings. Each page is timed `runs` times after a first load; that first load (cold: a
// server process just started, the database opened for its first request, nothing cached in the server or
// in the page) is printed apart. The browser is running already (it has shown another page), as a user's is
// when they open the dashboard's link; its own start is not counted. The databases are built once under
// bench/out/.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { runAudit } from '../src/audit/run-audit.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../src/report/render-pdf.ts';
import { simulate } from '../src/simulate/simulate.ts';
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
  // the CLI runs dist/ only when it is a current build of src/ (bin/rlaudit.js); make sure it is
  const root = fileURLToPath(new URL('..', import.meta.url));
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'ignore' });
  if (built.status !== 0) throw new Error('serve benchmark: npm run build failed');
  console.log(`dist/ and its web app built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    // the browser has shown a page before, as a user's has
    const first = await browser.newPage();
    await first.goto('data:text/html,<p>another page</p>');
    await first.close();
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
      const server = await startServe(root, db);
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

/** `rlaudit --db DB serve --port 0` as a process of its own; resolves with its URL once it listens. */
async function startServe(root: string, db: string): Promise<{ url: string; close(): Promise<void> }> {
  const proc: ChildProcess = spawn(
    process.execPath,
    [join(root, 'bin', 'rlaudit.js'), '--db', db, 'serve', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RLAUDIT_FROM_SOURCE: '' } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`rlaudit serve exited with ${code} before listening: ${out}`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGINT');
      }),
  };
}
