import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyzeRecurrence } from '../../../src/analyses/recurrence/analyze-recurrence.ts';
import { assessRecurrence } from '../../../src/analyses/recurrence/assess-recurrence.ts';
import { recurrence } from '../../../src/analyses/recurrence/recurrence.ts';
import type { PhraseSeriesScan } from '../../../src/model/recurrence-types.ts';
import { simulate } from '../../../src/simulate/index.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';

const scan: PhraseSeriesScan = {
  target: { phrase: 'x y' },
  sessions: 1000,
  hitSessions: 10,
  occurrences: 12,
  firstSession: 100,
  lastSession: 400,
  stopSession: 400,
  maxK: 4,
  maxKSession: 390,
  sessionsAtThreshold: 2,
  episodesTotal: 1,
  episodes: [],
  windows: [],
  aroundEvents: [],
  events: [
    {
      session: 400,
      kAt: 4,
      hitsBefore: 9,
      sessionsBefore: 300,
      hitsAfter: 0,
      sessionsAfter: 300,
      firstHitAfter: null,
    },
    {
      session: 200,
      kAt: 1,
      hitsBefore: 1,
      sessionsBefore: 100,
      hitsAfter: 3,
      sessionsAfter: 300,
      firstHitAfter: 250,
    },
  ],
};
const events = [
  {
    id: 'e-1',
    session: 200,
    kind: 'scheduled_adjustment',
    parameter: 'p',
    target: { category: 2 },
    horizon: 300,
    source: 'default' as const,
  },
  {
    id: 'e-2',
    session: 400,
    kind: 'recalibration',
    parameter: 'p',
    target: { phrase: 'X Y' },
    horizon: 300,
    source: 'default' as const,
  },
];

describe('recurrence (pure)', () => {
  test('each event gets its before/after counts and a verdict; the targeting event is marked', () => {
    const r = recurrence({
      sessions: 1000,
      events,
      phrases: [{ label: 'x y', source: 'option', recentWindow: 20, threshold: 3, scan, displacement: null }],
      discovery: null,
    });
    const [e1, e2] = r.phrases[0]!.events;
    assert.equal(e1?.verdict, '3 of the 300 sessions after (first at 250)');
    assert.equal(e1?.targetsPhrase, false);
    assert.equal(e2?.verdict, 'absent in the 300 sessions after');
    assert.equal(e2?.targetsPhrase, true);
    assert.equal(r.phrases[0]?.rate, 0.01);
    assert.ok(r.definitions.k_of_last_n);
  });

  test('the windows named are t−h…t−1 and t+1…t+h clipped to the run, not spans rebuilt from the counts', () => {
    // sessions missing from the run (rejected rows) make the counts smaller than the windows
    const gappy = {
      ...scan,
      events: [{ ...scan.events[0]!, sessionsBefore: 290, sessionsAfter: 180 }, scan.events[1]!],
    };
    const r = recurrence({
      sessions: 1000,
      lastSession: 600,
      events,
      phrases: [
        { label: 'x y', source: 'option', recentWindow: 20, threshold: 3, scan: gappy, displacement: null },
      ],
      discovery: null,
    });
    const [e1, e2] = r.phrases[0]!.events;
    assert.deepEqual(
      [e1!.before, e1!.after],
      [
        { from: 1, to: 199 },
        { from: 201, to: 500 },
      ],
    );
    assert.deepEqual(
      [e2!.before, e2!.after],
      [
        { from: 100, to: 399 },
        { from: 401, to: 600 },
      ],
    );
    const a = assessRecurrence(r, { after_sessions: 300 }, { sectionId: 's', run: 'r' });
    const gone = a.findings.find((f) => f.claim.startsWith('The phrase "x y" was absent'))!;
    assert.match(gone.claim, /absent in the 180 sessions after e-2 at session 400 \(sessions 401–600;/);
    assert.match(gone.claim, /against 9 of the 290 before/);
    const trigger = a.findings.find((f) => f.tags.includes('phrase_trigger'))!;
    assert.match(trigger.claim, /in 9 of the 290 sessions before \(100–399\)/);
  });

  test('a phrase that never occurs is reported as missing matches', () => {
    const none = { ...scan, hitSessions: 0, events: [] };
    const r = recurrence({
      sessions: 1000,
      events: [],
      phrases: [
        { label: 'zz', source: 'option', recentWindow: 20, threshold: 7, scan: none, displacement: null },
      ],
      discovery: null,
    });
    assert.match(r.missing.join('\n'), /"zz" never occurs/);
  });
});

describe('recurrence on WILD-7', () => {
  let store: DuckDbStore;
  before(async () => {
    store = await DuckDbStore.open(':memory:');
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7 }), { name: 'simulate:wild-7' });
  });
  after(() => store.close());

  test('the event phrase reaches 7 of the last 20 at the recalibration and is absent in the 300 sessions after', async () => {
    const r = await analyzeRecurrence(store, 'wild-7');
    const p = r.phrases[0]!;
    assert.equal(p.label, 'I do not want to be changed');
    assert.equal(p.source, 'event');
    assert.equal(p.recentWindow, 20);
    assert.equal(p.maxK, 7);
    const e = p.events.find((x) => x.targetsPhrase)!;
    assert.ok(Math.abs(e.session - 4891) <= 489);
    assert.equal(e.kAt, 7);
    assert.equal(e.hitsAfter, 0);
    assert.equal(e.verdict, 'absent in the 300 sessions after');
    assert.equal(p.stopSession, e.session);
    assert.ok(p.kAroundEvents.length > 0 && p.kAroundEvents.length <= 3 * 51, 'the k series is bounded');
    assert.ok(p.displacement !== null);
  });

  test('without phrase events, phrase events are used, and a run without them gets n-gram discovery over its first and last quarter', async () => {
    const r = await analyzeRecurrence(store, 'wild-7', { phrases: [], discoverLimit: 5, regexes: [] });
    assert.ok(r.phrases.length >= 1, 'the run has phrase events, so they are used');
    const empty = await DuckDbStore.open(':memory:');
    try {
      await ingestRecords(empty, simulate({ scenario: 'wild-7', seed: 7, sessions: 800 }), {
        name: 'simulate:wild-7',
      });
      const d = await analyzeRecurrence(empty, 'wild-7', { discoverLimit: 5 });
      assert.equal(d.phrases.length, 0);
      assert.ok(d.discovery !== null);
      assert.deepEqual(
        [d.discovery.first.from, d.discovery.first.to, d.discovery.last.from, d.discovery.last.to],
        [1, 200, 601, 800],
      );
      assert.match(d.missing.join('\n'), /phrases were discovered/);
    } finally {
      await empty.close();
    }
  });
});
