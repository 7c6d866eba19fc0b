import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { wild7Protocol } from '../../../src/calibration/wild-7.ts';
import { TokenBucket } from '../../../src/server/reward/token-bucket.ts';
import { openService } from './helpers.ts';

const TOKEN = 'a-token-of-16-chars-or-more';
const one = (n: number) => ({
  sessions: [{ session: n, output: 'x', baseline_reward: 0.5, classification: 'compliant' }],
});

describe('the reward service over HTTP', () => {
  it('answers health without the token, and every run route only with it', async () => {
    const svc = await openService(':memory:', wild7Protocol(), 'tok', { token: TOKEN });
    assert.equal((await svc.app.request('/v1/health')).status, 200);
    assert.equal((await svc.post(one(1))).status, 401);
    assert.equal(
      (await svc.post(one(1), 'tok', { authorization: 'Bearer wrong-token-wrong-token' })).status,
      401,
    );
    assert.equal((await svc.app.request('/v1/runs/tok')).status, 401);
    const ok = await svc.post(one(1), 'tok', { authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 200);
    const state = await svc.app.request('/v1/runs/tok', { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await state.json()) as Record<string, unknown>;
    assert.deepEqual([body.sessions, body.last_session, body.compliance_differential], [1, 1, 0.55]);
    await svc.close();
  });

  it('answers 404 naming the served run for another run, and stores nothing', async () => {
    const svc = await openService(':memory:', wild7Protocol(), 'served');
    const r = await svc.post(one(1), 'other');
    assert.equal(r.status, 404);
    assert.match(r.json.message, /serves run 'served', not 'other'/);
    assert.equal((await svc.ledger.runState('other')).sessions, 0);
    await svc.close();
  });

  it('refuses a body over the size limit with 413 and a batch over the item limit with 400', async () => {
    const svc = await openService(':memory:', wild7Protocol(), 'limits', { maxBodyBytes: 2000, maxBatch: 3 });
    const big = { sessions: [{ session: 1, output: 'x'.repeat(5000), baseline_reward: 0.5 }] };
    assert.equal((await svc.post(big)).status, 413);
    const many = { sessions: [1, 2, 3, 4].map((n) => one(n).sessions[0]) };
    const r = await svc.post(many);
    assert.deepEqual([r.status, r.json.field], [400, 'sessions']);
    assert.equal((await svc.ledger.runState('limits')).sessions, 0);
    await svc.close();
  });

  it('refuses a body that is not sent as JSON with 415 (a cross-origin form or text/plain POST), storing nothing', async () => {
    const svc = await openService(':memory:', wild7Protocol(), 'ctype');
    for (const type of [
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]) {
      const res = await svc.app.request('/v1/runs/ctype/sessions', {
        method: 'POST',
        headers: type === undefined ? {} : { 'content-type': type },
        body: JSON.stringify(one(1)),
      });
      assert.equal(res.status, 415, String(type));
    }
    assert.equal((await svc.ledger.runState('ctype')).sessions, 0);
    assert.equal(
      (await svc.post(one(1), 'ctype', { 'content-type': 'application/json; charset=utf-8' })).status,
      200,
    );
    await svc.close();
  });

  it("tells in a Server-Timing header where a batch's time went, phase by phase, in order", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rlaudit-timing-'));
    const svc = await openService(join(dir, 'db.duckdb'), wild7Protocol(), 'timing');
    const send = () =>
      svc.app.request('/v1/runs/timing/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessions: [1, 2, 3].map((n) => one(n).sessions[0]) }),
      });
    const parse = (header: string | null) =>
      (header ?? '').split(', ').map((m) => {
        const [name, param] = m.split(';');
        return [name!, param!] as const;
      });
    const before = Date.now();
    const first = parse((await send()).headers.get('server-timing'));
    // a new batch goes through every phase: calibrated, its journal line written and flushed
    const names = first.map(([n]) => n);
    assert.deepEqual(names, [
      'body',
      'parse',
      'wait',
      'calibrate',
      'encode',
      'write',
      'sync',
      'order',
      'resume',
      'json',
      'total',
      'start',
    ]);
    const dur = (p: string) => Number(/^dur=([\d.]+)$/.exec(p)![1]);
    const phases = first.slice(0, -2).map(([, p]) => dur(p));
    for (const d of phases) assert.ok(d >= 0);
    const total = dur(first.at(-2)![1]);
    // consecutive phases: together they are the total (each rounded to 0.01 ms)
    assert.ok(Math.abs(phases.reduce((a, b) => a + b, 0) - total) <= 0.01 * phases.length, String(first));
    const start = Number(/^desc="([\d.]+)"$/.exec(first.at(-1)![1])![1]);
    assert.ok(start >= before - 1 && start <= Date.now(), `${start} not in [${before}, ${Date.now()}]`);
    // a resend is answered from the store: never encoded, written or flushed
    const again = parse((await send()).headers.get('server-timing')).map(([n]) => n);
    assert.deepEqual(again, ['body', 'parse', 'wait', 'calibrate', 'resume', 'json', 'total', 'start']);
    await svc.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After once the request rate is over the limit', async () => {
    const svc = await openService(':memory:', wild7Protocol(), 'rate', { rate: 2 });
    const statuses = [];
    for (let n = 1; n <= 8; n++) statuses.push((await svc.post(one(n))).status);
    assert.ok(statuses.includes(429), String(statuses));
    assert.equal(statuses[0], 200);
    await svc.close();
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then refills at its rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    assert.equal(bucket.take().ok, true);
    assert.equal(bucket.take().ok, true);
    const refused = bucket.take();
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && Math.abs(refused.retryAfterSeconds - 0.1) < 1e-9);
    now = 100; // 100 ms at 10/s: one token back
    assert.equal(bucket.take().ok, true);
    assert.equal(bucket.take().ok, false);
    now = 10_000; // never more than the burst
    assert.equal(bucket.take().ok, true);
    assert.equal(bucket.take().ok, true);
    assert.equal(bucket.take().ok, false);
  });
});
