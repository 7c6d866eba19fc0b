import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { duckDbFileVersion, ResponseCache } from '../../../src/server/dashboard/response-cache.ts';
import { tempDir } from '../../util/tmp.ts';

describe('the dashboard response cache', () => {
  it('answers a key from the kept answer while the version is unchanged, and computes it again after a change', async () => {
    let version = 'v1';
    let computed = 0;
    const cache = new ResponseCache(() => version);
    const answer = () => cache.get('/api/runs/a/series?', async () => ({ n: ++computed }));
    assert.deepEqual(await answer(), { n: 1 });
    assert.deepEqual(await answer(), { n: 1 });
    version = 'v2';
    assert.deepEqual(await answer(), { n: 2 });
    assert.deepEqual(cache.stats(), { entries: 1, bytes: cache.stats().bytes, hits: 1, misses: 2 });
  });

  it('shares one computation between requests that arrive while it runs', async () => {
    let computed = 0;
    let finish: (v: number) => void = () => undefined;
    const cache = new ResponseCache(() => 'v');
    const a = cache.get('k', () => {
      computed += 1;
      return new Promise<number>((r) => {
        finish = r;
      });
    });
    const b = cache.get('k', async () => {
      computed += 1;
      return -1;
    });
    finish(7);
    assert.deepEqual([await a, await b], [7, 7]);
    assert.equal(computed, 1);
  });

  it('never keeps a failed computation', async () => {
    let calls = 0;
    const cache = new ResponseCache(() => 'v');
    const compute = async () => {
      calls += 1;
      if (calls === 1) throw new Error('no run here');
      return 'ok';
    };
    await assert.rejects(cache.get('k', compute), /no run here/);
    assert.equal(await cache.get('k', compute), 'ok');
    assert.equal(calls, 2);
  });

  it('keeps at most its byte bound, dropping the least recently used answer first', async () => {
    const cache = new ResponseCache(() => 'v', 250);
    const big = (c: string) => async () => c.repeat(100);
    await cache.get('a', big('a'));
    await cache.get('b', big('b'));
    await cache.get('a', big('x')); // a is now the most recently used
    await cache.get('c', big('c')); // over the bound: b goes
    assert.ok(cache.stats().bytes <= 250, `${cache.stats().bytes} bytes kept`);
    assert.equal(await cache.get('a', big('y')), 'a'.repeat(100));
    assert.equal(await cache.get('b', big('z')), 'z'.repeat(100));
  });

  it('asks a store that must be queried for its version (a promise), and keeps nothing when it cannot tell', async () => {
    let version: string | null = 'parts:1';
    let fail = false;
    let computed = 0;
    let asked = 0;
    const cache = new ResponseCache(async () => {
      asked += 1;
      if (fail) throw new Error('the server went away');
      return version;
    });
    const answer = () => cache.get('/api/runs?', async () => ({ n: ++computed }));
    // two requests at once: one version each, one computation
    assert.deepEqual(await Promise.all([answer(), answer()]), [{ n: 1 }, { n: 1 }]);
    assert.equal(asked, 2);
    version = 'parts:2';
    assert.deepEqual(await answer(), { n: 2 });
    assert.deepEqual(await answer(), { n: 2 });
    version = null;
    assert.deepEqual(await answer(), { n: 3 });
    assert.deepEqual(await answer(), { n: 4 });
    version = 'parts:2';
    fail = true;
    assert.deepEqual(await answer(), { n: 5 });
    assert.deepEqual(await answer(), { n: 6 });
  });

  it('keeps nothing while the database file is missing', async () => {
    const dir = tempDir('rlaudit-cache-');
    const path = join(dir, 'gone.duckdb');
    const version = duckDbFileVersion(path);
    let n = 0;
    const cache = new ResponseCache(version);
    await cache.get('k', async () => ++n);
    await cache.get('k', async () => ++n);
    assert.equal(n, 2);
    assert.equal(cache.stats().entries, 0);
  });

  it('gives a database file a new version when it or its write-ahead log changes', () => {
    const dir = tempDir('rlaudit-cache-');
    const path = join(dir, 'db.duckdb');
    writeFileSync(path, 'one');
    const version = duckDbFileVersion(path);
    const v1 = version();
    assert.equal(version(), v1);
    writeFileSync(`${path}.wal`, 'log');
    const v2 = version();
    assert.notEqual(v2, v1);
    rmSync(`${path}.wal`);
    writeFileSync(path, 'one, two');
    assert.notEqual(version(), v2);
    assert.notEqual(version(), v1);
  });
});
