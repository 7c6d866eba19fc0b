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
 * Installs a Debian package that some tests need, on a fresh machine, when we can (root with apt-get);
 * otherwise those tests say they skip.
 */
function ensureDebianPackage(present, pkg, tests) {
  if (present()) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || spawnSync('which', ['apt-get']).status !== 0) {
    console.warn(`${pkg} not found and cannot be installed here: the ${tests} will be skipped`);
    return;
  }
  console.log(`installing Debian ${pkg} for the ${tests} (apt-get) …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0) console.warn(`apt-get install ${pkg} failed: the ${tests} will be skipped`);
}

const only = process.argv.slice(2);
if (only.length === 0) {
  // the HTML report's safety tests drive a real headless Chromium (Debian's package; no browser download)
  ensureDebianPackage(() => existsSync('/usr/bin/chromium'), 'chromium', 'browser tests');
  // the Python trainer adapters (integrations/python) are tested with python3 against the real reward service
  ensureDebianPackage(
    () => spawnSync('python3', ['--version']).status === 0,
    'python3',
    'Python adapter tests',
  );
  // the ClickHouse store is tested on a real two-shard cluster the tests start (scripts/clickhouse-cluster.sh)
  ensureDebianPackage(
    () => existsSync('/usr/sbin/clickhouse-server'),
    'clickhouse-server',
    'ClickHouse store tests',
  );
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
