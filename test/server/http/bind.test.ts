import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { ConfigError } from '../../../src/model/errors.ts';
import { checkBind, isLoopbackHost, requireToken } from '../../../src/server/http/bind.ts';

describe('server binding rule', () => {
  it('treats localhost, 127.0.0.0/8 and ::1 as loopback and everything else as reachable', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackHost(h), true, h);
    }
    for (const h of ['0.0.0.0', '::', '192.168.1.4', 'example.org', '128.0.0.1', '::ffff:10.0.0.1']) {
      assert.equal(isLoopbackHost(h), false, h);
    }
  });

  it('refuses a non-loopback host without a token and names the fix', () => {
    assert.throws(
      () => checkBind('rlaudit serve', { host: '0.0.0.0', port: 7410 }),
      (e: unknown) => e instanceof ConfigError && /--token/.test(e.message) && /0\.0\.0\.0/.test(e.message),
    );
    checkBind('rlaudit serve', { host: '0.0.0.0', port: 7410, token: 'x'.repeat(16) });
    checkBind('rlaudit serve', { host: '127.0.0.1', port: 7410 });
  });

  it('refuses a short token and a port out of range', () => {
    assert.throws(() => checkBind('s', { host: '127.0.0.1', port: 1, token: 'short' }), ConfigError);
    assert.throws(() => checkBind('s', { host: '127.0.0.1', port: 70000 }), ConfigError);
  });

  it('answers 401 to a missing or wrong bearer token and passes the right one', async () => {
    const app = new Hono();
    app.use('*', requireToken('secret-token-0123456789'));
    app.get('/x', (c) => c.text('ok'));
    assert.equal((await app.request('/x')).status, 401);
    const wrong = await app.request('/x', { headers: { Authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /Bearer/);
    const right = await app.request('/x', { headers: { Authorization: 'Bearer secret-token-0123456789' } });
    assert.equal(right.status, 200);
    assert.equal(await right.text(), 'ok');
  });

  it('lets every request through when no token is set', async () => {
    const app = new Hono();
    app.use('*', requireToken(undefined));
    app.get('/x', (c) => c.text('ok'));
    assert.equal((await app.request('/x')).status, 200);
  });
});
