import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createClusterSchema } from '../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import type { Store } from '../../src/store/store.ts';
import { clickHouseCluster } from '../store/clickhouse/cluster.ts';
import { runCli } from '../util/cli.ts';
import { sessionRow } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const ch = await clickHouseCluster('runscli');
const dir = tempDir();

/**
 * Two runs: `a` with two audits (the older complete, the newer failed), `b` with none. Returns the newer
 * audit's id.
 */
async function fixture(store: Store): Promise<number> {
  await ingestRecords(store, [sessionRow(1, { run: 'a' }), sessionRow(1, { run: 'b' })], { name: 'runs' });
  const begin = () =>
    store.audits.beginAudit({ run: 'a', template: 'full', configHash: 'h', config: {}, sectionIds: ['x'] });
  const first = await begin();
  await store.audits.finishAudit(first, 'complete', { report: 1 });
  const second = await begin();
  await store.audits.finishAudit(second, 'failed', null);
  return second;
}

function check(storeArgs: readonly string[], newest: number): void {
  const json = runCli(['runs', '--json', ...storeArgs]);
  assert.equal(json.code, 0, json.stderr);
  const runs = JSON.parse(json.stdout) as { run: string; lastAudit: Record<string, unknown> | null }[];
  const a = runs.find((r) => r.run === 'a')!;
  assert.deepEqual([a.lastAudit?.id, a.lastAudit?.status, a.lastAudit?.template], [newest, 'failed', 'full']);
  assert.ok(!Number.isNaN(Date.parse(String(a.lastAudit?.startedAt))));
  assert.equal(runs.find((r) => r.run === 'b')!.lastAudit, null);
  const table = runCli(['runs', ...storeArgs]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /last audit/);
  assert.match(
    table.stdout,
    new RegExp(`\\ba\\b.*\\b${newest} failed \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`),
  );
  // a run never audited says so, rather than leaving the cell blank
  assert.match(table.stdout, /^b\s.*\snone\s*$/m);
}

describe('rlaudit runs', () => {
  it("shows each run's last audit (id, status, start) from the DuckDB store's tracking tables", async () => {
    const db = join(dir, 'runs.duckdb');
    const store = await DuckDbStore.open(db);
    const newest = await fixture(store).finally(() => store.close());
    check(['--db', db], newest);
  });

  it("shows each run's last audit from the ClickHouse cluster's tracking tables", {
    skip: ch.skip,
  }, async () => {
    await createClusterSchema(await ch.shardClients(), 'rlaudit_2shards', ch.database);
    const store = await ClickHouseStore.open(ch.clusterUrl);
    const newest = await fixture(store).finally(() => store.close());
    check(['--store', ch.clusterUrl], newest);
  });
});
