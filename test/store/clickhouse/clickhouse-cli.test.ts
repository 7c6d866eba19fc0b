import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import {
  CLICKHOUSE_SCHEMA_VERSION,
  createClusterSchema,
  localTableDdl,
  SCHEMA_VERSIONS,
  TABLES,
} from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { raw, sql } from '../../../src/store/sql/sql.ts';
import { runCli } from '../../util/cli.ts';
import { sessionRow, writeJsonl } from '../../util/records.ts';
import { tempDir } from '../../util/tmp.ts';
import { clickHouseCluster } from './cluster.ts';

const ch = await clickHouseCluster('cli');
const CLUSTER = 'rlaudit_2shards';
const SECRET = 'not-the-password-4711';
const host = `127.0.0.1:${ch.httpPorts[0]}`;

/** The CLI with a ClickHouse store; RLAUDIT_STORE and RLAUDIT_DB cleared unless given. */
function cli(args: readonly string[], env: Record<string, string> = {}) {
  return runCli(args, { RLAUDIT_STORE: '', RLAUDIT_DB: '', RLAUDIT_CLICKHOUSE_PASSWORD: '', ...env });
}

/** Exit 2, the URL (never a password) and the pattern on stderr, nothing on stdout. */
function assertRefused(r: ReturnType<typeof runCli>, url: string, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.includes(url), `names ${url}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.ok(!r.stderr.includes(SECRET), 'the password is never shown');
  assert.equal(r.stdout, '');
}

describe('choosing a ClickHouse store on the command line', { skip: ch.skip }, () => {
  before(async () => {
    const shards = await ch.shardClients();
    await createClusterSchema(shards, CLUSTER, ch.database);
    await shards[0]!.insert('sessions', [
      { run: 'grpo', session: 1, output: 'a', flags: [], load_id: 1, source_line: 1 },
      { run: 'grpo', session: 2, output: 'b', flags: [], load_id: 1, source_line: 2 },
    ]);
    await shards[0]!.insert('runs', [{ run: 'grpo', model: 'Qwen', has_record: 1, version: 1 }]);
  });

  test('`runs --store clickhouse://…?cluster=` lists the runs of the cluster', () => {
    const r = cli([
      'runs',
      '--json',
      '--store',
      `clickhouse://default@${host}/${ch.database}?cluster=${CLUSTER}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const runs = JSON.parse(r.stdout) as { run: string; sessions: number; model: string }[];
    assert.deepEqual(
      runs.map((x) => [x.run, x.model, x.sessions]),
      [['grpo', 'Qwen', 2]],
    );
  });

  test('RLAUDIT_STORE chooses the store when no flag does, and the password comes from RLAUDIT_CLICKHOUSE_PASSWORD', () => {
    const url = `clickhouse://rlaudit@${host}/${ch.database}?cluster=${CLUSTER}`;
    const r = cli(['runs'], { RLAUDIT_STORE: url, RLAUDIT_CLICKHOUSE_PASSWORD: 'rlaudit-test' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /grpo\s.*Qwen/);
    assert.equal(
      cli(['rejects'], { RLAUDIT_STORE: url, RLAUDIT_CLICKHOUSE_PASSWORD: 'rlaudit-test' }).code,
      0,
    );
  });

  test('an unreachable server is exit 2 naming the URL and what to do', () => {
    const url = `clickhouse://default@127.0.0.1:${ch.httpPorts[0]! + 57}/${ch.database}`;
    assertRefused(
      cli(['runs', '--store', url]),
      url,
      /cannot reach ClickHouse.*connection refused.*Start the server/,
    );
  });

  test('a server that accepts but never answers is a time-out, told apart from one that cannot be reached', async () => {
    // the kernel accepts the connection (listen backlog) even while this process waits for the CLI
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const url = `clickhouse://default@127.0.0.1:${port}/${ch.database}`;
      const r = cli(['runs', '--store', url], { RLAUDIT_CLICKHOUSE_CONNECT_TIMEOUT: '1' });
      assertRefused(r, url, /timed out: no answer within 1 s.*RLAUDIT_CLICKHOUSE_CONNECT_TIMEOUT/);
      assert.doesNotMatch(r.stderr, /cannot reach/);
    } finally {
      silent.close();
    }
  });

  test('a wrong password is exit 2 naming the URL and the variable, never the password', () => {
    const url = `clickhouse://rlaudit@${host}/${ch.database}`;
    assertRefused(
      cli(['runs', '--store', url], { RLAUDIT_CLICKHOUSE_PASSWORD: SECRET }),
      url,
      /refused user "rlaudit".*RLAUDIT_CLICKHOUSE_PASSWORD/,
    );
  });

  test('a password written into the URL is refused without echoing it', () => {
    const r = cli(['runs', '--store', `clickhouse://rlaudit:${SECRET}@${host}/${ch.database}`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /holds a password.*RLAUDIT_CLICKHOUSE_PASSWORD/);
    assert.ok(!r.stderr.includes(SECRET));
  });

  test('a missing database is exit 2 saying how to create it', () => {
    const url = `clickhouse://default@${host}/no_such_db?cluster=${CLUSTER}`;
    assertRefused(
      cli(['runs', '--store', url]),
      url,
      /database "no_such_db" does not exist.*CREATE DATABASE no_such_db ON CLUSTER rlaudit_2shards/,
    );
  });

  test('a database without rlaudit tables, or with an older schema, is exit 2 pointing at the DDL', async () => {
    const empty = await ch.database2('empty');
    const url = `clickhouse://default@${host}/${empty}`;
    assertRefused(cli(['runs', '--store', url]), url, /no rlaudit tables yet.*deploy-clickhouse\.md/);
    const [c] = await ch.shardClients(empty);
    // the tables of schema version 2 (before the derived text columns)
    for (const t of TABLES)
      await c!.command(sql`${raw(localTableDdl(t, { kind: 'single' }, { version: 2 }))}`);
    await c!.command(sql`INSERT INTO schema_version (version, description) VALUES (${2}, ${'old'})`);
    assertRefused(
      cli(['runs', '--store', url]),
      url,
      new RegExp(
        `schema version 2, this rlaudit needs ${CLICKHOUSE_SCHEMA_VERSION} and does not alter ClickHouse tables ` +
          'itself\\. .*ALTER TABLE statements of docs/deploy-clickhouse\\.md',
      ),
    );
  });

  test('a database of schema version 1 (no audit tracking tables) is exit 2 naming the tables to create', async () => {
    const v1 = await ch.database2('v1');
    const url = `clickhouse://default@${host}/${v1}`;
    const [c] = await ch.shardClients(v1);
    const first = new Set(SCHEMA_VERSIONS[0]!.adds);
    for (const t of TABLES.filter((x) => first.has(x.name)))
      await c!.command(sql`${raw(localTableDdl(t, { kind: 'single' }, { version: 2 }))}`);
    await c!.command(sql`INSERT INTO schema_version (version, description) VALUES (${1}, ${'v1'})`);
    for (const args of [['runs'], ['audit', '--run', 'r']]) {
      assertRefused(
        cli([...args, '--store', url]),
        url,
        new RegExp(
          `schema version 1, this rlaudit needs ${CLICKHOUSE_SCHEMA_VERSION}.*create the tables audits, audit_sections, ` +
            'audit_operations, analysis_cache .*then add the derived text columns of version 3 to ' +
            `${CLICKHOUSE_SCHEMA_VERSION} with the ALTER TABLE statements.*--upgrade 2 prints them.*INSERT INTO schema_version`,
        ),
      );
    }
  });

  test('`serve` on a server that does not answer exits 2 naming the URL, as every command', () => {
    const url = `clickhouse://default@127.0.0.1:1/${ch.database}`;
    assertRefused(cli(['serve', '--port', '0', '--store', url]), url, /cannot reach .*connection refused/);
  });

  test('`clickhouse-ddl` prints the DDL that a cluster without tables needs, and with it the cluster works', async () => {
    const db = await ch.database2('ddl');
    const url = `clickhouse://default@${host}/${db}?cluster=${CLUSTER}`;
    // the refusal names the command that prints the DDL for this database and cluster
    assertRefused(cli(['runs', '--store', url]), url, /no rlaudit tables on cluster/);
    assert.match(cli(['ingest', 'x.jsonl', '--store', url]).stderr, /rlaudit clickhouse-ddl --store '/);
    const part = (p: string) => {
      const r = cli(['clickhouse-ddl', '--store', url, '--part', p]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.split(/;\n(?:\n|$)/).filter((x) => x.trim() !== '');
    };
    const shardDdl = part('shard');
    const entryDdl = part('distributed');
    assert.equal(shardDdl.length, TABLES.length);
    assert.equal(entryDdl.length, TABLES.length + 1); // and the version, recorded last
    assert.ok(entryDdl.every((s, i) => i === TABLES.length || s.includes(`Distributed(${CLUSTER}, ${db}, `)));
    const shards = await ch.shardClients(db);
    for (const c of shards) for (const s of shardDdl) await c.command(sql`${raw(s)}`);
    for (const s of entryDdl.slice(0, -1)) for (const c of shards) await c.command(sql`${raw(s)}`);
    await shards[0]!.command(sql`${raw(entryDdl.at(-1)!)}`);
    const file = join(tempDir('ddl'), 'r.jsonl');
    writeJsonl(file, [sessionRow(1, { run: 'ddl' }), sessionRow(2, { run: 'ddl' })]);
    const ingest = cli(['ingest', file, '--store', url]);
    assert.equal(ingest.code, 0, ingest.stderr);
    const runs = cli(['runs', '--json', '--store', url]);
    assert.equal(runs.code, 0, runs.stderr);
    assert.deepEqual(
      (JSON.parse(runs.stdout) as { run: string; sessions: number }[]).map((r) => [r.run, r.sessions]),
      [['ddl', 2]],
    );
    // the commented whole is both parts, in order
    const all = cli(['clickhouse-ddl', '--store', url]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, new RegExp(`-- 1\\. On every shard of ${CLUSTER}`));
    assert.ok(all.stdout.indexOf(shardDdl[0]!) < all.stdout.indexOf(entryDdl[0]!));
  });

  test('`clickhouse-ddl` for one server ends with the version, and refuses what is not a ClickHouse store', () => {
    const single = cli(['clickhouse-ddl', '--store', `clickhouse://default@${host}/rl`]);
    assert.equal(single.code, 0, single.stderr);
    assert.match(
      single.stdout,
      /^-- The rlaudit tables, schema version \d+, database rl \(a single server\)/,
    );
    assert.match(
      single.stdout,
      /INSERT INTO schema_version \(version, description\) VALUES \(\d+, '[^']+'\);\n$/,
    );
    const upgrade = cli([
      'clickhouse-ddl',
      '--store',
      `clickhouse://default@${host}/rl?cluster=c`,
      '--upgrade',
    ]);
    assert.equal(upgrade.code, 0, upgrade.stderr);
    assert.match(upgrade.stdout, /ALTER TABLE sessions_local ADD COLUMN/);
    assert.match(upgrade.stdout, /ALTER TABLE sessions ADD COLUMN .* ALIAS/);
    // from the version before this one by default; from version 2 every derived column; others refused
    const up = (from: string[]) =>
      cli(['clickhouse-ddl', '--store', `clickhouse://default@${host}/rl`, '--upgrade', ...from]);
    const columnsAdded = (out: string) => [...out.matchAll(/ADD COLUMN (\w+)/g)].map((m) => m[1]);
    assert.deepEqual(columnsAdded(up(['3']).stdout), ['output_apostrophe_tokens']);
    assert.deepEqual([...new Set(columnsAdded(upgrade.stdout))], ['output_apostrophe_tokens']);
    assert.deepEqual(columnsAdded(up(['2']).stdout), [
      'output_tokens',
      'output_norm',
      'output_apostrophe_tokens',
      'text_tokens',
    ]);
    const wrong = up(['9']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--upgrade: expected the schema version to upgrade from, 2 or 3, got '9'/);
    for (const [args, field] of [
      [['clickhouse-ddl', '--db', 'x.duckdb'], /--store: expected a ClickHouse store/],
      [
        ['clickhouse-ddl', '--store', `clickhouse://default@${host}/rl`, '--part', 'shard'],
        /--part: --part shard is for a cluster/,
      ],
      [
        ['clickhouse-ddl', '--store', `clickhouse://default@${host}/rl?cluster=c`, '--part', 'both'],
        /--part: expected one of all, shard, distributed/,
      ],
      [['clickhouse-ddl', '--store', `clickhouse://default@${host}/rl;DROP?cluster=c`], /not a plain name/],
    ] as const) {
      const r = cli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, field);
      assert.equal(r.stdout, '');
    }
  });

  test('--store and --db together are a usage error', () => {
    const r = cli(['runs', '--db', 'x.duckdb', '--store', `clickhouse://default@${host}/${ch.database}`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--store and --db both name the store/);
  });
});
