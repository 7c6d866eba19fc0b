import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { InputError } from '../../../src/model/errors.ts';
import type { ClickHouseClient } from '../../../src/store/clickhouse/clickhouse-client.ts';
import {
  CLICKHOUSE_SCHEMA_VERSION,
  createClusterSchema,
  localTableDdl,
  TABLES,
} from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../../src/store/clickhouse/clickhouse-store.ts';
import { int } from '../../../src/store/clickhouse/decode.ts';
import { rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { raw, sql } from '../../../src/store/sql/sql.ts';
import { HOSTILE_RUN_IDS } from '../hostile-values.ts';
import { clickHouseCluster } from './cluster.ts';

const ch = await clickHouseCluster('store');
const CLUSTER = 'rlaudit_2shards';
const Count = rowDecoder('count', z.object({ n: int }));

const url = (database: string, cluster?: string) =>
  `clickhouse://default@127.0.0.1:${ch.httpPorts[0]}/${database}${cluster ? `?cluster=${cluster}` : ''}`;

/** Rejects with an InputError on `--store` whose message matches every pattern. */
async function refuses(p: Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(p, (err) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.field, '--store');
    for (const re of patterns) assert.match(err.message, re);
    return true;
  });
}

function sessionRow(run: string, session: number, loadId: number) {
  return { run, session, output: `out ${session}`, flags: [], load_id: loadId, source_line: session };
}

describe('the ClickHouse store on one server', { skip: ch.skip }, () => {
  test('a writing command creates the tables of this schema version; a reading one refuses an empty database', async () => {
    const db = await ch.database2('single');
    await refuses(ClickHouseStore.open(url(db)), /holds no rlaudit tables yet/, /deploy-clickhouse\.md/);
    const store = await ClickHouseStore.open(url(db), { create: true });
    const [row] = await store.client.query(sql`SELECT max(version) AS n FROM schema_version`, Count);
    assert.equal(row?.n, CLICKHOUSE_SCHEMA_VERSION);
    assert.deepEqual(await store.listRuns(), []);
    await store.close();
    // opening again neither fails nor creates anything twice
    const again = await ClickHouseStore.open(url(db), { create: true });
    const [versions] = await again.client.query(sql`SELECT count() AS n FROM schema_version`, Count);
    assert.equal(versions?.n, 1);
    await again.close();
  });

  test('tables of an older or a newer schema version are refused with what to do, and nothing is created beside them', async () => {
    const older = await ch.database2('older');
    const [c] = await ch.shardClients(older);
    for (const t of TABLES) await c!.command(sql`${raw(localTableDdl(t, { kind: 'single' }))}`);
    await c!.command(sql`INSERT INTO schema_version (version, description) VALUES (${0}, ${'old'})`);
    await refuses(
      ClickHouseStore.open(url(older), { create: true }),
      new RegExp(`clickhouse://default@127\\.0\\.0\\.1:${ch.httpPorts[0]}/${older}`),
      new RegExp(`schema version 0, this rlaudit needs ${CLICKHOUSE_SCHEMA_VERSION}`),
      /new database/,
    );
    await c!.command(sql`INSERT INTO schema_version (version, description) VALUES (${99}, ${'new'})`);
    await refuses(ClickHouseStore.open(url(older)), /schema version 99, newer/, /upgrade rlaudit/);
    // the version is checked first: nothing is created beside tables of another version
    await c!.command(sql`DROP TABLE events`);
    await refuses(ClickHouseStore.open(url(older), { create: true }), /schema version 99, newer/);
    const [events] = await c!.query(
      sql`SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'events'`,
      Count,
    );
    assert.equal(events?.n, 0);
  });

  test('a creation that was interrupted (tables missing, or no version row) is finished by a writing command', async () => {
    const db = await ch.database2('interrupted');
    const [c] = await ch.shardClients(db);
    for (const t of TABLES.slice(0, 4)) await c!.command(sql`${raw(localTableDdl(t, { kind: 'single' }))}`);
    await refuses(ClickHouseStore.open(url(db)), /lacks the rlaudit tables events, rejects/);
    for (const t of TABLES) await c!.command(sql`${raw(localTableDdl(t, { kind: 'single' }))}`);
    await refuses(
      ClickHouseStore.open(url(db)),
      /no row in schema_version, so their creation did not finish/,
    );
    const store = await ClickHouseStore.open(url(db), { create: true });
    const [row] = await store.client.query(sql`SELECT max(version) AS n FROM schema_version`, Count);
    assert.equal(row?.n, CLICKHOUSE_SCHEMA_VERSION);
    await store.close();
    await c!.command(sql`DROP TABLE loads`);
    await (await ClickHouseStore.open(url(db), { create: true })).close();
    const [tables] = await c!.query(
      sql`SELECT count() AS n FROM system.tables WHERE database = currentDatabase()`,
      Count,
    );
    assert.equal(tables?.n, TABLES.length);
  });

  test('a cluster the server does not know is refused, naming it', async () => {
    await refuses(ClickHouseStore.open(url(ch.database, 'nope')), /no cluster "nope"/, /system\.clusters/);
  });
});

