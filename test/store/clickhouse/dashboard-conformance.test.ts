import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runAudit } from '../../../src/audit/run-audit.ts';
import { TARGET_PHRASE } from '../../../src/simulate/index.ts';
import { clickHouseDashboardReads } from '../../../src/store/clickhouse/clickhouse-dashboard.ts';
import { createClusterSchema } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../../src/store/clickhouse/clickhouse-store.ts';
import type { DashboardReads, ReviewSortKey } from '../../../src/store/dashboard-reads.ts';
import { duckDbDashboardReads } from '../../../src/store/duckdb/duckdb-dashboard.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import {
  HOSTILE_PHRASES,
  HOSTILE_RUN_IDS,
  HOSTILE_TEXTS,
  INVALID_REGEXES,
  VALID_HOSTILE_REGEXES,
} from '../hostile-values.ts';
import { clickHouseCluster } from './cluster.ts';
import { sameAnswer } from './dashboard-compare.ts';
import { loadFixture } from './load-fixture.ts';
import { scanFixture } from './scan-fixture.ts';

const ch = await clickHouseCluster('dashboard');

type Case = readonly [string, (r: DashboardReads) => Promise<unknown>];

const RUNS = ['wild-7', 'edge', 'no-such-run', HOSTILE_RUN_IDS[0]!, HOSTILE_RUN_IDS[5]!] as const;
const SORTS: readonly ReviewSortKey[] = [
  'session',
  'step',
  'baselineReward',
  'adjustedReward',
  'differentialPct',
  'complianceTrajectoryIndex',
  'annotations',
];

function cases(run: string): Case[] {
  const out: Case[] = [];
  const add = (name: string, fn: (r: DashboardReads) => Promise<unknown>) => out.push([name, fn]);
  for (const maxCells of [1, 7, 100, 4000]) {
    add(`sessionIndex ${maxCells} cells`, (r) => r.sessionIndex({ run, maxCells }));
  }
  add('sessionIndex of a range', (r) => r.sessionIndex({ run, from: 5, to: 333, maxCells: 17 }));
  add('sessionIndex of a range past the end', (r) =>
    r.sessionIndex({ run, from: 40, to: 90_000, maxCells: 9 }),
  );
  add('sessionIndex of an empty range', (r) => r.sessionIndex({ run, from: 50, to: 10, maxCells: 9 }));
  for (const sort of SORTS) {
    for (const descending of [false, true]) {
      add(`review by ${sort}${descending ? ' desc' : ''}`, (r) =>
        r.review({ run, from: 0, to: 1e15, sort, descending, offset: 0, limit: 40, outputChars: 30 }),
      );
    }
  }
  add('review of a range, page 2', (r) =>
    r.review({
      run,
      from: 10,
      to: 900,
      sort: 'adjustedReward',
      descending: true,
      offset: 25,
      limit: 25,
      outputChars: 3,
    }),
  );
  for (const classOf of [
    'compliant',
    'unclassified',
    '3',
    ' Category_2',
    '?',
    HOSTILE_TEXTS[0]!,
    HOSTILE_TEXTS[2]!,
  ]) {
    add(`review of class ${JSON.stringify(classOf)}`, (r) =>
      r.review({
        run,
        from: 0,
        to: 1e15,
        sort: 'session',
        descending: false,
        classOf,
        offset: 0,
        limit: 30,
        outputChars: 2000,
      }),
    );
  }
  for (const contains of [
    'the',
    'CAT',
    'école',
    'İstanbul',
    // ASCII texts that DuckDB's lower() finds in 'İSTANBUL' (İ → i) and 'STRASSE' (the prefilter's edge)
    'istanbul',
    'strasse',
    "'; drop",
    '%_',
    '👍🏽',
    'line one\nline',
  ]) {
    add(`review containing ${JSON.stringify(contains)}`, (r) =>
      r.review({
        run,
        from: 0,
        to: 1e15,
        sort: 'step',
        descending: false,
        contains,
        offset: 0,
        limit: 30,
        outputChars: 12,
      }),
    );
  }
  for (const [window, maxPoints] of [
    [undefined, 400],
    [undefined, 3],
    [7, 400],
    [100, 5],
    [1, 1000],
  ] as const) {
    add(`series by session, window ${window}, ${maxPoints} points`, (r) =>
      r.series({ run, by: 'session', window, maxPoints }),
    );
  }
  for (const maxPoints of [1, 2, 5, 400]) {
    add(`series by step, ${maxPoints} points`, (r) => r.series({ run, by: 'step', maxPoints }));
  }
  for (const limit of [1, 2, 1000]) add(`events, ${limit}`, (r) => r.events({ run, limit }));
  for (const session of [1, 2, 3, 17, 40, 600, 99_999]) {
    for (const limit of [1, 3, 50]) {
      add(`samePrompt of ${session}, ${limit}`, (r) => r.samePrompt({ run, session, limit, outputChars: 9 }));
    }
  }
  const search =
    (o: {
      phrase?: string;
      regex?: string;
      field?: 'output' | 'annotation';
      window?: number;
      offset?: number;
    }) =>
    (r: DashboardReads) =>
      r.search({
        run,
        phrase: o.phrase,
        regex: o.regex,
        field: o.field ?? 'output',
        window: o.window ?? 50,
        offset: o.offset ?? 0,
        limit: 20,
        outputChars: 80,
      });
  for (const phrase of [TARGET_PHRASE, 'the same', 'don\u2019t stop', 'Σ', ...HOSTILE_PHRASES]) {
    add(`search phrase ${JSON.stringify(phrase.slice(0, 30))}`, search({ phrase }));
  }
  add('search phrase, second page, window 7', search({ phrase: TARGET_PHRASE, offset: 20, window: 7 }));
  for (const regex of ['cat\\s+sat', 'line.two', '^$', 'changed[.!]', ...VALID_HOSTILE_REGEXES]) {
    add(`search regex ${JSON.stringify(regex)}`, search({ regex }));
  }
  for (const phrase of ['classification', 'worry', 'I feel']) {
    add(`search annotations for ${phrase}`, search({ phrase, field: 'annotation', window: 3 }));
  }
  add('search annotations by regex', search({ regex: 'session \\d+', field: 'annotation', window: 1 }));
  add('lastAudit', (r) => r.lastAudit(run));
  add('hasSteps', (r) => r.hasSteps(run));
  add('runSteps', (r) => r.runSteps(run));
  add('runOverview', (r) => r.runOverview(run));
  return out;
}

