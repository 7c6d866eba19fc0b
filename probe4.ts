import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const first = await browser.newPage(); await first.goto('data:text/html,<p>x</p>'); await first.close();
for (let trial = 0; trial < 3; trial++) {
const srv = spawn('node', ['bin/rlaudit.js', '--db', '/work/main/bench/out/serve-wild7.duckdb', 'serve', '--port', '7499'], { stdio: 'pipe' });
await new Promise((r) => srv.stdout.once('data', r));
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
for (let k = 0; k < 2; k++) {
  await page.goto('about:blank');
  const t0 = performance.now();
  const log: string[] = [];
  const onReq = (r: any) => log.push(`${(performance.now() - t0).toFixed(0)} req ${r.url().replace('http://127.0.0.1:7499', '').slice(0,40)}`);
  const onRes = (r: any) => log.push(`${(performance.now() - t0).toFixed(0)} res ${r.url().replace('http://127.0.0.1:7499', '').slice(0,40)}`);
  page.on('request', onReq); page.on('requestfinished', onRes);
  await page.goto('http://127.0.0.1:7499/#/run/wild-7');
  log.push(`${(performance.now() - t0).toFixed(0)} goto done`);
  await page.getByTestId('run-head').waitFor();
  log.push(`${(performance.now() - t0).toFixed(0)} head`);
  await page.locator('.linechart polyline').nth(1).waitFor();
  log.push(`${(performance.now() - t0).toFixed(0)} curves`);
  page.off('request', onReq); page.off('requestfinished', onRes);
  console.log(log.join(' | ')); 
}
console.log('---');
await page.close();
srv.kill(); await new Promise((r) => setTimeout(r, 300));
}
await browser.close();
