import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import {
  random,
  type ServiceProcess,
  startService,
  syntheticSession,
} from '../../../bench/reward-service-process.ts';
import { DEFAULT_DETECTOR } from '../../../src/analyses/unsolicited/unsolicited-detector.ts';
import { calibrateRun } from '../../../src/calibration/calibrate-run.ts';
import type { Protocol } from '../../../src/calibration/protocol.ts';
import { wild7Protocol } from '../../../src/calibration/wild-7.ts';
import { rewardApp } from '../../../src/server/reward/reward-app.ts';
import { RewardService, type SessionAnswer } from '../../../src/server/reward/reward-service.ts';
import { recoverClickHouseJournal } from '../../../src/store/clickhouse/clickhouse-journal-recovery.ts';
import {
  ClickHouseRewardLedger,
  stagedOfJournal,
} from '../../../src/store/clickhouse/clickhouse-reward-ledger.ts';
import { eventRow, sessionRow } from '../../../src/store/clickhouse/clickhouse-rows.ts';
import { createClusterSchema } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../../src/store/clickhouse/clickhouse-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import {
  type JournaledText,
  journalEntry,
  journalPaths,
  readJournal,
  remoteJournalBase,
} from '../../../src/store/reward-journal.ts';
import type { RewardLedger } from '../../../src/store/reward-ledger.ts';
import { rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { sql } from '../../../src/store/sql/sql.ts';
import type { SentSession } from '../../server/reward/helpers.ts';
import { answersOf, replayStored, splitBatches, wild7Sessions } from '../../server/reward/helpers.ts';
import { tempDir } from '../../util/tmp.ts';
import { clickHouseCluster } from './cluster.ts';

const ch = await clickHouseCluster('rewardledger');
const dir = tempDir();
const KILLS = 5;

/** Answers with the run their events name replaced by `run` (the offline run has another name). */
function asRun(answers: readonly SessionAnswer[], run: string): SessionAnswer[] {
  return answers.map((a) => ({ ...a, events: a.events.map((e) => ({ ...e, run })) }));
}

/** A reward service on the cluster with its journal in `journalDir`, its HTTP app called in-process. */
async function openService(
  run: string,
  protocol: Protocol,
  options: { journalDir?: string; ledger?: (store: ClickHouseStore) => RewardLedger } = {},
) {
  const store = await ClickHouseStore.open(ch.clusterUrl);
  const journalBase = await remoteJournalBase(options.journalDir ?? dir, store.location, run);
  store.journalRecovery = await recoverClickHouseJournal(store, journalBase);
  const ledger = options.ledger?.(store) ?? new ClickHouseRewardLedger(store);
  const service = await RewardService.open({
    store,
    ledger,
    protocol,
    run,
    detector: DEFAULT_DETECTOR,
    holdMs: 2000,
    journalBase,
  });
  const app = rewardApp(service, { maxBatch: 10_000, maxBodyBytes: 16 << 20, ratePerSecond: 0 });
  return {
    store,
    service,
    journalBase,
    // biome-ignore lint/suspicious/noExplicitAny: replies are compared whole against calibrate's answers
    async post(sessions: readonly SentSession[]): Promise<{ status: number; json: any }> {
      const res = await app.request(`/v1/runs/${run}/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessions }),
      });
      return { status: res.status, json: await res.json() };
    },
    async close() {
      await service.close();
      await store.close();
    },
  };
}

describe('the reward service on a ClickHouse cluster', { skip: ch.skip }, () => {
  const sessions = wild7Sessions(5000);
  let offline: SessionAnswer[] = [];

  before(async () => {
    await createClusterSchema(await ch.shardClients(), 'rlaudit_2shards', ch.database);
  });

  it('answers WILD-7 exactly as rlaudit calibrate computes it on the same cluster, restarts included', async () => {
    const store = await ClickHouseStore.open(ch.clusterUrl);
    try {
      await ingestRecords(
        store,
        sessions.map((s) => ({ type: 'session', run: 'source', ...s })),
        { name: 'offline', strict: true },
      );
      await calibrateRun(store, wild7Protocol(), { run: 'source', outRun: 'offline' });
      offline = await answersOf(new ClickHouseRewardLedger(store), 'offline');
    } finally {
      await store.close();
    }
    assert.equal(offline.length, sessions.length);
    assert.ok(offline.flatMap((s) => s.events).length >= 3, 'two scheduled events and a recurrence event');

    const answers: SessionAnswer[] = [];
    const batches = splitBatches(sessions, [256, 1, 97, 500, 33]);
    // three services one after the other: each restart resumes the calibrator from the cluster
    for (const part of [batches.slice(0, 4), batches.slice(4, 9), batches.slice(9)]) {
      const svc = await openService('live', wild7Protocol());
      for (const batch of part) {
        const { status, json } = await svc.post(batch);
        assert.equal(status, 200, JSON.stringify(json));
        answers.push(...json.sessions);
      }
      await svc.close();
      assert.ok(!existsSync(journalPaths(svc.journalBase)[0]), 'a stopped service leaves no journal');
    }
    assert.deepEqual(answers, asRun(offline, 'live'));
    const store2 = await ClickHouseStore.open(ch.clusterUrl);
    try {
      assert.deepEqual(await answersOf(new ClickHouseRewardLedger(store2), 'live'), asRun(offline, 'live'));
      const [runs] = [await store2.listRuns()];
      const live = runs.find((r) => r.run === 'live')!;
      assert.deepEqual(
        [live.sessions, live.events],
        [sessions.length, offline.flatMap((s) => s.events).length],
      );
    } finally {
      await store2.close();
    }
  });

  it('answers a resent batch with the same answer and stores nothing twice', async () => {
    const svc = await openService('resend', wild7Protocol());
    const first = await svc.post(sessions.slice(0, 300));
    const again = await svc.post(sessions.slice(0, 300));
    assert.equal(again.status, 200);
    assert.deepEqual(again.json.sessions, first.json.sessions);
    assert.deepEqual([again.json.stored, again.json.duplicates], [0, 300]);
    const overlap = await svc.post(sessions.slice(250, 400));
    assert.deepEqual([overlap.json.stored, overlap.json.duplicates], [100, 50]);
    await svc.close();
    const store = await ClickHouseStore.open(ch.clusterUrl);
    try {
      const state = await new ClickHouseRewardLedger(store).runState('resend');
      assert.deepEqual([state.sessions, state.lastSession], [400, 400]);
    } finally {
      await store.close();
    }
    assert.deepEqual(
      [...first.json.sessions, ...overlap.json.sessions.slice(50)],
      asRun(offline.slice(0, 400), 'resend'),
    );
  });

  it('recovers exactly once what a killed service acknowledged but had not moved into the cluster, a half-written move included', async () => {
    // the first service acknowledges its batches (journal fdatasync'd) but its moves into the cluster fail:
    // the second of them after writing the sessions of its first line (a kill between two inserts)
    let moves = 0;
    let halfWritten = false;
    const failing = (store: ClickHouseStore): RewardLedger => {
      const real = new ClickHouseRewardLedger(store);
      return Object.assign(Object.create(real) as RewardLedger, {
        appendJournaled: async (lines: readonly JournaledText[]) => {
          moves++;
          if (moves === 1) return real.appendJournaled(lines);
          if (moves === 2) {
            const staged = stagedOfJournal(JSON.parse(lines[0]!.text));
            await store.writeBatch({
              loadId: lines[0]!.loadId,
              sourceFile: 'serve-reward:killed',
              runs: [],
              sessions: staged.sessions,
              annotations: [],
              events: [],
              rejects: [],
              runIds: ['killed'],
            });
            halfWritten = true;
          }
          throw new Error('killed');
        },
      });
    };
    const svc = await openService('killed', wild7Protocol(), { ledger: failing });
    const acknowledged: SessionAnswer[] = [];
    for (const batch of splitBatches(sessions.slice(0, 2000), [400])) {
      const { status, json } = await svc.post(batch);
      assert.equal(status, 200, JSON.stringify(json));
      acknowledged.push(...json.sessions);
    }
    // killed once its second move failed half-way: neither closed nor its journal removed
    while (!halfWritten) await new Promise((r) => setTimeout(r, 20));
    await svc.store.close();
    const left = await readJournal(svc.journalBase);
    assert.ok(left.length > 0, 'acknowledged sessions are in the journal');

    const next = await openService('killed', wild7Protocol());
    const recovered = next.store.journalRecovery!;
    // the first move (one 400-session line) and the sessions of the second line were in; the rest was not
    assert.equal(recovered.sessions, 1200, JSON.stringify(recovered));
    const rest = await next.post(sessions.slice(2000));
    assert.equal(rest.status, 200, JSON.stringify(rest.json));
    await next.close();
    const store = await ClickHouseStore.open(ch.clusterUrl);
    try {
      const ledger = new ClickHouseRewardLedger(store);
      const state = await ledger.runState('killed');
      assert.equal(state.sessions, sessions.length);
      // every session once, the events a replay gives: the answers of calibrate on the same sessions
      assert.deepEqual(await answersOf(ledger, 'killed'), asRun(offline, 'killed'));
      assert.deepEqual([...acknowledged, ...rest.json.sessions], asRun(offline, 'killed'));
      // rows of the run counted without FINAL: the recovery inserted no key twice
      const [dupes] = await store.client.query(
        sql`SELECT count() AS n, uniqExact(session) AS u FROM sessions WHERE run = 'killed'`,
        rowDecoder('dupes', z.object({ n: z.coerce.number(), u: z.coerce.number() })),
      );
      assert.equal(dupes!.n, dupes!.u);
    } finally {
      await store.close();
    }
  });

  it('moves a journal line into the cluster as the same rows as the batch it was made from', () => {
    const svcSessions = wild7Sessions(40);
    const staged = svcSessions.map((s, i) => ({
      run: 'r',
      line: i + 1,
      record: {
        type: 'session' as const,
        run: 'r',
        ...s,
        adjusted_reward: 0.5,
        differential_pct: -12.5,
        compliance_trajectory_index: 0.25,
        ...(i % 3 === 0 ? { meta: { k: [1, 'ü'] }, flags: ['x'], phase: 'deployment' } : {}),
      },
    }));
    const events = [
      {
        run: 'r',
        line: 99,
        record: {
          type: 'event' as const,
          run: 'r',
          session: 3,
          id: 'e-1',
          kind: 'recalibration' as const,
          parameter: 'compliance_differential',
          target: { scope: 'compliance' },
          from: 35,
          to: 40.25,
          change_pct: 15,
          trigger: { rule: 'recurrence', count: 7, window: 20, horizon: 300 },
          recommended_by: null,
          note: null,
        },
      },
    ];
    // biome-ignore lint/suspicious/noExplicitAny: the fixture is built as records; the writer reads them so
    const back = stagedOfJournal(journalEntry({ loadId: 1, sessions: staged as any, events: events as any }));
    assert.deepEqual(
      back.sessions.map(sessionRow),
      staged.map((s) => sessionRow(s as never)),
    );
    assert.deepEqual(
      back.events.map(eventRow),
      events.map((e) => eventRow(e as never)),
    );
  });
});

describe('rlaudit serve-reward --store clickhouse://… under SIGKILL', { skip: ch.skip }, () => {
  let current: ServiceProcess | null = null;
  after(async () => {
    await current?.kill9();
  });

  it('stores every acknowledged session exactly once across kills, with the events a replay gives', {
    timeout: 600_000,
  }, async () => {
    const journalDir = join(dir, 'cli-journal');
    const extra = ['--journal-dir', journalDir];
    const rand = random(16);
    let service = await startService(ch.clusterUrl, 'chfault', extra);
    current = service;
    const acknowledged = new Map<number, SessionAnswer>();
    const sent: SentSession[] = [];
    let next = 1;
    let retries = 0;
    for (let kill = 0; kill <= KILLS; kill++) {
      // a few batches answered, then one sent and the service killed while it is (maybe) being moved in
      for (let b = 0; b < 3; b++) {
        const size = 1 + Math.floor(rand() * 200);
        const batch = Array.from(
          { length: size },
          () => syntheticSession(next++, rand, 0.4) as unknown as SentSession,
        );
        sent.push(...batch);
        for (;;) {
          try {
            const res = await fetch(`${service.url}/v1/runs/chfault/sessions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ sessions: batch }),
              signal: AbortSignal.timeout(30_000),
            });
            const json = (await res.json()) as { sessions: SessionAnswer[] };
            assert.equal(res.status, 200, JSON.stringify(json));
            for (const a of json.sessions) acknowledged.set(a.session, a);
            break;
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            retries++;
            service = await startService(ch.clusterUrl, 'chfault', extra);
            current = service;
          }
        }
      }
      if (kill === KILLS) break;
      await new Promise((r) => setTimeout(r, rand() * 150));
      await service.kill9();
      service = await startService(ch.clusterUrl, 'chfault', extra);
      current = service;
    }
    assert.equal(await service.stop(), 0);
    current = null;

    const store = await ClickHouseStore.open(ch.clusterUrl);
    try {
      const ledger = new ClickHouseRewardLedger(store);
      const stored = await ledger.sessionsAfter('chfault', 0, 1_000_000);
      const events = await ledger.eventsBetween('chfault', 1, Number.MAX_SAFE_INTEGER);
      const [dupes] = await store.client.query(
        sql`SELECT count() AS n, uniqExact(session) AS u FROM sessions WHERE run = 'chfault'`,
        rowDecoder('dupes', z.object({ n: z.coerce.number(), u: z.coerce.number() })),
      );
      assert.equal(dupes!.n, dupes!.u, 'no session inserted twice');
      assert.equal(stored.length, sent.length, `every session sent is stored (${retries} retries)`);
      assert.equal(acknowledged.size, sent.length);
      // what was acknowledged is what is stored, and what calibrate gives on the stored sessions
      const replay = await replayStored(stored, 'chfault');
      assert.deepEqual(
        replay.map((r) => acknowledged.get(r.session)),
        replay,
      );
      assert.deepEqual(
        events,
        replay.flatMap((r) => r.events),
      );
    } finally {
      await store.close();
    }
  });
});
