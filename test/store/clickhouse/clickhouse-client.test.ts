import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  ConnectTimeout,
  connectionProblem,
  queryTimeout,
} from '../../../src/store/clickhouse/clickhouse-client.ts';
import { parseClickHouseUrl } from '../../../src/store/clickhouse/store-url.ts';
import { rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { sql } from '../../../src/store/sql/sql.ts';
import { clickHouseCluster } from './cluster.ts';

const target = parseClickHouseUrl('clickhouse://auditor@db.example:8123/rl');

describe('the ClickHouse client time limits', () => {
  const saved = process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT;
  afterEach(() => {
    if (saved === undefined) delete process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT;
    else process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT = saved;
  });

  it('lets a statement run an hour unless RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT says otherwise', () => {
    delete process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT;
    assert.equal(queryTimeout(), 3600);
    process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT = '7200';
    assert.equal(queryTimeout(), 7200);
    process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT = 'soon';
    assert.equal(queryTimeout(), 3600);
  });

  it('names the query timeout, not the connect timeout, when a statement outlives it', () => {
    process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT = '600';
    const e = connectionProblem(new Error('Timeout error.'), target);
    assert.ok(e);
    assert.match(e.message, /a statement gave no answer within 600 s/);
    assert.match(e.message, /RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT/);
    assert.doesNotMatch(e.message, /CONNECT_TIMEOUT/);
    assert.match(e.message, /db\.example:8123/);
  });

  it('names the connect timeout when the connection check gets no answer', () => {
    const e = connectionProblem(new ConnectTimeout(10), target);
    assert.ok(e);
    assert.match(e.message, /no answer within 10 s.*RLAUDIT_CLICKHOUSE_CONNECT_TIMEOUT/);
  });
});

const ch = await clickHouseCluster('client');
const endless = fileURLToPath(new URL('./fixtures/endless-statement.ts', import.meta.url));
const Running = rowDecoder('running', z.object({ query_id: z.string(), initial_query_id: z.string() }));

/** The statements containing `marker` running on each shard (their `query_id` and `initial_query_id`). */
async function runningWith(marker: string) {
  const found = [];
  for (const c of await ch.shardClients()) {
    found.push(
      ...(await c.query(
        sql`SELECT query_id, initial_query_id FROM system.processes WHERE position(query, ${marker}) > 0 AND position(query, 'system.processes') = 0`,
        Running,
      )),
    );
  }
  return found;
}

/**
 * Starts the endless-statement fixture in a child process (`extra` its further arguments) and waits until its
 * statement runs on both shards; `output` is what the child has printed so far, `exited` its exit code.
 */
async function childRunning(extra: string[]) {
  const marker = `marker-${randomUUID()}`;
  const child = spawn(process.execPath, ['--import', 'tsx', endless, ch.clusterUrl, marker, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await until('the child statement running on both shards', async () =>
    (await runningWith(marker)).length >= 2 ? true : null,
  );
  return { marker, child, output: () => out, exited };
}

async function until<T>(what: string, probe: () => Promise<T | null>, seconds = 30): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('interrupting statements on the cluster', { skip: ch.skip }, () => {
  it('cancels its own running statements, on both shards, and the statement fails as cancelled', async () => {
    const client = await ch.client();
    const marker = `marker-${randomUUID()}`;
    // between statements no handler is installed: a signal then ends the process at once
    const handlers = () => ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
    const idle = handlers();
    const pending = client.query(
      sql`SELECT count() AS n, ${marker} AS marker FROM cluster('rlaudit_2shards', system, numbers) WHERE number < 1000000000000000`,
      rowDecoder('endless', z.object({ n: z.coerce.number(), marker: z.string() })),
    );
    const failed = assert.rejects(pending, /cancelled/);
    // the statement reaches the other shard as a part of the initiator's query
    const parts = await until('the statement on both shards', async () => {
      const r = await runningWith(marker);
      return r.length >= 2 ? r : null;
    });
    assert.equal(client.runningStatements, 1);
    assert.deepEqual(
      handlers(),
      idle.map((n) => n + 1),
    );
    assert.equal(new Set(parts.map((p) => p.initial_query_id)).size, 1);
    assert.match(parts[0]?.initial_query_id ?? '', /^rlaudit-[0-9a-f-]{36}$/);
    assert.equal(await client.cancelRunning(), 1);
    await failed;
    assert.equal(client.runningStatements, 0);
    assert.deepEqual(handlers(), idle);
    await until('no part left running', async () => ((await runningWith(marker)).length === 0 ? true : null));
    assert.equal(await client.cancelRunning(), 0);
  });

  it('on SIGINT a process cancels its running statement, says so, and exits 130', async () => {
    const { marker, child, output, exited } = await childRunning([]);
    child.kill('SIGINT');
    assert.equal(await exited, 130, output());
    assert.match(output(), /SIGINT: cancelling 1 running ClickHouse statement…/);
    await until('no part left running', async () => ((await runningWith(marker)).length === 0 ? true : null));
  });

  it('leaves the statements alone when the command handles SIGINT itself, as serve and watch do', async () => {
    const { marker, child, output, exited } = await childRunning(['own']);
    child.kill('SIGINT');
    assert.equal(await exited, 0, output());
    assert.match(output(), /own handler/);
    assert.doesNotMatch(output(), /cancelling/);
    const left = await runningWith(marker);
    assert.ok(left.length >= 1, 'the statement is still running');
    const [shard0] = await ch.shardClients();
    await shard0?.command(sql`KILL QUERY WHERE query_id = ${left[0]?.initial_query_id ?? ''} SYNC`);
    await until('no part left running', async () => ((await runningWith(marker)).length === 0 ? true : null));
  });
});
