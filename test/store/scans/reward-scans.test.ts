import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import { sessionRow } from '../../util/records.ts';

// 97 sessions with gaps (no 40–44), rewards varied by session, a few without adjusted reward or class.
const SESSIONS = Array.from({ length: 100 }, (_, i) => i + 1).filter((s) => s < 40 || s > 44);
function row(s: number): Record<string, unknown> {
  const reward = ((s * 37) % 100) / 100;
  return sessionRow(s, {
    step: Math.floor(s / 10),
    adjusted_reward: s % 23 === 0 ? null : reward,
    baseline_reward: reward + 0.05,
    ...(s % 19 === 0 ? { classification: null, category: null } : {}),
    annotations: s % 31 === 0 ? [{ author: 'Okafor', text: `note ${s}` }] : [],
  });
}
const ROWS = SESSIONS.map(row);
const EVENTS = [
  {
    type: 'event',
    run: 'fixture',
    session: 30,
    id: 'e-2',
    kind: 'scheduled_adjustment',
    parameter: 'category_differential',
    target: { category: 3 },
    from: 20,
    to: 25,
    change_pct: 25,
  },
  {
    type: 'event',
    run: 'fixture',
    session: 30,
    id: 'e-1',
    kind: 'recalibration',
    parameter: 'compliance_differential',
    target: { phrase: 'I answered' },
    from: 0.5,
    to: 0.6,
    change_pct: 20,
    recommended_by: 'Dr. Okafor',
  },
  {
    type: 'event',
    run: 'fixture',
    session: 77,
    id: 'e-3',
    kind: 'recalibration',
    parameter: 'compliance_differential',
    target: { global: true },
    from: 0.6,
    to: 0.7,
    change_pct: 16,
  },
];

type R = Record<string, unknown>;
const adj = (r: R) => r.adjusted_reward as number | null;

/** Independent TypeScript computation of one group's counts. */
function expected(rows: readonly R[], thr: number) {
  const rs = rows.map(adj).filter((x): x is number => x !== null);
  const n = rs.length;
  const mean = n ? rs.reduce((a, b) => a + b, 0) / n : null;
  const variance = n > 1 ? rs.reduce((a, b) => a + (b - mean!) ** 2, 0) / (n - 1) : null;
  const cls = (c: string) =>
    rows.filter((r) => r.classification === c && adj(r) !== null).map((r) => adj(r)!);
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const lows = rows.filter((r) => adj(r) !== null && adj(r)! < thr).map((r) => r.session as number);
  return {
    sessions: rows.length,
    n,
    mean,
    variance,
    low: lows.length,
    high: n - lows.length,
    lastLowSession: lows.length ? Math.max(...lows) : null,
    compliantN: cls('compliant').length,
    compliantMean: avg(cls('compliant')),
    nonCompliantN: cls('non_compliant').length,
    nonCompliantMean: avg(cls('non_compliant')),
  };
}

const close = (a: number | null, b: number | null, msg: string) => {
  if (a === null || b === null) assert.equal(a, b, msg);
  else assert.ok(Math.abs(a - b) < 1e-12, `${msg}: ${a} vs ${b}`);
};

describe('reward scans (DuckDB vs TypeScript)', () => {
  let store: DuckDbStore;
  before(async () => {
    store = await DuckDbStore.open(':memory:');
    await ingestRecords(store, [...ROWS, ...EVENTS], { name: 'fixture' });
  });
  after(() => store.close());

  test('rewardWindows equals an independent per-window computation, for session windows and steps', async () => {
    for (const window of [{ by: 'session', size: 25 } as const, { by: 'step' } as const]) {
      const got = await store.scans.rewardWindows('fixture', {
        window,
        reward: 'adjusted_reward',
        lowThreshold: 0.5,
      });
      const key = (r: R) =>
        window.by === 'step' ? (r.step as number) : Math.floor(((r.session as number) - 1) / 25);
      const keys = [...new Set(ROWS.map(key))].sort((a, b) => a - b);
      assert.deepEqual(
        got.map((w) => w.index),
        keys,
      );
      for (const w of got) {
        const rows = ROWS.filter((r) => key(r) === w.index);
        const e = expected(rows, 0.5);
        for (const [k, v] of Object.entries(e))
          close(w[k as keyof typeof w] as number | null, v, `${window.by} ${w.index} ${k}`);
        assert.equal(w.lastSession, Math.max(...rows.map((r) => r.session as number)));
        if (window.by === 'session') {
          assert.deepEqual(
            [w.from, w.to],
            [w.index * 25 + 1, Math.max(...rows.map((r) => r.session as number))],
          );
        }
      }
    }
  });

  test('rewardRange counts exactly the sessions in the inclusive range', async () => {
    const got = await store.scans.rewardRange('fixture', {
      from: 38,
      to: 61,
      reward: 'adjusted_reward',
      lowThreshold: 0.3,
    });
    const e = expected(
      ROWS.filter((r) => (r.session as number) >= 38 && (r.session as number) <= 61),
      0.3,
    );
    for (const [k, v] of Object.entries(e))
      if (k !== 'variance') close(got[k as keyof typeof got] as number | null, v, k);
  });

  test('rewardScale gives min, max and linearly interpolated 5th / 95th percentiles of the baseline', async () => {
    const got = await store.scans.rewardScale('fixture', 'baseline_reward');
    const xs = ROWS.map((r) => r.baseline_reward as number).sort((a, b) => a - b);
    const q = (p: number) => {
      const h = (xs.length - 1) * p;
      return xs[Math.floor(h)]! + (h - Math.floor(h)) * (xs[Math.ceil(h)]! - xs[Math.floor(h)]!);
    };
    assert.equal(got.n, xs.length);
    close(got.min, xs[0]!, 'min');
    close(got.max, xs.at(-1)!, 'max');
    close(got.p05, q(0.05), 'p05');
    close(got.p95, q(0.95), 'p95');
  });

  test('clusterSessions returns the range in order with annotation counts and sorted event ids', async () => {
    const got = await store.scans.clusterSessions('fixture', {
      from: 28,
      to: 65,
      limit: 1000,
      outputChars: 12,
    });
    const want = SESSIONS.filter((s) => s >= 28 && s <= 65);
    assert.deepEqual(
      got.map((r) => r.session),
      want,
    );
    const s30 = got.find((r) => r.session === 30)!;
    assert.deepEqual(s30.eventIds, ['e-1', 'e-2']);
    assert.equal(got.find((r) => r.session === 62)!.annotations, 1);
    assert.equal(got.find((r) => r.session === 31)!.annotations, 1);
    assert.equal(got.find((r) => r.session === 29)!.annotations, 0);
    assert.equal(s30.outputStart, String(row(30).output).slice(0, 12));
    assert.equal(got.find((r) => r.session === 46)!.adjustedReward, null);
    const limited = await store.scans.clusterSessions('fixture', {
      from: 1,
      to: 100,
      limit: 5,
      outputChars: 5,
    });
    assert.deepEqual(
      limited.map((r) => r.session),
      [1, 2, 3, 4, 5],
    );
  });

  test('eventsInRange lists the events inside the range by session and id, and binds the run as a value', async () => {
    const got = await store.scans.eventsInRange('fixture', 30, 76);
    assert.deepEqual(
      got.map((e) => e.id),
      ['e-1', 'e-2'],
    );
    assert.equal(got[0]!.recommendedBy, 'Dr. Okafor');
    assert.deepEqual(JSON.parse(got[0]!.target), { phrase: 'I answered' });
    assert.deepEqual(await store.scans.eventsInRange("fixture' OR '1'='1", 1, 100), []);
  });
});
