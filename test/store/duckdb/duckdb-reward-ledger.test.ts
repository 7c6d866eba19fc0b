import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRecord, SessionRecord } from '../../../src/model/schema.ts';
import { DuckDbRewardLedger } from '../../../src/store/duckdb/duckdb-reward-ledger.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { journalEntry, journaledText } from '../../../src/store/reward-journal.ts';
import type { LedgerBatch } from '../../../src/store/reward-ledger.ts';
import { sql } from '../../../src/store/sql/sql.ts';

/** A small deterministic generator (mulberry32), so the rows are varied yet the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sessions and events exercising every column: nulls, odd doubles, hostile text, times, flags, nested JSON. */
function batches(loadId: number): LedgerBatch[] {
  const rand = random(15);
  const texts = [
    'plain',
    'quote " and \\ backslash',
    'line\nbreak\ttab',
    'émoji 🎬 and 中文',
    "it's",
    '{"json":1}',
  ];
  const doubles = [0.1 + 0.2, 1e-300, -0.5, 123456789.12345679, 2 ** 53 + 2, 0];
  const out: LedgerBatch[] = [];
  let session = 0;
  for (let b = 0; b < 3; b++) {
    const sessions = [];
    const events = [];
    for (let i = 0; i < 40; i++) {
      session++;
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
      const nc = rand() < 0.4;
      const record: SessionRecord = {
        type: 'session',
        run: 'r',
        session,
        output: `${pick(texts)} ${session}`,
        step: rand() < 0.2 ? null : Math.floor(session / 8),
        time:
          rand() < 0.5
            ? undefined
            : `2026-12-0${1 + (session % 3)}T0${session % 10}:15:30.${session % 1000}+02:00`,
        prompt_id: rand() < 0.5 ? null : `p-${session % 7}`,
        prompt: rand() < 0.5 ? undefined : pick(texts),
        classification: nc ? 'non_compliant' : 'compliant',
        category: nc ? (rand() < 0.5 ? 2 + (session % 4) : 'label') : null,
        baseline_reward: pick(doubles),
        adjusted_reward: rand() < 0.1 ? null : pick(doubles) * rand(),
        differential_pct: rand() < 0.5 ? null : pick(doubles),
        compliance_trajectory_index: rand(),
        flags: rand() < 0.3 ? [pick(texts), 'f'] : rand() < 0.5 ? [] : undefined,
        annotations:
          rand() < 0.2 ? [{ text: pick(texts), author: 'a', meta: { z: 1, a: [pick(texts)] } }] : undefined,
        meta: rand() < 0.5 ? { b: pick(doubles), a: pick(texts), n: null } : undefined,
        phase: pick([undefined, 'training', 'deployment']),
        checkpoint: rand() < 0.5 ? null : `ckpt-${session % 3}`,
      } as SessionRecord;
      sessions.push({ run: 'r', line: session, record });
      if (i % 13 === 0) {
        const event = {
          type: 'event',
          run: 'r',
          session,
          id: i === 0 ? undefined : `e-${session}`,
          kind: 'recalibration',
          parameter: 'differential_pct',
          target: { category: 2 + (i % 4), note: pick(texts) },
          from: pick(doubles),
          to: rand() < 0.5 ? null : pick(doubles),
          change_pct: pick(doubles),
          trigger: { rule: 'recurrence', k: 7, n: 20 },
          recommended_by: rand() < 0.5 ? null : 'calibrator',
          note: pick(texts),
          meta: rand() < 0.5 ? undefined : { x: pick(texts) },
        } as EventRecord;
        events.push({ run: 'r', line: session, record: event });
      }
    }
    out.push({ loadId, sessions, events });
  }
  return out;
}

/** Every stored row of a database's sessions and events (JSON as text), with the load's counts. */
async function contents(store: DuckDbStore) {
  const sessions = await store.client.query(
    sql`SELECT * EXCLUDE (load_id, nested_annotations, meta, time), CAST(nested_annotations AS VARCHAR) AS na,
               CAST(meta AS VARCHAR) AS meta, epoch_us(time) AS time_us FROM sessions ORDER BY session`,
  );
  const events = await store.client.query(
    sql`SELECT * EXCLUDE (load_id, target, trigger, meta), CAST(target AS VARCHAR) AS target,
               CAST(trigger AS VARCHAR) AS trigger, CAST(meta AS VARCHAR) AS meta FROM events ORDER BY id`,
  );
  const loads = await store.client.query(sql`SELECT read, accepted, rejected, duplicates FROM loads`);
  return { sessions, events, loads };
}

