#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` and `npm pack` run it): compiles src/ to dist/ with tsc, copies
// the files src/ reads at run time next to the compiled ones (YAML templates and protocols: every non-.ts file),
// builds the dashboard (web/ → dist/web, scripts/build-web.mjs), then writes dist/.build-stamp, which bin/rlaudit.js compares with src/ to decide whether dist/ is current.
// Plain JavaScript so that it runs before anything is compiled and without tsx.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP, sourceFiles } from '../bin/build-staleness.js';
import { buildWeb } from './build-web.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

// Taken before tsc reads anything: a source saved while the build runs is newer than the stamp, so it counts as
// not built.
const builtAt = Date.now();
const sources = sourceFiles(root)?.map((f) => f.path) ?? [];
rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  // dist/ stays without its stamp, so the bin keeps running the sources through tsx
  console.error('rlaudit build: tsc failed; dist/ is incomplete and will not be used');
  process.exit(r.status ?? 1);
}

const assets = sources.filter((path) => !path.endsWith('.ts'));
for (const path of assets) {
  mkdirSync(dirname(join(dist, path)), { recursive: true });
  copyFileSync(join(src, path), join(dist, path));
}

// the dashboard's single-page app (web/, Vite + Preact) into dist/web, which `rlaudit serve` serves
await buildWeb(join(dist, 'web'));

writeFileSync(
  join(dist, STAMP),
  `${JSON.stringify({ builtAt, builtAtIso: new Date(builtAt).toISOString(), sources }, null, 1)}\n`,
);
console.log(
  `rlaudit build: dist/ compiled from src/ (${assets.length} assets copied) in ${((Date.now() - builtAt) / 1000).toFixed(1)} s`,
);
