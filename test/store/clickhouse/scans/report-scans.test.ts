import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClickHouseStore } from '../../../../src/store/clickhouse/clickhouse-store.ts';
import { reportScans } from '../../../../src/store/clickhouse/scans/report-scans.ts';
import type { DuckDbStore } from '../../../../src/store/duckdb/duckdb-store.ts';
import type { SessionIndexRow } from '../../../../src/store/scans/report-scans.ts';
import { sessionRow } from '../../../util/records.ts';
import { clickHouseCluster } from '../cluster.ts';
import { fixtureOnBothEngines } from '../load-fixture.ts';
import { recording } from '../recording.ts';

const ch = await clickHouseCluster('reportscans');
const GAPPED = 'gapped';
const DENSE = 'dense';

/** Session numbers with gaps of every size (1 to 400), so that cells by rank are not cells by number. */
const gappedSessions: number[] = [];
for (let i = 0, s = 1; i < 700; i++, s += i % 7 === 0 ? ((i * i) % 400) + 1 : 1) gappedSessions.push(s);

function* records(): Generator<unknown> {
  for (const [i, session] of gappedSessions.entries()) {
    const category = ['a', 'b', 'c'][(i * 7) % 3]!;
    yield sessionRow(session, {
      run: GAPPED,
      classification: i % 11 === 0 ? null : i % 2 === 0 ? 'non_compliant' : 'compliant',
      category: i % 2 === 0 && i % 11 !== 0 ? category : null,
      step: i % 13 === 0 ? null : Math.floor(i / 9),
      baseline_reward: i % 17 === 0 ? null : (i % 10) / 10 + 0.01,
      adjusted_reward: (i % 5) / 5,
      flags: i % 50 === 0 ? ['f'] : [],
    });
  }
  for (let s = 1; s <= 300; s++) yield sessionRow(s, { run: DENSE });
  // events at existing sessions, and one at a session number the run does not have
  const at = [
    gappedSessions[0]!,
    gappedSessions[5]!,
    gappedSessions[5]!,
    gappedSessions[699]!,
    gappedSessions[6]! + 1,
  ];
  for (const [i, session] of at.entries()) {
    yield {
      type: 'event',
      run: GAPPED,
      id: `ev-${(i * 7) % 5}`,
      session,
      kind: 'recalibration',
      parameter: 'p',
      target: { global: true },
      from: 1,
      to: 2,
    };
  }
}

/** Rewards are float sums the engines add in their own orders (the last bits may differ). */
function sameIndex(actual: SessionIndexRow[], expected: SessionIndexRow[]): void {
  const strip = (rows: SessionIndexRow[]) => rows.map((r) => ({ ...r, reward: r.reward === null }));
  assert.deepEqual(strip(actual), strip(expected));
  for (const [i, r] of expected.entries()) {
    if (r.reward !== null) assert.ok(Math.abs(actual[i]!.reward! - r.reward) <= 1e-12 * Math.abs(r.reward));
  }
}

describe('the session index on the 2-shard cluster', { skip: ch.skip }, () => {
  let duck: DuckDbStore;
  let click: ClickHouseStore;
  before(async () => {
    ({ duck, click } = await fixtureOnBothEngines(ch, records(), 'reportscans'));
  });
  after(async () => {
    await duck?.close();
    await click?.close();
  });

  test('cells by rank over session numbers with gaps are DuckDB’s, for any number of cells', async () => {
    assert.equal(gappedSessions.length, new Set(gappedSessions).size);
    assert.ok(!gappedSessions.includes(gappedSessions[6]! + 1));
    const index = await click.scans.sessionIndex(GAPPED, 7);
    // four events at sessions of the run, in (session, id) order; the one at a missing session is left out
    assert.deepEqual(
      index.flatMap((c) => c.events),
      ['ev-0', 'ev-2', 'ev-4', 'ev-1'],
    );
    for (const maxCells of [1, 3, 7, 64, 699, 700, 10_000]) {
      for (const reward of ['baseline_reward', 'adjusted_reward'] as const) {
        sameIndex(
          await click.scans.sessionIndex(GAPPED, maxCells, reward),
          await duck.scans.sessionIndex(GAPPED, maxCells, reward),
        );
      }
    }
  });

  test('consecutive session numbers are put in cells on the shards, with no sort of the run', async () => {
    const { client, statements } = recording(click.client);
    for (const maxCells of [1, 7, 300, 1000]) {
      statements.length = 0;
      sameIndex(
        await reportScans(client).sessionIndex(DENSE, maxCells),
        await duck.scans.sessionIndex(DENSE, maxCells),
      );
      // bounds, cells, events (none: no second look-up)
      assert.equal(statements.length, 3);
      assert.ok(
        statements.every((q) => !q.includes('groupArray')),
        statements.join('\n'),
      );
    }
    statements.length = 0;
    await reportScans(client).sessionIndex(GAPPED, 7);
    assert.ok(
      statements.some((q) => q.includes('arraySort(groupArray')),
      statements.join('\n'),
    );
  });

  test('an empty run has no cells', async () => {
    assert.deepEqual(await click.scans.sessionIndex('no-such-run', 50), []);
    assert.deepEqual(await duck.scans.sessionIndex('no-such-run', 50), []);
  });
});
