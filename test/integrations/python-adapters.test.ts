import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const python = spawnSync('python3', ['--version']).status === 0;

describe('the Python trainer adapters (integrations/python)', () => {
  it('pass their unittest suite against a real reward service', {
    skip: python ? false : 'python3 is not installed (scripts/test.mjs installs it as root)',
  }, () => {
    // the suite starts `rlaudit serve-reward` itself (bin/rlaudit.js of this checkout) and stops it
    const r = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'integrations/python/tests', '-v'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 600_000,
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /Ran \d+ tests/);
    assert.match(r.stderr, /\nOK/);
  });
});