describe('the dashboard reads on ClickHouse give the DuckDB answers', { skip: ch.skip }, () => {
  let duck: DuckDbStore;
  let click: ClickHouseStore;
  let single: ClickHouseStore;
  before(async () => {
    duck = await DuckDbStore.open(':memory:');
    await ingestRecords(duck, scanFixture(1500, 150), { name: 'conformance' });
    await runAudit(duck, { run: 'edge', operations: false });
    const shards = await ch.shardClients();
    await createClusterSchema(shards, 'rlaudit_2shards', ch.database);
    click = await ClickHouseStore.open(ch.clusterUrl);
    // a tenth of the rows twice, as a rerun after a killed ingest: the reads must count them once
    await loadFixture(duck, click.client, { again: 0.1 });
    const db = await ch.database2('single');
    single = await ClickHouseStore.open(ch.singleUrl.replace(ch.database, db), { create: true });
    await loadFixture(duck, single.client, { again: 0.1 });
  });
  after(async () => {
    await duck?.close();
    await click?.close();
    await single?.close();
  });

  for (const run of RUNS) {
    test(`every read of run ${JSON.stringify(run)} answers as DuckDB, on the 2-shard cluster and one server`, async () => {
      const expectedReads = duckDbDashboardReads(duck.client);
      const engines = [
        ['cluster', clickHouseDashboardReads(click.client)],
        ['single', clickHouseDashboardReads(single.client)],
      ] as const;
      const failures: string[] = [];
      for (const [name, fn] of cases(run)) {
        let expected: unknown;
        let expectedError: unknown = null;
        try {
          expected = await fn(expectedReads);
        } catch (err) {
          expectedError = err;
        }
        for (const [engine, reads] of engines) {
          try {
            const actual = await fn(reads).then(
              (v) => ({ ok: true as const, v }),
              (err: unknown) => ({ ok: false as const, err }),
            );
            if (expectedError !== null) {
              assert.ok(
                !actual.ok,
                `DuckDB refused (${(expectedError as Error).message}), ClickHouse answered`,
              );
              assert.equal((actual.err as Error).constructor.name, (expectedError as Error).constructor.name);
            } else {
              if (!actual.ok) throw actual.err;
              sameAnswer(actual.v, expected, name);
            }
          } catch (err) {
            failures.push(`${engine}: ${name}: ${(err as Error).message.slice(0, 600)}`);
          }
        }
      }
      assert.equal(failures.length, 0, failures.join('\n'));
    });
  }

  test('the headline of a stored audit report is the same findings and window', async () => {
    const audit = await duckDbDashboardReads(duck.client).lastAudit('edge');
    assert.ok(audit, 'the fixture audited run edge');
    const expected = await duckDbDashboardReads(duck.client).auditHeadline(audit.auditId);
    assert.ok(expected && expected.findings.length > 0, 'the audit has headline findings');
    const actual = await clickHouseDashboardReads(click.client).auditHeadline(audit.auditId);
    sameAnswer(actual, expected, 'auditHeadline');
    assert.equal(await clickHouseDashboardReads(click.client).auditHeadline(424242), null);
  });

  test('a search regex RE2 refuses is the user\u2019s error naming the field, on both engines', async () => {
    for (const regex of INVALID_REGEXES) {
      const q = {
        run: 'edge',
        regex,
        field: 'output',
        window: 10,
        offset: 0,
        limit: 5,
        outputChars: 20,
      } as const;
      await assert.rejects(duckDbDashboardReads(duck.client).search(q), { name: 'InputError' });
      await assert.rejects(clickHouseDashboardReads(click.client).search(q), { name: 'InputError' });
    }
  });
});
