// npm run bench -- serve [--sessions N] [--runs N]: the dashboard's two timings of issue 14, in a real
// headless Chromium against `rlaudit serve` (in-process, the built SPA):
//   1. first meaningful paint of the WILD-7 run overview: navigation start → the run's header and its reward
//      and category curves drawn (the audit's charts, drawn by Vega in the browser, come after; timed apart);
//   2. the session index of a run of N sessions (default 1,000,000; binned on the server): navigation start →
//      the canvas drawn with its cells.
// The server is the built CLI a user runs (`node bin/rlaudit.js --db DB serve --port 0`, dist/ rebuilt first
// when stale), a process of its own, so that neither tsx's on-the-fly compiling nor this process's Playwright
// client is in its timings. Each timing is the page's own clock (as the browser's paint metrics are): from
// its navigation start to the animation frame that paints what is waited for, marked by a script installed
// before the page's own (`markDrawn`); the time from Playwright's `goto` to Playwright seeing it (its polling
// and the blank page's unload included) is printed beside it. Cold: a server process just started and a new
// page, three times, each against a server of its own (median and all three printed); warm: `runs` more
// loads of the last. The browser is running already (it has shown another page), as a user's is when they
// open the dashboard's link. The databases are built once under bench/out/.
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

/** Cold loads per page, each against a server process of its own. */
const COLD_TRIALS = 3;

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

/** What a page must show to count as drawn, checked in the page at each change of its DOM. */
type Drawn = 'overview' | 'charts' | 'index';

/**
 * Installed in every page before its scripts: once `drawn` holds, the next animation frame (the one that
 * paints it) stores the page's clock — milliseconds since its navigation started — in `window.__drawnAt`.
 * Plain text, not a function: tsx would add helpers to a function's source that the page does not have.
 */
function markDrawn(drawn: Drawn): string {
  const holds = {
    overview:
      'document.querySelector(\'[data-testid="run-head"]\') !== null && ' +
      "document.querySelectorAll('.linechart polyline').length >= 2",
    charts:
      'document.querySelectorAll(\'[data-testid="audit-charts"] .vega-wrap[data-state="drawn"]\').length >= 4',
    index:
      "Number(document.querySelector('[data-testid=\"session-index\"]')?.getAttribute('data-cells')) > 0",
  }[drawn];
  return `(() => {
    let seen = false;
    const observer = new MutationObserver(() => {
      if (seen || !(${holds})) return;
      seen = true;
      observer.disconnect();
      requestAnimationFrame(() => { window.__drawnAt = performance.now(); });
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true });
  })();`;
}

interface Load {
  /** The page's own clock: navigation start → the frame that paints what `drawn` asks for. */
  readonly page: number;
  /** This process's clock: the `goto` call → Playwright seeing it (its own overhead included). */
  readonly outer: number;
}

async function loadOnce(page: Page, url: string, before: (p: Page) => Promise<void>): Promise<Load> {
  await page.goto('about:blank');
  const t = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await before(page);
  await page.waitForFunction(
    () => (window as unknown as { __drawnAt?: number }).__drawnAt !== undefined,
    null,
    {
      polling: 'raf',
    },
  );
  const outer = performance.now() - t;
  const at = await page.evaluate(() => (window as unknown as { __drawnAt: number }).__drawnAt);
  return { page: at, outer };
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
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    stdio: 'ignore',
  });
  if (built.status !== 0) throw new Error('serve benchmark: npm run build failed');
  console.log(`dist/ and its web app built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    // the browser has shown a page before, as a user's has
    const first = await browser.newPage();
    await first.goto('data:text/html,<p>another page</p>');
    await first.close();
    const pages: readonly [string, string, string, Drawn, (p: Page) => Promise<void>][] = [
      [
        wild,
        'WILD-7 run overview, first meaningful paint (header + reward and category curves)',
        '#/run/wild-7',
        'overview',
        async () => undefined,
      ],
      [
        wild,
        "WILD-7 run overview with the audit's charts (drawn by Vega in the browser, scrolled to)",
        '#/run/wild-7',
        'charts',
        // drawn in the browser by Vega when scrolled near: scroll to them as a reader would
        async (p: Page) => p.getByTestId('audit-charts').scrollIntoViewIfNeeded(),
      ],
      [
        big,
        `session index of a ${sessions.toLocaleString('en-US')}-session run (binned on the server, canvas drawn)`,
        '#/run/big/index',
        'index',
        async () => undefined,
      ],
    ];
    const ms = (xs: readonly number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    for (const [db, label, hash, drawn, before] of pages) {
      // cold: a server process just started, a new page; three times, each with its own server
      const cold: Load[] = [];
      let warm: Load[] = [];
      for (let trial = 0; trial < COLD_TRIALS; trial++) {
        const server = await startServe(root, db);
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.addInitScript({ content: markDrawn(drawn) });
        cold.push(await loadOnce(page, `${server.url}${hash}`, before));
        if (trial === COLD_TRIALS - 1) {
          warm = [];
          for (let i = 0; i < runs; i++) warm.push(await loadOnce(page, `${server.url}${hash}`, before));
        }
        await page.close();
        await server.close();
      }
      const coldPage = cold.map((l) => l.page);
      const warmPage = warm.map((l) => l.page);
      console.log(
        `${label}:\n  navigation start → painted (the page's clock): cold median ${median(coldPage).toFixed(0)} ms ` +
          `(${ms(coldPage)}); warm median ${median(warmPage).toFixed(0)} ms (min ${Math.min(...warmPage).toFixed(0)}, ` +
          `max ${Math.max(...warmPage).toFixed(0)}, ${runs} loads)\n  goto → seen by Playwright: cold ${ms(cold.map((l) => l.outer))} ms; ` +
          `warm median ${median(warm.map((l) => l.outer)).toFixed(0)} ms`,
      );
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
    proc.once('exit', (code) =>
      reject(new Error(`rlaudit serve exited with ${code} before listening: ${out}`)),
    );
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
