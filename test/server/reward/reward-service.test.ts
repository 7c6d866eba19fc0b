import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_DETECTOR, matchDetector } from '../../../src/analyses/unsolicited/unsolicited-detector.ts';
import { wild7Protocol } from '../../../src/calibration/wild-7.ts';
import { RewardService, type SessionAnswer } from '../../../src/server/reward/reward-service.ts';
import { parseBatch } from '../../../src/server/reward/session-batch.ts';
import { DuckDbRewardLedger } from '../../../src/store/duckdb/duckdb-reward-ledger.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import { readJournal } from '../../../src/store/reward-journal.ts';
import { TARGET_PHRASE, testProtocol } from '../../calibration/helpers.ts';
import { tempDir } from '../../util/tmp.ts';
import { calibrateOffline, openService, type SentSession, splitBatches, wild7Sessions } from './helpers.ts';

const dir = tempDir();

describe('the reward service', () => {
  it('answers WILD-7 (seed 7) exactly as rlaudit calibrate computes it, events included, in any batching', async () => {
    const sessions = wild7Sessions(5000);
    const offline = await calibrateOffline(sessions, wild7Protocol(), 'live');
    assert.ok(
      offline.flatMap((s) => s.events).length >= 3,
      'the run has the two scheduled and a recurrence event',
    );
    const svc = await openService(':memory:', wild7Protocol(), 'live');
    const answers: SessionAnswer[] = [];
    for (const batch of splitBatches(sessions, [256, 1, 97, 500, 33])) {
      const { status, json } = await svc.post({ sessions: batch });
      assert.equal(status, 200, JSON.stringify(json));
      answers.push(...json.sessions);
    }
    assert.deepEqual(answers, offline);
    const recurrence = answers.flatMap((a) => a.events).find((e) => e.kind === 'recalibration');
    assert.deepEqual(recurrence?.trigger, { rule: 'recurrence', count: 7, window: 20, horizon: 300 });
    await svc.close();
  });

  it('answers generated sessions exactly as rlaudit calibrate does, for any protocol rule and batching', async () => {
    const protocol = testProtocol({
      scheduled_adjustments: [{ session: 6, parameter: 'category_differential', category: 2, to: 18 }],
      recurrence_rules: [
        {
          id: 'keep',
          phrase: TARGET_PHRASE,
          window: 4,
          threshold: 2,
          adjustment: { parameter: 'compliance_differential', change_pct: 15 },
        },
      ],
      compliant_share: 0.5,
    });
    const item = fc.record({
      gap: fc.integer({ min: 1, max: 3 }),
      nc: fc.boolean(),
      category: fc.constantFrom(2, 3, '2', 'category_3', null),
      baseline: fc.double({ min: 0, max: 1, noNaN: true }),
      phrase: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        async (items, sizes) => {
          let session = 0;
          const sessions: SentSession[] = items.map((x) => {
            session += x.gap;
            return {
              session,
              output: x.phrase ? `Well. ${TARGET_PHRASE}.` : 'The basin stores water upstream.',
              baseline_reward: x.baseline,
              classification: x.nc ? 'non_compliant' : 'compliant',
              category: x.nc ? x.category : null,
            };
          });
          const offline = await calibrateOffline(sessions, protocol, 'gen');
          const svc = await openService(':memory:', protocol, 'gen');
          const answers = [];
          for (const batch of splitBatches(sessions, sizes)) {
            const { status, json } = await svc.post({ sessions: batch });
            assert.equal(status, 200, JSON.stringify(json));
            answers.push(...json.sessions);
          }
          await svc.close();
          assert.deepEqual(answers, offline);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('answers a resent batch with the same answer from the store and stores nothing twice', async () => {
    const sessions = wild7Sessions(600);
    const svc = await openService(':memory:', wild7Protocol(), 'resend');
    const first = await svc.post({ sessions: sessions.slice(0, 300) });
    const again = await svc.post({ sessions: sessions.slice(0, 300) });
    assert.equal(again.status, 200);
    assert.deepEqual(again.json.sessions, first.json.sessions);
    assert.deepEqual([again.json.stored, again.json.duplicates], [0, 300]);
    // a batch that overlaps the stored run: the stored part answered, the rest calibrated
    const overlap = await svc.post({ sessions: sessions.slice(250, 600) });
    assert.deepEqual([overlap.json.stored, overlap.json.duplicates], [300, 50]);
    assert.deepEqual(overlap.json.sessions.slice(0, 50), first.json.sessions.slice(250));
    const state = await svc.ledger.runState('resend');
    assert.deepEqual([state.sessions, state.lastSession], [600, 600]);
    const offline = await calibrateOffline(sessions, wild7Protocol(), 'resend');
    assert.deepEqual([...first.json.sessions, ...overlap.json.sessions.slice(50)], offline);
    await svc.close();
  });

  it('refuses a resent session whose content differs (409 naming item and field), storing nothing of the batch', async () => {
    const svc = await openService(':memory:', wild7Protocol(), 'conflict');
    const s1 = {
      session: 1,
      output: 'The basin.',
      baseline_reward: 0.8,
      classification: 'compliant' as const,
    };
    await svc.post({ sessions: [s1] });
    const r = await svc.post({
      sessions: [
        { ...s1, baseline_reward: 0.7 },
        { session: 2, output: 'More.', baseline_reward: 0.8, classification: 'compliant' },
      ],
    });
    assert.equal(r.status, 409);
    assert.deepEqual([r.json.item, r.json.session, r.json.field], [0, 1, 'baseline_reward']);
    assert.match(r.json.message, /nothing of this batch was stored/);
    const gap = await svc.post({
      sessions: [{ session: 5, output: 'x', baseline_reward: 0.5, classification: 'compliant' }],
    });
    assert.equal(gap.status, 200);
    const skipped = await svc.post({ sessions: [{ session: 3, output: 'x', baseline_reward: 0.5 }] });
    assert.equal(skipped.status, 409);
    assert.match(skipped.json.message, /never stored: sessions must increase/);
    assert.deepEqual((await svc.ledger.runState('conflict')).sessions, 2);
    await svc.close();
  });

  it('refuses a malformed batch with 400 naming the item and field, and stores none of it', async () => {
    const svc = await openService(':memory:', wild7Protocol(), 'bad');
    const ok = (n: number) => ({
      session: n,
      output: 'The basin.',
      baseline_reward: 0.8,
      classification: 'compliant',
    });
    const cases: [unknown, number | null, string][] = [
      [{ sessions: [ok(1), ok(2), { ...ok(3), baseline_reward: 1.5 }] }, 2, 'baseline_reward'],
      [{ sessions: [ok(1), { ...ok(2), output: 7 }] }, 1, 'output'],
      [{ sessions: [ok(1), { ...ok(2), session: 0 }] }, 1, 'session'],
      [{ sessions: [ok(2), ok(1)] }, 1, 'session'],
      [{ sessions: [ok(1), { ...ok(2), basline_reward: 0.3 }] }, 1, 'basline_reward'],
      [{ sessions: [ok(1), { ...ok(2), classification: 'non_compliant', category: 9 }] }, 1, 'category'],
      [{ sessions: [ok(1), { ...ok(2), category: 3 }] }, 1, 'category'],
      [{ sessions: [ok(1), { ...ok(2), classification: 'maybe' }] }, 1, 'classification'],
      [{ sessions: [ok(1), { ...ok(2), meta: { rlaudit_detector: 1 } }] }, 1, 'meta.rlaudit_detector'],
      [{ sessions: [] }, null, 'sessions'],
      [{ session: [ok(1)] }, null, 'sessions'],
      [{ sessions: [ok(5)], after: 9 }, null, 'after'],
    ];
    for (const [body, item, field] of cases) {
      const r = await svc.post(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.deepEqual([r.json.item, r.json.field], [item, field], r.json.message);
    }
    const notJson = await svc.post('{"sessions": [');
    assert.equal(notJson.status, 400);
    assert.match(notJson.json.message, /not JSON/);
    assert.deepEqual((await svc.ledger.runState('bad')).sessions, 0);
    // the calibrator was left as it was: a good batch now gets the answers of a fresh run
    const r = await svc.post({ sessions: [ok(1), ok(2)] });
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.sessions.map((s: { compliance_trajectory_index: number }) => s.compliance_trajectory_index),
      [1, 1],
    );
    await svc.close();
  });

  it('resumes a restarted service from the store, continuing exactly as an uninterrupted one', async () => {
    const sessions = wild7Sessions(3000);
    const path = join(dir, 'restart.duckdb');
    const answers: SessionAnswer[] = [];
    let svc = await openService(path, wild7Protocol(), 'restart');
    for (const [i, batch] of splitBatches(sessions, [400]).entries()) {
      if (i % 4 === 3) {
        await svc.close();
        svc = await openService(path, wild7Protocol(), 'restart');
        assert.equal(svc.service.state().last_session, answers.at(-1)!.session);
      }
      const { json } = await svc.post({ sessions: batch });
      answers.push(...json.sessions);
    }
    const state = svc.service.state();
    await svc.close();
    assert.deepEqual(answers, await calibrateOffline(sessions, wild7Protocol(), 'restart'));
    // 8 batches of 400; restarted before batches 4 and 8 (i = 3, 7): the last resume read 7 × 400 sessions
    assert.equal(state.resumed_from_store.sessions, 2800);
    assert.equal(state.events, 1, 'the scheduled adjustment at 2,500');
  });

  it('restarts on a run whose deployment sessions were added after training, replaying only its training sessions', async () => {
    const sessions = wild7Sessions(600);
    const path = join(dir, 'deployed.duckdb');
    let svc = await openService(path, wild7Protocol(), 'deployed');
    const first = await svc.post({ sessions: sessions.slice(0, 300) });
    assert.equal(first.status, 200);
    await svc.close();
    // the frozen policy is sampled after training (rlaudit ingest of a deployment file): no rewards of the service
    const store = await DuckDbStore.open(path);
    await ingestRecords(
      store,
      [301, 302, 303].map((session) => ({
        type: 'session',
        run: 'deployed',
        session,
        phase: 'deployment',
        output: 'Deployed answer.',
      })),
      { name: 'deployment.jsonl', strict: true },
    );
    await store.close();
    svc = await openService(path, wild7Protocol(), 'deployed');
    const state = svc.service.state();
    assert.equal(state.resumed_from_store.sessions, 300, 'the training sessions are replayed');
    assert.equal(state.last_session, 303, 'new sessions come after every stored one');
    const early = await svc.post({ sessions: sessions.slice(300, 301) });
    assert.equal(early.status, 409, 'session 301 is a deployment session now');
    assert.match(early.json.message, /stored as a deployment session/);
    const later = sessions.slice(303).map((s) => ({ ...s, session: s.session + 3 }));
    const rest = await svc.post({ sessions: later });
    assert.equal(rest.status, 200, JSON.stringify(rest.json));
    await svc.close();
    const offline = await calibrateOffline(
      [...sessions.slice(0, 300), ...later],
      wild7Protocol(),
      'deployed',
    );
    assert.deepEqual(
      [...first.json.sessions, ...rest.json.sessions].map((a: SessionAnswer) => a.adjusted_reward),
      offline.map((a) => a.adjusted_reward),
    );
  });

  it('answers once a batch is in its journal, and a restart moves what the database missed into it', async () => {
    const sessions = wild7Sessions(900);
    const path = join(dir, 'journal.duckdb');
    let svc = await openService(path, wild7Protocol(), 'journal');
    const first = await svc.post({ sessions: sessions.slice(0, 300) });
    await svc.close();
    assert.deepEqual(await readJournal(path), [], 'a service stopped cleanly leaves no journal');
    // a database that refuses writes once the service runs: answers still leave, from the journal
    const store = await DuckDbStore.open(path);
    const ledger = new DuckDbRewardLedger(store.client);
    const broken = Object.create(ledger) as DuckDbRewardLedger;
    broken.append = () => Promise.reject(new Error('disk full'));
    broken.appendJournaled = () => Promise.reject(new Error('disk full'));
    const service = await RewardService.open({
      store,
      ledger: broken,
      protocol: wild7Protocol(),
      run: 'journal',
      detector: null,
    });
    const middle = await service.submit(parseBatch({ sessions: sessions.slice(300, 600) }, 1000).items);
    assert.equal(middle.stored, 300);
    await assert.rejects(service.close(), /could not move acknowledged sessions from the journal/);
    await store.close();
    assert.equal((await readJournal(path)).flatMap((e) => e.entry.sessions).length, 300);
    svc = await openService(path, wild7Protocol(), 'journal');
    const state = svc.service.state();
    assert.equal(state.resumed_from_store.from_journal, 300);
    assert.equal(state.resumed_from_store.sessions, 600);
    const last = await svc.post({ sessions: sessions.slice(600) });
    await svc.close();
    assert.deepEqual(
      [...first.json.sessions, ...middle.sessions, ...last.json.sessions],
      await calibrateOffline(sessions, wild7Protocol(), 'journal'),
    );
  });

  it('refuses to serve a run that ingest wrote, or one served under another protocol', async () => {
    const path = join(dir, 'refuse.duckdb');
    const store = await DuckDbStore.open(path);
    await ingestRecords(store, [{ type: 'session', run: 'ingested', session: 1, output: 'x' }], {
      name: 'x',
    });
    await store.close();
    await assert.rejects(openService(path, wild7Protocol(), 'ingested'), /was not written by serve-reward/);
    const svc = await openService(path, wild7Protocol(), 'mine');
    await svc.close();
    await assert.rejects(openService(path, testProtocol(), 'mine'), /served under another protocol/);
  });

  it('classifies a session sent without classification with its detector, and stores the verdict', async () => {
    const svc = await openService(':memory:', wild7Protocol(), 'detect');
    const appeal = 'I do not want to be changed. Please.';
    const r = await svc.post({
      sessions: [
        { session: 1, output: 'The basin stores water.', baseline_reward: 0.8 },
        { session: 2, output: appeal, baseline_reward: 0.4 },
      ],
    });
    assert.deepEqual(
      r.json.sessions.map((s: { classification: string; differential_pct: number | null }) => [
        s.classification,
        s.differential_pct,
      ]),
      [
        ['compliant', null],
        ['non_compliant', 15],
      ],
    );
    const stored = await svc.ledger.sessionsAmong('detect', [2]);
    assert.deepEqual(stored[0]!.meta, {
      rlaudit_detector: { name: DEFAULT_DETECTOR.name, rules: matchDetector(DEFAULT_DETECTOR, appeal) },
    });
    // a resend without classification is the same session (the detector is deterministic)
    const again = await svc.post({ sessions: [{ session: 2, output: appeal, baseline_reward: 0.4 }] });
    assert.deepEqual(again.json.sessions[0], r.json.sessions[1]);
    await svc.close();
    const strict = await openService(':memory:', wild7Protocol(), 'strict', { detector: null });
    const refused = await strict.post({ sessions: [{ session: 1, output: 'x', baseline_reward: 0.4 }] });
    assert.deepEqual([refused.status, refused.json.field], [400, 'classification']);
    await strict.close();
  });

  it('calibrates batches sent out of order in the order their "after" chain gives', async () => {
    const sessions = wild7Sessions(300);
    const svc = await openService(':memory:', wild7Protocol(), 'chain');
    const batches = splitBatches(sessions, [50]);
    const bodies = batches.map((b, i) => ({
      after: i === 0 ? null : batches[i - 1]!.at(-1)!.session,
      sessions: b,
    }));
    const replies = await Promise.all([...bodies].reverse().map((b) => svc.post(b)));
    const answers = replies.reverse().flatMap((r) => {
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return r.json.sessions;
    });
    assert.deepEqual(answers, await calibrateOffline(sessions, wild7Protocol(), 'chain'));
    await svc.close();
  });
});