describe('the ClickHouse store on the two-shard cluster', { skip: ch.skip }, () => {
  let shards: ClickHouseClient[];
  let store: ClickHouseStore;

  test('without tables, a cluster store says to create them on every shard', async () => {
    await refuses(
      ClickHouseStore.open(url(ch.database, CLUSTER), { create: true }),
      /no rlaudit tables on cluster rlaudit_2shards/,
      /every shard/,
    );
  });

  test('with the DDL applied, rows written through the Distributed tables land on both shards', async () => {
    shards = await ch.shardClients();
    await createClusterSchema(shards, CLUSTER, ch.database);
    store = await ClickHouseStore.open(url(ch.database, CLUSTER));
    const rows = Array.from({ length: 200 }, (_, i) => sessionRow('r1', i + 1, 1));
    await store.client.insert('sessions', rows);
    const perShard = [];
    for (const s of shards) {
      const [r] = await s.query(sql`SELECT count() AS n FROM sessions_local`, Count);
      perShard.push(r?.n ?? 0);
    }
    assert.equal(perShard[0]! + perShard[1]!, 200);
    assert.ok(perShard[0]! > 30 && perShard[1]! > 30, `both shards hold rows: ${perShard}`);
  });

  test('runs are listed with exact distinct counts before any merge, a row written twice counted once', async () => {
    const c = store.client;
    // a rerun after a kill writes rows again: the same keys, another load
    await c.insert(
      'sessions',
      Array.from({ length: 50 }, (_, i) => sessionRow('r1', i + 1, 2)),
    );
    await c.insert('runs', [
      { run: 'r1', model: null, description: null, meta: null, has_record: 0, version: 1 },
      { run: 'r1', model: 'WILD-7', description: null, meta: null, has_record: 1, version: 2 },
    ]);
    const event = { run: 'r1', session: 3, kind: 'recalibration', parameter: 'p', target: '{}' };
    await c.insert('events', [
      { ...event, id: 'e1', load_id: 1, source_line: 1 },
      { ...event, id: 'e1', load_id: 2, source_line: 1 },
      { ...event, id: 'e2', load_id: 1, source_line: 2 },
    ]);
    const reject = {
      load_id: 1,
      source_file: 'f.jsonl',
      record_type: 'session',
      field: 'output',
      expected: 'a string',
      got: 'null',
    };
    await c.insert('rejects', [
      { ...reject, run: 'r1', source_line: 7 },
      { ...reject, run: 'r1', source_line: 7 },
      { ...reject, run: 'only-rejected', source_line: 8 },
      { ...reject, run: null, source_line: 9 },
    ]);
    const [raw] = await c.query(sql`SELECT count() AS n FROM sessions`, Count);
    assert.equal(raw?.n, 250, 'the duplicates are stored (no merge has run)');
    assert.deepEqual(await store.listRuns(), [
      {
        run: 'only-rejected',
        model: null,
        sessions: 0,
        firstSession: null,
        lastSession: null,
        events: 0,
        annotations: 0,
        rejects: 1,
      },
      {
        run: 'r1',
        model: 'WILD-7',
        sessions: 200,
        firstSession: 1,
        lastSession: 200,
        events: 2,
        annotations: 0,
        rejects: 1,
      },
    ]);
  });

  test('rejects are listed once each, of one run, of no run, or all', async () => {
    assert.equal(await store.countRejects({}), 3);
    assert.equal(await store.countRejects({ run: 'r1' }), 1);
    assert.equal(await store.countRejects({ run: null }), 1);
    const none = await store.listRejects({ run: null });
    assert.deepEqual(
      none.map((r) => [r.run, r.file, r.line, r.field, r.conflictWith]),
      [[null, 'f.jsonl', 9, 'output', null]],
    );
    assert.equal((await store.listRejects({})).length, 3);
    assert.equal((await store.listRejects({ limit: 2 })).length, 2);
  });

  test('hostile run ids are values: stored, listed and filtered byte for byte', async () => {
    await store.client.insert(
      'rejects',
      HOSTILE_RUN_IDS.map((run, i) => ({
        run,
        load_id: 3,
        source_file: 'h.jsonl',
        source_line: i + 1,
        record_type: null,
        field: 'session',
        expected: "it's",
        got: run,
      })),
    );
    const listed = (await store.listRuns()).map((r) => r.run);
    for (const run of HOSTILE_RUN_IDS) {
      assert.ok(listed.includes(run), JSON.stringify(run));
      const [row] = await store.listRejects({ run });
      assert.equal(row?.got, run);
      assert.equal(await store.countRejects({ run }), 1);
    }
  });

  test('audit tracking and the result cache answer on the cluster: no audit and no cached result yet', async () => {
    assert.deepEqual(await store.audits.listAudits('r1', 1), []);
    assert.equal(await store.results.get('r1', await store.results.fingerprint('r1'), 'k'), null);
    await store.close();
  });
});