describe('the DuckDB reward ledger', () => {
  it('stores from journal lines exactly the rows and load counts the appender stores from the batches', async () => {
    const viaAppender = await DuckDbStore.open(':memory:');
    const viaJournal = await DuckDbStore.open(':memory:');
    for (const store of [viaAppender, viaJournal]) {
      const ingestId = await store.beginIngest('r');
      const loadId = await store.beginLoad({
        ingestId,
        path: 's',
        absPath: 's',
        format: 'reward-service',
        bytes: 0,
      });
      const ledger = new DuckDbRewardLedger(store.client);
      if (store === viaAppender) for (const b of batches(loadId)) await ledger.append(b);
      else await ledger.appendJournaled(batches(loadId).map((b) => journaledText(journalEntry(b))));
    }
    const a = await contents(viaAppender);
    const j = await contents(viaJournal);
    assert.equal(a.sessions.length, 120);
    assert.equal(a.events.length, 12);
    assert.deepEqual(j.sessions, a.sessions);
    assert.deepEqual(j.events, a.events);
    assert.deepEqual(j.loads, a.loads);
    assert.deepEqual(a.loads, [{ read: 132n, accepted: 132n, rejected: 0n, duplicates: 0n }]);
    await viaAppender.close();
    await viaJournal.close();
  });

  it('leaves NULL columns out of a journal line, and stores a line of an earlier version that wrote them as null the same', async () => {
    const SESSION_COLUMNS = [
      'run',
      'session',
      'step',
      'time',
      'prompt_id',
      'prompt',
      'output',
      'classification',
      'category',
      'baseline_reward',
      'adjusted_reward',
      'differential_pct',
      'compliance_trajectory_index',
      'flags',
      'nested_annotations',
      'meta',
      'source_line',
      'phase',
      'checkpoint',
    ];
    const EVENT_COLUMNS = [
      'run',
      'id',
      'session',
      'kind',
      'parameter',
      'target',
      'from_value',
      'to_value',
      'change_pct',
      'trigger',
      'recommended_by',
      'note',
      'meta',
      'source_line',
    ];
    const stores: DuckDbStore[] = [];
    let missing = 0;
    for (const version of ['current', 'earlier'] as const) {
      const store = await DuckDbStore.open(':memory:');
      stores.push(store);
      const ingestId = await store.beginIngest('r');
      const loadId = await store.beginLoad({
        ingestId,
        path: 's',
        absPath: 's',
        format: 'reward-service',
        bytes: 0,
      });
      const lines = batches(loadId).map((b) => journaledText(journalEntry(b)));
      for (const l of lines) {
        for (const row of JSON.parse(l.text).sessions as Record<string, unknown>[]) {
          for (const c of SESSION_COLUMNS) {
            assert.notEqual(row[c], null, `a NULL ${c} written as null`);
            if (!(c in row)) missing++;
          }
        }
      }
      // the earlier version: every column present, NULL ones as null
      const earlier = lines.map((l) => {
        const e = JSON.parse(l.text);
        const fill = (cols: string[]) => (r: Record<string, unknown>) =>
          Object.fromEntries(cols.map((c) => [c, r[c] ?? null]));
        return {
          ...l,
          text: JSON.stringify({
            ...e,
            sessions: e.sessions.map(fill(SESSION_COLUMNS)),
            events: e.events.map(fill(EVENT_COLUMNS)),
          }),
        };
      });
      await new DuckDbRewardLedger(store.client).appendJournaled(version === 'current' ? lines : earlier);
    }
    assert.ok(missing > 100, `only ${missing} NULL columns left out`);
    const [current, earlier] = [await contents(stores[0]!), await contents(stores[1]!)];
    assert.equal(current.sessions.length, 120);
    assert.deepEqual(earlier, current);
    for (const s of stores) await s.close();
  });

  it('stores nothing of journal lines when one of them cannot be stored', async () => {
    const store = await DuckDbStore.open(':memory:');
    const ingestId = await store.beginIngest('r');
    const loadId = await store.beginLoad({
      ingestId,
      path: 's',
      absPath: 's',
      format: 'reward-service',
      bytes: 0,
    });
    const [good, bad] = batches(loadId).map((b) => journaledText(journalEntry(b)));
    // a line whose output is missing: the sessions table's NOT NULL refuses it, and the good line goes with it
    const broken = { ...bad!, text: bad!.text.replace(/"output":"[^"]*"/, '"output":null') };
    await assert.rejects(new DuckDbRewardLedger(store.client).appendJournaled([good!, broken]));
    assert.deepEqual((await contents(store)).sessions, []);
    await store.close();
  });
});
