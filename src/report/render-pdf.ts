import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Debian's Chromium; rlaudit never downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.RLAUDIT_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Prints the HTML report to PDF with headless Chromium (A4, backgrounds on). Throws when Chromium is not
 * installed; callers check `chromiumAvailable()` first and skip with a message.
 */
export async function renderPdf(html: string, path: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({
      path,
      format: 'A4',
      printBackground: true,
      margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' },
    });
  } finally {
    await browser.close();
  }
}
