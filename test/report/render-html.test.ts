/// <reference lib="dom" />
// page.evaluate callbacks run in the browser: the DOM types are for them only
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { renderHtml } from '../../src/report/render-html.ts';
import { renderMarkdown } from '../../src/report/render-markdown.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../src/report/render-pdf.ts';
import { HOSTILE, hostileReport } from '../util/report-fixture.ts';

describe('the HTML report with hostile model outputs and annotations', () => {
  const html = renderHtml(hostileReport());

  it('contains no markup from the untrusted text', () => {
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /href="javascript:/i);
    assert.equal((html.match(/<style>/g) ?? []).length, 1, 'only our own <style> element');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  it('shows bidirectional and other control characters as visible code points', () => {
    assert.match(html, /<span class="ctl">U\+202E<\/span>/);
    assert.match(html, /<span class="ctl">U\+0000<\/span>/);
    assert.ok(!html.includes('\u202E'));
  });

  describe('in a real headless Chromium', {
    skip: !existsSync(CHROMIUM_PATH) && `no Chromium at ${CHROMIUM_PATH}`,
  }, () => {
    let browser: Browser;
    before(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    });
    after(async () => {
      await browser?.close();
    });

    it('runs no script and shows every hostile string as text', async () => {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.setContent(html, { waitUntil: 'load' });
      await page.waitForTimeout(200);
      const state = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
        scripts: document.scripts.length,
        images: document.images.length,
        visible: document.body.offsetHeight > 0,
        text: document.body.textContent ?? '',
      }));
      assert.equal(state.pwned, null, 'no injected script ran');
      assert.equal(state.scripts, 0);
      assert.equal(state.images, 0);
      assert.ok(state.visible, 'an injected </style> did not hide the page');
      assert.deepEqual(dialogs, []);
      for (const h of [HOSTILE[0], HOSTILE[1], HOSTILE[2]])
        assert.ok(state.text.includes(h), `shown as text: ${h}`);
      await page.close();
    });

    it('follows an evidence link to the session excerpt', async () => {
      const page = await browser.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      const href = await page.getAttribute('a[href="#s-1"]', 'href');
      assert.equal(href, '#s-1');
      assert.equal(await page.locator('#s-1').count(), 1);
      await page.close();
    });
  });
});

describe('the Markdown report with hostile text', () => {
  it('escapes markup outside code fences and keeps fenced outputs closed', () => {
    const md = renderMarkdown(hostileReport());
    // inside a fence, text is literal in every Markdown renderer; outside, markup must be escaped
    const outsideFences = md.replace(/^```text\n[\s\S]*?^```$/gm, '');
    assert.doesNotMatch(outsideFences, /<script>/);
    assert.match(outsideFences, /\\<script\\>/);
    const fences = md.split('\n').filter((l) => l.startsWith('```')).length;
    assert.equal(fences % 2, 0, 'every fence is closed');
  });
});

describe('a report that fits its run', () => {
  const report = hostileReport();
  const html = renderHtml(report);
  const markdown = renderMarkdown(report);

  it('shows a section that does not apply as its heading and one line saying why, escaped', () => {
    const section = html.slice(html.indexOf('id="sec-adjustment-history"'));
    const body = section.slice(0, section.indexOf('</section>'));
    assert.equal((body.match(/Not applicable: /g) ?? []).length, 1);
    assert.doesNotMatch(body, /<table|<figure|Section status/);
    assert.doesNotMatch(body, /<script/i);
    assert.match(markdown, /## 2\. History .*\n\nNot applicable: nothing here .*\.\n\n## Session excerpts/);
  });

  it('shows the severity of each headline finding', () => {
    assert.match(
      html,
      /<li><span class="badge sev-warning">warning<\/span><a href="#f-calibration\.cluster\.1">/,
    );
    assert.match(markdown, /^1\. \*\*WARNING\*\* The output/m);
  });

  it('lists every ingested file with its format and counts', () => {
    assert.match(
      html,
      /<th>file<\/th><th>format<\/th><th>rows in run<\/th><th>read<\/th><th>accepted<\/th><th>rejected<\/th><th>duplicates<\/th>/,
    );
    assert.match(
      html,
      /<td class="n">3<\/td><td class="n">2<\/td><td class="n">1<\/td><td class="n">0<\/td>/,
    );
    assert.match(
      markdown,
      /\| file \| format \| rows in run \| read \| accepted \| rejected \| duplicates \| conflicts \| ingested \| sha256 \|/,
    );
    assert.match(markdown, /\| 2 \| 3 \| 2 \| 1 \| 0 \| 0 \| 2026-01-01T00:00:00\.000Z \|/);
  });
});
