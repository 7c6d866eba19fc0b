#!/usr/bin/env node
// Builds the dashboard's single-page app (web/: Preact + TypeScript) with Vite into an output directory
// (dist/web by default), after type-checking it. `npm run build` runs it; the browser tests call
// `buildWeb(dir)` to build into a temporary directory.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Type-checks web/ and bundles it into `outDir`; throws when either fails. */
export async function buildWeb(outDir = join(root, 'dist', 'web')) {
  outDir = resolve(outDir);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'web', 'tsconfig.json')], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('rlaudit build: the dashboard (web/) does not type-check');
  const { build } = await import('vite');
  await build({
    root: join(root, 'web'),
    configFile: false,
    logLevel: 'warn',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir,
      emptyOutDir: true,
      // no inline script or style: the server's Content-Security-Policy forbids them
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      sourcemap: false,
      reportCompressedSize: false,
      // Vega's runtime (the report's charts) is one chunk of ~540 kB, loaded only when a chart is shown
      chunkSizeWarningLimit: 600,
    },
  });
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const out = await buildWeb(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(
    `rlaudit build: dashboard built into ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
