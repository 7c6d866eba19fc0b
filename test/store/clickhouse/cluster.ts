import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClickHouseClient } from '../../../src/store/clickhouse/clickhouse-client.ts';
import { parseClickHouseUrl } from '../../../src/store/clickhouse/store-url.ts';
import { ident, sql } from '../../../src/store/sql/sql.ts';

/**
 * The project's two-shard test cluster (scripts/clickhouse-cluster.sh), shared by every test file: the first
 * file to need it starts it, the last one to finish stops it (unless it was running before the tests, then it
 * is left running). Each test file gets its own database, dropped on both shards after it.
 *
 * @example
 * const ch = await clickHouseCluster('dialect');
 * describe('…', { skip: ch.skip }, () => { test('…', async () => { const c = await ch.client(); … }); });
 */
export interface TestCluster {
  /** A reason to skip (no clickhouse-server here, or it would not start), or false. */
  readonly skip: string | false;
  /** `clickhouse://default@127.0.0.1:PORT/DB?cluster=rlaudit_2shards`. */
  readonly clusterUrl: string;
  /** The same database on shard 0 alone, as a single server. */
  readonly singleUrl: string;
  readonly database: string;
  /** The HTTP port of each shard. */
  readonly httpPorts: readonly number[];
  /** A client of shard 0 in this file's database (closed after the file). */
  client(): Promise<ClickHouseClient>;
  /**
   * Another database of this file, `<database>_<suffix>`, created on both shards (dropped after the file);
   * returns its name.
   */
  database2(suffix: string): Promise<string>;
  /** A client of each shard in `database` (this file's by default), closed after the file. */
  shardClients(database?: string): Promise<ClickHouseClient[]>;
}

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const script = join(repo, 'scripts', 'clickhouse-cluster.sh');
const PORT_BASE = Number(process.env.RLAUDIT_CLICKHOUSE_PORT_BASE ?? 28120);
const CLUSTER = 'rlaudit_2shards';
const SERVER = '/usr/sbin/clickhouse-server';

export async function clickHouseCluster(name: string): Promise<TestCluster> {
  const database = `test_${name}_${process.pid}`;
  const httpPorts = [PORT_BASE, PORT_BASE + 1];
  const base = `clickhouse://default@127.0.0.1:${PORT_BASE}/${database}`;
  const handle = (skip: string | false): TestCluster => ({
    skip,
    clusterUrl: `${base}?cluster=${CLUSTER}`,
    singleUrl: base,
    database,
    httpPorts,
    client,
    database2,
    shardClients,
  });
  if (!existsSync(SERVER) && spawnSync('which', ['clickhouse-server']).status !== 0) {
    return handle(
      'clickhouse-server is not installed (apt-get install clickhouse-server; `npm test` does it as root)',
    );
  }
  const acquired = spawnSync('bash', [script, 'acquire', String(process.pid)], { encoding: 'utf8' });
  if (acquired.status !== 0) {
    return handle(`the ClickHouse test cluster did not start: ${acquired.stderr.trim().slice(0, 300)}`);
  }
  const clients: ClickHouseClient[] = [];
  const databases = [database];
  const connect = async (port: number, db: string) => {
    const c = await ClickHouseClient.connect(
      parseClickHouseUrl(`clickhouse://default@127.0.0.1:${port}/${db}`),
      '',
    );
    clients.push(c);
    return c;
  };
  /** Runs `statement` on both shards. */
  async function onShards(statement: ReturnType<typeof sql>): Promise<void> {
    for (const port of httpPorts) {
      const admin = await ClickHouseClient.connect(
        parseClickHouseUrl(`clickhouse://default@127.0.0.1:${port}/default`),
        '',
      );
      try {
        await admin.command(statement);
      } finally {
        await admin.close();
      }
    }
  }
  const client = () => connect(httpPorts[0]!, database);
  const shardClients = (db = database) => Promise.all(httpPorts.map((p) => connect(p, db)));
  async function database2(suffix: string): Promise<string> {
    const name = `${database}_${suffix}`;
    databases.push(name);
    await onShards(sql`CREATE DATABASE IF NOT EXISTS ${ident(name)}`);
    return name;
  }
  // the database exists on both shards before any test runs (a cluster's local tables live on each)
  await onShards(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
  after(async () => {
    for (const c of clients) await c.close();
    for (const db of databases) await onShards(sql`DROP DATABASE IF EXISTS ${ident(db)}`);
    spawnSync('bash', [script, 'release', String(process.pid)], { encoding: 'utf8' });
  });
  return handle(false);
}
