import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClickHouseStore } from '../../../../src/store/clickhouse/clickhouse-store.ts';
import {
  discoverNgramsScan,
  LEVELWISE_LIMITS,
  ngramWindowSharesScan,
} from '../../../../src/store/clickhouse/scans/ngram-scans.ts';
import type { DuckDbStore } from '../../../../src/store/duckdb/duckdb-store.ts';
import type { NgramDiscoveryOptions } from '../../../../src/store/scans/phrase-scans.ts';
import { sql } from '../../../../src/store/sql/sql.ts';
import { clickHouseCluster } from '../cluster.ts';
import { fixtureOnBothEngines } from '../load-fixture.ts';
import { readsFinal, recording } from '../recording.ts';
import { scanFixture } from '../scan-fixture.ts';

const ch = await clickHouseCluster('ngrams');
const RUN = 'wild-7';

/** The statements that count one size of n-grams (the level-wise count). */
const levels = (statements: readonly string[]) =>
  statements.filter((s) => s.includes('ARRAY JOIN arrayDistinct') && !s.includes('AS dir'));
/** The statement that counts every size at once (the fallback). */
const atOnce = (statements: readonly string[]) =>
  statements.filter((s) => s.includes('ARRAY JOIN [1, 2] AS dir'));
/** Does a level statement count only the n-grams whose prefix and suffix were frequent? */
const pruned = (s: string) => s.includes('position(reverse(g)') && s.includes(' IN (');

const OPTIONS: NgramDiscoveryOptions = {
  minN: 1,
  maxN: 6,
  partFraction: 0.25,
  minSupport: 5,
  maxSessionsPerPart: 20_000,
  limit: 50,
};

describe('n-gram discovery on the 2-shard cluster, size by size', { skip: ch.skip }, () => {
  let duck: DuckDbStore;
  let click: ClickHouseStore;
  before(async () => {
    ({ duck, click } = await fixtureOnBothEngines(ch, scanFixture(1200, 0), 'ngrams'));
  });
  after(async () => {
    await duck?.close();
    await click?.close();
  });

  test('each size after the first counts only n-grams whose prefix and suffix were frequent, with DuckDB’s candidates', async () => {
    const r = recording(click.client);
    const found = await discoverNgramsScan(r.client, RUN, OPTIONS);
    assert.deepEqual(found, await duck.scans.discoverNgrams(RUN, OPTIONS));
    assert.ok(found.candidates.length > 0);
    const counted = levels(r.statements);
    assert.ok(counted.length >= 2, `${counted.length} level statements`);
    assert.equal(pruned(counted[0]!), false);
    for (const s of counted.slice(1)) assert.ok(pruned(s), s.slice(0, 300));
    assert.equal(atOnce(r.statements).length, 0);
  });

  test('the counting stops at the first size without a frequent n-gram', async () => {
    // a support only the commonest words reach: a size without a frequent n-gram comes early
    const o = { ...OPTIONS, minSupport: 150 };
    const r = recording(click.client);
    const found = await discoverNgramsScan(r.client, RUN, o);
    assert.deepEqual(found, await duck.scans.discoverNgrams(RUN, o));
    const counted = levels(r.statements).length;
    assert.ok(counted < o.maxN - o.minN + 1, `${counted} level statements for sizes 1–6`);
    // no candidate is longer than the last size counted
    assert.ok(found.candidates.every((c) => c.n < counted));
  });

  test('a size with more frequent n-grams than the limit falls back to one statement, with the same candidates', async () => {
    const r = recording(click.client);
    const found = await discoverNgramsScan(r.client, RUN, OPTIONS, {
      ...LEVELWISE_LIMITS,
      levelMaxGrams: 10,
    });
    assert.deepEqual(found, await duck.scans.discoverNgrams(RUN, OPTIONS));
    assert.equal(atOnce(r.statements).length, 1);
  });

  test('a filter longer than a statement may be leaves its size counted unfiltered, with the same candidates', async () => {
    const r = recording(click.client);
    const found = await discoverNgramsScan(r.client, RUN, OPTIONS, {
      ...LEVELWISE_LIMITS,
      maxQueryBytes: 100,
    });
    assert.deepEqual(found, await duck.scans.discoverNgrams(RUN, OPTIONS));
    const counted = levels(r.statements);
    assert.ok(counted.length >= 2);
    assert.ok(counted.every((s) => !pruned(s)));
  });

  test('a size that starts above 1 is counted unfiltered, then pruned, with DuckDB’s candidates', async () => {
    const o = { ...OPTIONS, minN: 2, maxN: 4, minSupport: 3, limit: 20 };
    const r = recording(click.client);
    const found = await discoverNgramsScan(r.client, RUN, o);
    assert.deepEqual(found, await duck.scans.discoverNgrams(RUN, o));
    const counted = levels(r.statements);
    assert.equal(pruned(counted[0]!), false);
    assert.ok(counted.slice(1).every(pruned));
    assert.ok(found.candidates.every((c) => c.n >= 2 && c.n <= 4));
  });
});

describe('n-gram shares on the 2-shard cluster, read without FINAL when no session is stored twice', {
  skip: ch.skip,
}, () => {
  let duck: DuckDbStore;
  let click: ClickHouseStore;
  const GRAMS = ['the', 'i think', 'as an ai language model', 'no such gram here'];
  before(async () => {
    ({ duck, click } = await fixtureOnBothEngines(ch, scanFixture(1200, 0), 'ngrams-once', {
      again: 0,
      database: await ch.database2('once'),
    }));
  });
  after(async () => {
    await duck?.close();
    await click?.close();
  });

  test('one statement without FINAL gives DuckDB’s shares; with sessions written twice, it runs again with FINAL', async () => {
    const window = { by: 'session', size: 100 } as const;
    const expected = await duck.scans.ngramWindowShares(RUN, GRAMS, window);
    assert.ok(expected[0]!.windows.some((w) => w.hits > 0));
    const once = recording(click.client);
    assert.deepEqual(await ngramWindowSharesScan(once.client, RUN, GRAMS, window), expected);
    assert.deepEqual(once.statements.map(readsFinal), [false]);
    // sessions 1–30 written a second time (not merged yet): counted once all the same
    await click.client.command(
      sql`INSERT INTO sessions SELECT * FROM sessions WHERE run = ${RUN} AND session <= 30`,
    );
    const twice = recording(click.client);
    assert.deepEqual(await ngramWindowSharesScan(twice.client, RUN, GRAMS, window), expected);
    assert.deepEqual(twice.statements.map(readsFinal), [false, true]);
  });

  test('step windows read FINAL at once (a session’s copies may carry different steps)', async () => {
    const window = { by: 'step' } as const;
    const r = recording(click.client);
    assert.deepEqual(
      await ngramWindowSharesScan(r.client, RUN, GRAMS, window),
      await duck.scans.ngramWindowShares(RUN, GRAMS, window),
    );
    assert.deepEqual(r.statements.map(readsFinal), [true]);
  });
});
