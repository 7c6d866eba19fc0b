#!/usr/bin/env node
// The whole test suite: type-check, lint, then every test/**/*.test.ts under Node's built-in runner.
// Node 20's `--test` does not expand globs, so the file list is built here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/**
 * The HTML report's safety tests drive a real headless Chromium (Debian's package; no browser download).
 * On a fresh machine, install it when we can (root with apt-get); otherwise those tests say they skip.
 */
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || spawnSync('which', ['apt-get']).status !== 0) {
    console.warn('chromium not found and cannot be installed here: the browser tests will be skipped');
    return;
  }
  console.log('installing Debian chromium for the browser tests (apt-get) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0) console.warn('apt-get install chromium failed: the browser tests will be skipped');
}

/**
 * The Python trainer adapters (integrations/python) are tested with Debian's python3 against the real reward
 * service (test/integrations/python-adapters.test.ts). On a fresh machine, install it like chromium.
 */
function ensurePython3() {
  if (spawnSync('python3', ['--version']).status === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || spawnSync('which', ['apt-get']).status !== 0) {
    console.warn('python3 not found and cannot be installed here: the Python adapter tests will be skipped');
    return;
  }
  console.log('installing Debian python3 for the Python adapter tests (apt-get) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3'], {
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0)
    console.warn('apt-get install python3 failed: the Python adapter tests will be skipped');
}

const only = process.argv.slice(2);
if (only.length === 0) {
  ensureChromium();
  ensurePython3();
  run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
  run('npx', ['biome', 'check', '.']);
}
const files = only.length > 0 ? only : findTests('test');
// The `rlaudit-source` condition makes the package's self-reference ('rlaudit') resolve to src/index.ts, not to
// the compiled dist/, so tests always run the sources as they are (tsconfig.json's customConditions likewise).
run(process.execPath, [
  '--conditions=rlaudit-source',
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-reporter=spec',
  ...files,
]);
