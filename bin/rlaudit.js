#!/usr/bin/env node
// @ts-check
// Entry point for `npx rlaudit`. Runs the compiled dist/ when it is a current build of src/ (it starts in about
// 0.2 s); otherwise — never built, or src/ edited since the build — the TypeScript sources through tsx, which
// compiles at every start (2–4 s) but never runs stale code. `npm ci` builds dist/ (the `prepare` script);
// `npm run build` rebuilds it. RLAUDIT_FROM_SOURCE=1 forces the sources. Measured in docs/benchmarks.md.
import { fileURLToPath } from 'node:url';
import { buildStaleness } from './build-staleness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const forced = process.env.RLAUDIT_FROM_SOURCE === '1';
const stale = forced ? 'RLAUDIT_FROM_SOURCE=1' : buildStaleness(root);

// Entry modules by URL, not by literal specifier, so type-checking this file never depends on dist/ existing.
if (stale === null) {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
} else {
  // Only a terminal hears why it is slow: piped output (tests, scripts) stays exactly the command's own.
  if (!forced && process.stderr.isTTY) {
    process.stderr.write(
      `rlaudit: ${stale}; running src/ through tsx (slow start; npm run build compiles it)\n`,
    );
  }
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write(
      `rlaudit: ${stale}, and tsx is not installed to run the sources: run npm run build\n`,
    );
    process.exit(3);
  }
  tsx.register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
