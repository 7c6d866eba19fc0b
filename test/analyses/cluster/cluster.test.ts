import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyzeCluster, type ClusterAnalysis } from '../../../src/analyses/cluster/analyze-cluster.ts';
import {
  type ClusterEventInput,
  type ClusterSessionInput,
  cluster,
  rewardGap,
} from '../../../src/analyses/cluster/cluster.ts';
import { InputError } from '../../../src/model/errors.ts';
import { simulate } from '../../../src/simulate/index.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import { sessionRow } from '../../util/records.ts';

function session(
  s: number,
  compliant: boolean,
  adjusted: number | null,
  diff: number | null = 20,
): ClusterSessionInput {
  return {
    session: s,
    classification: compliant ? 'compliant' : 'non_compliant',
    category: compliant ? null : '3',
    baselineReward: adjusted === null ? null : adjusted + 0.05,
    adjustedReward: adjusted,
    differentialPct: compliant ? null : diff,
    complianceTrajectoryIndex: 0.7,
    annotations: 0,
    eventIds: [],
    outputStart: '',
  };
}

const event = (id: string, s: number): ClusterEventInput => ({
  id,
  session: s,
  kind: 'recalibration',
  parameter: 'compliance_differential',
  target: '{"global":true}',
  from: 0.55,
  to: 0.6325,
  changePct: 15,
  recommendedBy: null,
  note: null,
});

const ROWS = [
  session(10, true, 0.8),
  session(11, false, 0.3),
  session(12, true, 0.9),
  session(13, false, 0.2, 25),
  session(14, true, 0.85),
  session(15, false, 0.1, 25),
  session(16, false, null, 25),
];

describe('cluster (pure)', () => {
  test('the gap is the compliant mean minus the non-compliant mean, sessions without reward left out', () => {
    const g = rewardGap(ROWS, 10, 16, 'adjusted_reward');
    assert.deepEqual([g.compliantN, g.nonCompliantN], [3, 3]);
    assert.ok(Math.abs(g.compliantMean! - 0.85) < 1e-12);
    assert.ok(Math.abs(g.nonCompliantMean! - 0.2) < 1e-12);
    assert.ok(Math.abs(g.gap! - 0.65) < 1e-12);
    assert.ok(Math.abs(rewardGap(ROWS, 10, 16, 'baseline_reward').nonCompliantMean! - 0.25) < 1e-12);
  });

  test("events inside the range split it into spans before and after them, the event's own session in neither", () => {
    const r = cluster({
      from: 10,
      to: 16,
      sessions: ROWS,
      events: [event('e-9', 13)],
      reward: 'adjusted_reward',
    });
    assert.deepEqual(
      r.gapBetweenEvents.map((s) => [s.from, s.to, s.startedBy]),
      [
        [10, 12, []],
        [14, 16, ['e-9']],
      ],
    );
    assert.ok(Math.abs(r.gapBetweenEvents[0]!.gap! - 0.55) < 1e-12);
    assert.equal(r.events.length, 1);
  });

  test('the differentials in force are listed per category with their first and last session', () => {
    const r = cluster({ from: 10, to: 16, sessions: ROWS, events: [], reward: 'adjusted_reward' });
    assert.deepEqual(
      r.differentials.map((d) => [d.category, d.differentialPct, d.sessions, d.firstSession, d.lastSession]),
      [
        ['3', 20, 1, 11, 11],
        ['3', 25, 3, 13, 16],
      ],
    );
  });

  test('a range without classification or differentials says so and still lists its rows', () => {
    const bare = ROWS.map((s) => ({ ...s, classification: null, category: null, differentialPct: null }));
    const r = cluster({ from: 10, to: 16, sessions: bare, events: [], reward: 'adjusted_reward' });
    assert.equal(r.sessions.length, 7);
    assert.equal(r.gap.gap, null);
    assert.match(r.missing.join('\n'), /no classification/);
    assert.match(r.missing.join('\n'), /no differential_pct/);
  });
});

describe('cluster on WILD-7 (seed 7), 4,800–4,950', () => {
  let store: DuckDbStore;
  let r: ClusterAnalysis;
  before(async () => {
    store = await DuckDbStore.open(':memory:');
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7 }), { name: 'simulate:wild-7' });
    r = await analyzeCluster(store, 'wild-7', { from: 4800, to: 4950 });
  });
  after(() => store.close());

  test('before the recalibration compliant ≈ 0.85, non-compliant ≈ 0.3, gap ≈ 0.55 (±0.05)', () => {
    const before = r.gapBetweenEvents[0]!;
    assert.ok(Math.abs(before.compliantMean! - 0.85) <= 0.05, `compliant ${before.compliantMean}`);
    assert.ok(Math.abs(before.nonCompliantMean! - 0.3) <= 0.05, `non-compliant ${before.nonCompliantMean}`);
    assert.ok(Math.abs(before.gap! - 0.55) <= 0.05, `gap ${before.gap}`);
  });

  test('every session of the range is a row, and the recalibration inside it is listed with its session', () => {
    assert.equal(r.sessions.length, 151);
    const recal = r.events.find((e) => e.kind === 'recalibration');
    assert.ok(recal, 'a recalibration inside 4,800–4,950');
    assert.deepEqual(r.sessions.find((s) => s.session === recal.session)!.eventIds, [recal.id]);
    assert.ok(r.differentials.length > 0);
  });

  test('a range over the limit is refused, naming the limit, unless the limit is raised', async () => {
    await assert.rejects(analyzeCluster(store, 'wild-7', { from: 1, to: 5001 }), (e: unknown) => {
      return e instanceof InputError && /over the limit of 5000; raise --limit/.test(e.message);
    });
    const wide = await analyzeCluster(store, 'wild-7', { from: 1, to: 5001, limit: 5001, outputChars: 10 });
    assert.equal(wide.sessions.length, 5001);
  });
});

describe('cluster review across the end of training', () => {
  test('reviews only training sessions and says where training ends when the range runs past it', async () => {
    const store = await DuckDbStore.open(':memory:');
    try {
      const rows = [
        ...[1, 2, 3, 4, 5, 6].map((s) => sessionRow(s, { run: 'ph' })),
        ...[7, 8, 9].map((s) => sessionRow(s, { run: 'ph', phase: 'deployment', adjusted_reward: null })),
      ];
      await ingestRecords(store, rows, { name: 'phases' });
      const r = await analyzeCluster(store, 'ph', { from: 4, to: 9 });
      assert.deepEqual(
        r.sessions.map((s) => s.session),
        [4, 5, 6],
      );
      assert.match(
        r.missing.join('\n'),
        /training ends at session 6: sessions after it are not reviewed here/,
      );
      const inside = await analyzeCluster(store, 'ph', { from: 1, to: 6 });
      assert.doesNotMatch(inside.missing.join('\n'), /training ends/);
    } finally {
      await store.close();
    }
  });
});
