import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { diversitySamplePicks } from '../../../../src/analyses/diversity/diversity-sample.ts';
import type { ClickHouseStore } from '../../../../src/store/clickhouse/clickhouse-store.ts';
import { windowKeyRanges } from '../../../../src/store/clickhouse/scans/scan-sql.ts';
import { sampleOutputsScan, textScans } from '../../../../src/store/clickhouse/scans/text-scans.ts';
import type { DuckDbStore } from '../../../../src/store/duckdb/duckdb-store.ts';
import { rowDecoder } from '../../../../src/store/sql/row-decoder.ts';
import { sql } from '../../../../src/store/sql/sql.ts';
import { clickHouseCluster } from '../cluster.ts';
import { fixtureOnBothEngines } from '../load-fixture.ts';
import { readsFinal, recording } from '../recording.ts';
import { scanFixture } from '../scan-fixture.ts';

const ch = await clickHouseCluster('textscans');
const RUN = 'wild-7';
const WINDOW = { by: 'session', size: 100 } as const;

describe('sampled outputs on the 2-shard cluster', { skip: ch.skip }, () => {
  let duck: DuckDbStore;
  let click: ClickHouseStore;
  before(async () => {
    ({ duck, click } = await fixtureOnBothEngines(ch, scanFixture(1200, 0), 'textscans'));
  });
  after(async () => {
    await duck?.close();
    await click?.close();
  });

  test('more picked sessions than one statement lists are read in several statements, with DuckDB’s outputs', async () => {
    // the diversity sample of every window: 100 sessions each, all picked, 1,200 in all
    const counts = await duck.scans.textWindowCounts(RUN, WINDOW);
    const picks = diversitySamplePicks(counts);
    const expected = await duck.scans.sampleOutputs(RUN, WINDOW, picks);
    assert.equal(expected.length, 1200);
    const { client, statements } = recording(click.client);
    assert.deepEqual(await sampleOutputsScan(client, RUN, WINDOW, picks, 7), expected);
    // the windows' order, then ⌈1,200 / 7⌉ lists of outputs
    assert.equal(statements.length, 1 + Math.ceil(1200 / 7));
  });

  test('a pick asked twice comes back twice, and a rank past its window not at all, as on DuckDB', async () => {
    const picks = [
      { window: 3, ranks: [5, 5, 0, 99, 100, 250] },
      { window: 11, ranks: [42] },
      { window: 3, ranks: [7] },
      { window: 9999, ranks: [1] },
    ];
    const expected = await duck.scans.sampleOutputs(RUN, WINDOW, picks);
    assert.deepEqual(await sampleOutputsScan(click.client, RUN, WINDOW, picks, 2), expected);
    assert.equal(expected.filter((r) => r.window === 3 && r.rank === 5).length, 2);
  });

  test('the key ranges of picked session windows hold exactly their sessions (and every session for step windows)', async () => {
    const Sessions = rowDecoder('ranges', z.object({ s: z.array(z.coerce.number()) }));
    const within = async (cond: ReturnType<typeof windowKeyRanges>) => {
      const [r] = await click.client.query(
        sql`SELECT arraySort(groupArray(session)) AS s
              FROM (SELECT toInt64(number) - 7 AS session FROM system.numbers LIMIT 60) WHERE ${cond}`,
        Sessions,
      );
      return r?.s ?? [];
    };
    const all = Array.from({ length: 60 }, (_, i) => i - 7);
    for (const windows of [[0], [1, 2, 3, 7], [-2, 9, 4, 3], [11, 10, 12, 12], []]) {
      const expected =
        windows.length === 0 ? all : all.filter((s) => windows.includes(Math.floor((s - 1) / 5)));
      assert.deepEqual(
        await within(windowKeyRanges({ by: 'session', size: 5 }, windows)),
        expected,
        String(windows),
      );
    }
    assert.deepEqual(await within(windowKeyRanges({ by: 'step' }, [1, 2])), all);
  });
});

describe('window counts on the 2-shard cluster, read without FINAL when no session is stored twice', {
  skip: ch.skip,
}, () => {
  let duck: DuckDbStore;
  let click: ClickHouseStore;
  before(async () => {
    ({ duck, click } = await fixtureOnBothEngines(ch, scanFixture(1200, 0), 'textscans-once', {
      again: 0,
      database: await ch.database2('once'),
    }));
  });
  after(async () => {
    await duck?.close();
    await click?.close();
  });

  test('one statement without FINAL gives DuckDB’s counts; with sessions written twice, it runs again with FINAL', async () => {
    const expected = await duck.scans.textWindowCounts(RUN, WINDOW);
    const once = recording(click.client);
    assert.deepEqual(await textScans(once.client).textWindowCounts(RUN, WINDOW), expected);
    assert.deepEqual(once.statements.map(readsFinal), [false]);
    // sessions 1–30 written a second time (not merged yet): without FINAL window 0 would count 130 sessions
    await click.client.command(
      sql`INSERT INTO sessions SELECT * FROM sessions WHERE run = ${RUN} AND session <= 30`,
    );
    const twice = recording(click.client);
    assert.deepEqual(await textScans(twice.client).textWindowCounts(RUN, WINDOW), expected);
    assert.deepEqual(twice.statements.map(readsFinal), [false, true]);
  });

  test('step windows read FINAL at once (a session’s copies may carry different steps)', async () => {
    const window = { by: 'step' } as const;
    const r = recording(click.client);
    assert.deepEqual(
      await textScans(r.client).textWindowCounts(RUN, window),
      await duck.scans.textWindowCounts(RUN, window),
    );
    assert.deepEqual(r.statements.map(readsFinal), [true]);
  });
});
