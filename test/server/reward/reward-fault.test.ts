import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import {
  random,
  type ServiceProcess,
  startService,
  syntheticSession,
} from '../../../bench/reward-service-process.ts';
import type { SessionAnswer } from '../../../src/server/reward/reward-service.ts';
import { number } from '../../../src/store/duckdb/decode.ts';
import { DuckDbRewardLedger } from '../../../src/store/duckdb/duckdb-reward-ledger.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { sql } from '../../../src/store/sql/sql.ts';
import { runCli } from '../../util/cli.ts';
import { tempDir } from '../../util/tmp.ts';
import { replayStored, type SentSession } from './helpers.ts';

const dir = tempDir();
const KILLS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the reward service under SIGKILL', () => {
  let current: ServiceProcess | null = null;
  // a test that failed or timed out leaves no service running to keep the test process alive
  after(async () => {
    await current?.kill9();
  });

  it('stores every acknowledged session exactly once across 20 kills, with the events a replay gives', {
    timeout: 600_000,
  }, async () => {
    const db = join(dir, 'fault.duckdb');
    const rand = random(20);
    let service = await startService(db, 'fault');
    current = service;
    let up = true;
    const acknowledged = new Map<number, SessionAnswer>();
    let kills = 0;
    let retries = 0;

    // the killer: SIGKILL at a random moment while the client is sending (after it has had 0.1–0.6 s to get
    // answers), then start the service again
    let killerFailed: unknown = null;
    const killer = (async () => {
      while (kills < KILLS) {
        await sleep(100 + rand() * 500);
        up = false;
        await service.kill9();
        kills++;
        service = await startService(db, 'fault');
        current = service;
        up = true;
      }
    })().catch((e: unknown) => {
      killerFailed = e;
    });

    // the client: batches of 1–128 sessions, each retried until it is answered (a trainer's retrying client)
    let next = 1;
    const sent: SentSession[] = [];
    while (kills < KILLS || next <= 3000) {
      const size = 1 + Math.floor(rand() * 128);
      const batch = Array.from(
        { length: size },
        () => syntheticSession(next++, rand, 0.4) as unknown as SentSession,
      );
      sent.push(...batch);
      for (;;) {
        // a restart that failed ends the test with its reason instead of a retry loop without end
        if (killerFailed !== null) throw killerFailed;
        try {
          if (!up) throw new Error('down');
          const res = await fetch(`${service.url}/v1/runs/fault/sessions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ sessions: batch }),
            // an answer that never comes is retried like a refused connection (the trainer's client does so)
            signal: AbortSignal.timeout(30_000),
          });
          const json = (await res.json()) as { sessions: SessionAnswer[] };
          assert.equal(res.status, 200, JSON.stringify(json));
          for (const a of json.sessions) acknowledged.set(a.session, a);
          break;
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          retries++;
          await sleep(20);
        }
      }
    }
    await killer;
    if (killerFailed !== null) throw killerFailed;
    assert.equal(await service.stop(), 0);

    const store = await DuckDbStore.open(db);
    const ledger = new DuckDbRewardLedger(store.client);
    const Dup = rowDecoder('dups', z.object({ n: number }));
    const [dups] = await store.client.query(
      sql`SELECT count(*) AS n FROM (SELECT session FROM sessions WHERE run = 'fault' GROUP BY session HAVING count(*) > 1)`,
      Dup,
    );
    const [eventDups] = await store.client.query(
      sql`SELECT count(*) AS n FROM (SELECT id FROM events WHERE run = 'fault' GROUP BY id HAVING count(*) > 1)`,
      Dup,
    );
    const stored = await ledger.sessionsAfter('fault', 0, 1_000_000);
    const events = await ledger.eventsBetween('fault', 1, Number.MAX_SAFE_INTEGER);
    await store.close();

    assert.equal(kills, KILLS);
    assert.ok(retries >= KILLS, `the client retried (${retries} times)`);
    assert.deepEqual([dups!.n, eventDups!.n], [0, 0], 'no session or event stored twice');
    assert.equal(stored.length, sent.length, 'every session sent was stored');
    assert.equal(acknowledged.size, sent.length, 'every session was acknowledged');
    // what was acknowledged is what is stored, and what a replay of the stored sessions gives
    const replay = await replayStored(stored, 'fault');
    assert.deepEqual(
      replay.map((r) => acknowledged.get(r.session)),
      replay,
    );
    assert.deepEqual(
      events,
      replay.flatMap((r) => r.events),
    );
    assert.ok(events.length > 10, `the recurrence rule fired (${events.length} events)`);
  });
});

describe('rlaudit serve-reward', () => {
  it('refuses a non-loopback host without a token, exit 2', () => {
    const r = runCli([
      '--db',
      join(dir, 'x.duckdb'),
      'serve-reward',
      '--protocol',
      'wild-7',
      '--run',
      'r',
      '--host',
      '0.0.0.0',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--token/);
  });
});
