import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const first = await browser.newPage(); await first.goto('data:text/html,<p>x</p>'); await first.close();
const srv = spawn('node', ['bin/rlaudit.js', '--db', '/work/main/bench/out/serve-wild7.duckdb', 'serve', '--port', '7499'], { stdio: 'pipe' });
await new Promise((r) => srv.stdout.once('data', r));
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.addInitScript(() => {
  const w = window as any; w.__marks = [];
  new MutationObserver(() => {
    if (!w.__head && document.querySelector('[data-testid="run-head"]')) { w.__head = performance.now(); }
    if (!w.__curves && document.querySelectorAll('.linechart polyline').length >= 2) { w.__curves = performance.now(); }
  }).observe(document, { subtree: true, childList: true });
});
for (let k = 0; k < 4; k++) {
  await page.goto('about:blank');
  const t0 = performance.now();
  await page.goto('http://127.0.0.1:7499/#/run/wild-7');
  await page.locator('.linechart polyline').nth(1).waitFor();
  const outer = performance.now() - t0;
  const r = await page.evaluate(() => {
    const w = window as any;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const res = performance.getEntriesByType('resource').map((e: any) => `${e.name.replace(location.origin, '').slice(0, 28)} ${e.startTime.toFixed(0)}→${e.responseEnd.toFixed(0)}`);
    return { nav: `doc ${nav.requestStart.toFixed(0)}→${nav.responseEnd.toFixed(0)} dcl ${nav.domContentLoadedEventEnd.toFixed(0)}`, res, head: w.__head?.toFixed(0), curves: w.__curves?.toFixed(0) };
  });
  console.log(`outer ${outer.toFixed(0)} | ${r.nav} | head ${r.head} curves ${r.curves}\n   ${r.res.join(' | ')}`);
}
srv.kill(); await browser.close();
