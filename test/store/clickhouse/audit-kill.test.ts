import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClickHouseClient } from '../../../src/store/clickhouse/clickhouse-client.ts';
import { createClusterSchema } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { parseClickHouseUrl } from '../../../src/store/clickhouse/store-url.ts';
import { sql } from '../../../src/store/sql/sql.ts';
import { runCli, spawnCli } from '../../util/cli.ts';
import { tempDir } from '../../util/tmp.ts';
import { comparable, sameReport } from './report-compare.ts';

// A shard's clickhouse-server killed (SIGKILL) in the middle of `rlaudit audit` on the 2-shard cluster: the
// audit ends with exit 3 and a message saying it stopped and how to resume; the store marks it failed; after the shard is restarted, the same command resumes (the sections done are not computed
// again) and writes the report.json a clean audit wrote. This file kills a server, so it runs a cluster
// of its own (ports 60 above the shared test cluster's, data in a temporary directory), never the shared one.

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const script = join(repo, 'scripts', 'clickhouse-cluster.sh');
const BASE = Number(process.env.RLAUDIT_CLICKHOUSE_PORT_BASE ?? 28120) + 60;
const installed =
  existsSync('/usr/sbin/clickhouse-server') || spawnSync('which', ['clickhouse-server']).status === 0;
const dir = tempDir();
const env = { RLAUDIT_CLICKHOUSE_DIR: join(dir, 'cluster'), RLAUDIT_CLICKHOUSE_PORT_BASE: String(BASE) };
const cluster = (action: string) =>
  spawnSync('bash', [script, action], { encoding: 'utf8', env: { ...process.env, ...env } });
const DB = 'killtest';
const STORE = `clickhouse://default@127.0.0.1:${BASE}/${DB}?cluster=rlaudit_2shards`;
const AUDIT = ['--store', STORE, 'audit', '--run', 'wild-7', '--template', 'full', '--no-pdf'];

describe('a shard killed during rlaudit audit on the cluster', {
  skip: !installed && 'clickhouse-server is not installed (apt-get install clickhouse-server)',
}, () => {
  before(async () => {
    const started = cluster('start');
    assert.equal(started.status, 0, started.stderr);
    const clients: ClickHouseClient[] = [];
    for (const port of [BASE, BASE + 1]) {
      const admin = await ClickHouseClient.connect(
        parseClickHouseUrl(`clickhouse://default@127.0.0.1:${port}/default`),
        '',
      );
      await admin.command(sql`CREATE DATABASE IF NOT EXISTS killtest`);
      await admin.close();
      clients.push(
        await ClickHouseClient.connect(
          parseClickHouseUrl(`clickhouse://default@127.0.0.1:${port}/${DB}`),
          '',
        ),
      );
    }
    await createClusterSchema(clients, 'rlaudit_2shards', DB);
    for (const c of clients) await c.close();
    const sim = runCli([
      '--store',
      STORE,
      'simulate',
      '--scenario',
      'wild-7',
      '--seed',
      '7',
      '--sessions',
      '3000',
      '--deployment',
      '300',
      '--run',
      'wild-7',
    ]);
    assert.equal(sim.code, 0, sim.stderr);
  });
  after(() => {
    cluster('stop');
  });

  test('ends with exit 3 saying how to resume, is marked failed in the store, and resumes to the clean report', async () => {
    const clean = runCli([...AUDIT, '--out', join(dir, 'clean')]);
    assert.equal(clean.code, 0, clean.stderr);

    // the killed audit computes every section (no cached result), so it is still running when the kill comes
    const child = spawnCli([...AUDIT, '--out', join(dir, 'killed')], {
      RLAUDIT_TRACE: 'sections',
      RLAUDIT_NO_CACHE: '1',
    });
    let stderr = '';
    const done: string[] = [];
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const completed = [...stderr.matchAll(/^ {2}complete (\S+)$/gm)].map((m) => m[1]!);
      if (completed.length >= 2 && done.length === 0) {
        done.push(...completed);
        const pid = Number(readFileSync(join(env.RLAUDIT_CLICKHOUSE_DIR, 'shard1', 'server.pid'), 'utf8'));
        process.kill(pid, 'SIGKILL');
      }
    });
    const code = await exit;
    assert.ok(done.length >= 2, `the kill came after two sections: ${stderr}`);
    assert.equal(code, 3, stderr);
    assert.match(
      stderr,
      /audit \d+ stopped: ClickHouse at clickhouse:\/\/default@127\.0\.0\.1:\d+\/killtest/,
    );
    assert.match(stderr, /run the same audit again to resume from the first incomplete section/);
    assert.ok(!existsSync(join(dir, 'killed', 'report.json')), 'no report of an audit that stopped');

    // with the shard down, the store is refused when opened: exit 2 naming the URL
    const down = runCli(['--store', STORE, 'audit', 'status', '--run', 'wild-7']);
    assert.equal(down.code, 2, down.stderr);
    assert.match(
      down.stderr,
      /a server of the cluster does not answer.*scripts\/clickhouse-cluster\.sh start/,
    );

    let up = cluster('start');
    for (let i = 0; i < 20 && cluster('status').status !== 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      up = cluster('start');
    }
    assert.equal(cluster('status').status, 0, up.stderr);

    // the store says the audit failed: its last marks reach the audit's shard also when that is the one that
    // died (queued on the server of the URL until the shard is back, so they may take a moment)
    type Tracked = { auditId: number; status: string; sections: { sectionId: string; status: string }[] };
    let killed: Tracked | undefined;
    for (let i = 0; i < 120; i++) {
      const status = runCli(['--store', STORE, 'audit', 'status', '--run', 'wild-7', '--json']);
      assert.equal(status.code, 0, status.stderr);
      killed = (JSON.parse(status.stdout) as Tracked[])[0];
      // a failed audit's section that was running is failed too (its mark may arrive a moment later)
      if (killed?.status !== 'running' && killed?.sections.every((s) => s.status !== 'running')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const tracked = JSON.stringify(killed);
    assert.equal(killed!.status, 'failed', tracked);
    assert.deepEqual(
      killed!.sections.filter((s) => s.status === 'complete').map((s) => s.sectionId),
      done,
      tracked,
    );
    // the section the failure came in is failed, also when the kill came as it was being marked running
    assert.equal(killed!.sections[done.length]!.status, 'failed', tracked);
    assert.ok(
      killed!.sections.slice(done.length + 1).every((s) => s.status === 'pending'),
      tracked,
    );
    console.log(
      `killed after ${done.join(', ')}; audit ${killed!.auditId} failed, its tracking on the ${killed!.auditId % 2 === 1 ? 'killed' : 'surviving'} shard`,
    );

    const again = runCli([...AUDIT, '--out', join(dir, 'resumed'), '--json'], {
      RLAUDIT_TRACE: 'sections',
      RLAUDIT_NO_CACHE: '1',
    });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { resumed: string[] }).resumed, done);
    for (const id of done) {
      assert.match(again.stderr, new RegExp(`resumed +${id}\\n`));
      assert.doesNotMatch(again.stderr, new RegExp(`running +${id}\\n`), `${id} is not computed again`);
    }
    sameReport(
      comparable(join(dir, 'resumed', 'report.json')),
      comparable(join(dir, 'clean', 'report.json')),
    );
  });
});
