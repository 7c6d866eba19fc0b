import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type AuditTracking,
  STOPPED_SECTION_ERROR,
  type TrackedAudit,
} from '../../../src/store/audit-tracking.ts';
import { createClusterSchema } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../../src/store/clickhouse/clickhouse-store.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import type { ResultCache } from '../../../src/store/result-cache.ts';
import { sql } from '../../../src/store/sql/sql.ts';
import type { Store } from '../../../src/store/store.ts';
import { sessionRow } from '../../util/records.ts';
import { HOSTILE_RUN_IDS } from '../hostile-values.ts';
import { clickHouseCluster } from './cluster.ts';

const ch = await clickHouseCluster('tracking');

/** An audit as compared across engines: ids replaced by their order of creation, times by whether they are set. */
function shape(a: TrackedAudit | null, ids: Map<number, number>) {
  if (!a) return null;
  return {
    ...a,
    auditId: ids.get(a.auditId) ?? `unknown ${a.auditId}`,
    startedAt: a.startedAt !== '' && !Number.isNaN(Date.parse(a.startedAt)),
    finishedAt: a.finishedAt === null ? null : !Number.isNaN(Date.parse(a.finishedAt)),
    sections: a.sections.map((s) => ({
      ...s,
      startedAt: s.startedAt === null ? null : !Number.isNaN(Date.parse(s.startedAt)),
      finishedAt: s.finishedAt === null ? null : !Number.isNaN(Date.parse(s.finishedAt)),
    })),
  };
}

/** A section result with what a report holds: text of every kind (a model's output is untrusted), numbers. */
const RESULT = {
  id: 'calibration',
  findings: [
    { claim: `it's "quoted" \\ back\nslash ${HOSTILE_RUN_IDS.join(' | ')} 🙂 和`, value: 0.1 + 0.2 },
  ],
  charts: [{ svg: '<svg>'.padEnd(300_000, 'x') }],
};

/**
 * One scripted history of audits and cached results, run against a store's tracking and cache; returns what
 * every read answered along the way, with ids and times made comparable.
 */
async function script(store: Store): Promise<unknown[]> {
  const t: AuditTracking = store.audits;
  const c: ResultCache = store.results;
  const ids = new Map<number, number>();
  const seen: unknown[] = [];
  const run = HOSTILE_RUN_IDS[0]!;
  const begin = async (configHash: string, sections: string[]) => {
    const id = await t.beginAudit({
      run,
      template: 'full',
      configHash,
      config: { run, n: 1 },
      sectionIds: sections,
    });
    ids.set(id, ids.size + 1);
    return id;
  };
  seen.push(shape(await t.latestAudit(run, 'h1'), ids));
  const a1 = await begin('h1', ['overview', 'calibration', 'diversity']);
  await t.markSection(a1, 'overview', { status: 'running' });
  await t.markSection(a1, 'overview', { status: 'complete', durationMs: 12, result: { id: 'overview' } });
  await t.markSection(a1, 'calibration', { status: 'running' });
  await t.markSection(a1, 'calibration', { status: 'complete', durationMs: 7, result: RESULT });
  await t.markSection(a1, 'diversity', { status: 'running' });
  await t.markSection(a1, 'diversity', { status: 'failed', error: "shard 2: it's gone" });
  // a section that is not part of the audit changes nothing
  await t.markSection(a1, 'no-such-section', { status: 'complete' });
  await t.finishAudit(a1, 'failed', null);
  seen.push(shape(await t.latestAudit(run, 'h1'), ids));
  seen.push(await t.auditReport(a1));
  // the resumed audit: a new audit of the same configuration, the done sections marked complete again
  const a2 = await begin('h1', ['overview', 'calibration', 'diversity']);
  await t.markSection(a2, 'overview', { status: 'complete', durationMs: 12, result: { id: 'overview' } });
  await t.markSection(a2, 'calibration', { status: 'complete', durationMs: 7, result: RESULT });
  await t.markSection(a2, 'diversity', { status: 'running' });
  await t.markSection(a2, 'diversity', { status: 'complete', durationMs: 3, result: [] });
  await t.finishAudit(a2, 'complete', { schema: 'rlaudit-report/1', title: RESULT.findings[0]!.claim });
  await t.recordOperations(a2, [
    { metric: 'event_loop_lag_ms', p50: 0.1, p95: 5e-324, max: 1234.5678901234567 },
    { metric: 'rss_mb', p50: 100, p95: 123.456789012345, max: 130 },
  ]);
  const a3 = await begin('h2', ['overview']);
  await t.recordOperations(a3, [{ metric: 'rss_mb', p50: 1, p95: 2, max: 3 }]);
  seen.push(shape(await t.latestAudit(run, 'h1'), ids));
  seen.push(shape(await t.latestAudit(run, 'h2'), ids));
  seen.push(shape(await t.latestAudit(run, 'h3'), ids));
  seen.push((await t.listAudits(run)).map((a) => shape(a, ids)));
  seen.push((await t.listAudits(run, 1)).map((a) => shape(a, ids)));
  seen.push(await t.listAudits('another run'));
  seen.push(await t.auditReport(a2));
  const byMetric = (rows: { metric: string; p95: number }[]) =>
    [...rows].sort((x, y) => x.metric.localeCompare(y.metric) || x.p95 - y.p95);
  seen.push(byMetric(await t.operationsHistory(10, a3)));
  seen.push(byMetric(await t.operationsHistory(10, a2)));
  seen.push(byMetric(await t.operationsHistory(1, -1)));

  // an audit that fails while a section runs (the store stopped answering): that section is failed with it
  const a4 = await begin('h4', ['overview', 'calibration', 'diversity']);
  await t.markSection(a4, 'overview', { status: 'running' });
  await t.markSection(a4, 'overview', { status: 'complete', durationMs: 1, result: { id: 'overview' } });
  await t.markSection(a4, 'calibration', { status: 'running' });
  await t.finishAudit(a4, 'failed', null);
  const failed = await t.latestAudit(run, 'h4');
  seen.push(shape(failed, ids));
  seen.push({ failedSections: failed?.sections.map((s) => [s.sectionId, s.status, s.error]) });
  // each run's newest audit, as `rlaudit runs` shows it
  seen.push({
    lastAudits: (await t.lastAudits()).map((l) => ({
      ...l,
      auditId: ids.get(l.auditId),
      startedAt: !Number.isNaN(Date.parse(l.startedAt)),
      finishedAt: l.finishedAt === null ? null : !Number.isNaN(Date.parse(l.finishedAt)),
    })),
  });

  // the result cache: by fingerprint, replaced by a newer put, cleared
  const fp = await c.fingerprint(run);
  seen.push(/^\d+@\d+$/.test(fp), await c.fingerprint('no such run'));
  seen.push(await c.get(run, fp, 'k'));
  await c.put(run, fp, 'k', JSON.stringify(RESULT));
  await c.put(run, fp, "k'2", '"second"');
  seen.push(await c.get(run, fp, 'k'), await c.get(run, 'other', 'k'), await c.get('other', fp, 'k'));
  await c.put(run, 'newer', 'k', '"newer"');
  seen.push(await c.get(run, fp, 'k'), await c.get(run, 'newer', 'k'));
  await c.clear(run);
  seen.push(await c.get(run, 'newer', 'k'), await c.get(run, fp, "k'2"));
  await c.put(run, fp, 'k', '"after clear"');
  await c.put('other', fp, 'k', '"other run"');
  await c.clear('other');
  seen.push(await c.get(run, fp, 'k'), await c.get('other', fp, 'k'));
  await c.clear();
  seen.push(await c.get(run, fp, 'k'));
  return seen;
}

describe('audit tracking and the result cache on the 2-shard ClickHouse cluster', { skip: ch.skip }, () => {
  let duck: DuckDbStore;
  let click: ClickHouseStore;
  const records = () => [
    sessionRow(1, { run: HOSTILE_RUN_IDS[0]! }),
    sessionRow(2, { run: HOSTILE_RUN_IDS[0]! }),
  ];
  before(async () => {
    duck = await DuckDbStore.open(':memory:');
    await createClusterSchema(await ch.shardClients(), 'rlaudit_2shards', ch.database);
    click = await ClickHouseStore.open(ch.clusterUrl);
    await ingestRecords(duck, records(), { name: 'tracking' });
    await ingestRecords(click, records(), { name: 'tracking' });
  });
  after(async () => {
    await duck?.close();
    await click?.close();
  });

  test('answers every read of a scripted history of audits and cached results as the DuckDB store does', async () => {
    const expected = await script(duck);
    const actual = await script(click);
    assert.deepEqual(actual, expected);
    // the failed audit's section that was running is failed, the one never started still pending
    const named = Object.assign(
      {},
      ...expected.filter((x) => x !== null && typeof x === 'object' && !Array.isArray(x)),
    );
    assert.deepEqual(named.failedSections, [
      ['overview', 'complete', null],
      ['calibration', 'failed', STOPPED_SECTION_ERROR],
      ['diversity', 'pending', null],
    ]);
    assert.deepEqual(
      (named.lastAudits as { run: string; auditId: number; status: string }[]).map((l) => [
        l.run,
        l.auditId,
        l.status,
      ]),
      [[HOSTILE_RUN_IDS[0], 4, 'failed']],
    );
  });

  test('audit ids are unique among audits begun at once by several processes, and audits are listed newest first', async () => {
    const stores = [
      click,
      await ClickHouseStore.open(ch.clusterUrl),
      await ClickHouseStore.open(ch.clusterUrl),
    ];
    try {
      const begin = (s: ClickHouseStore, i: number) =>
        s.audits.beginAudit({ run: 'ids', template: 't', configHash: 'h', config: { i }, sectionIds: ['a'] });
      const ids = (
        await Promise.all(
          stores.map((s, k) => Promise.all(Array.from({ length: 20 }, (_, i) => begin(s, k * 20 + i)))),
        )
      ).flat();
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(ids.every((id) => Number.isSafeInteger(id) && id > 0));
      const later = await begin(click, 99);
      const [newest] = await click.audits.listAudits('ids', 1);
      assert.equal(newest?.auditId, later);
    } finally {
      for (const s of stores.slice(1)) await s.close();
    }
  });

  test('a status written twice (a retried insert) is still one audit and one section row before merges', async () => {
    const t = click.audits;
    const id = await t.beginAudit({
      run: 'twice',
      template: 't',
      configHash: 'h',
      config: {},
      sectionIds: ['a'],
    });
    await t.markSection(id, 'a', { status: 'complete', durationMs: 1, result: { x: 1 } });
    // the same rows again, as a retry after a lost answer would write them
    await click.client.command(
      sql`INSERT INTO audit_sections SELECT * FROM audit_sections WHERE audit_id = ${id}`,
    );
    await click.client.command(sql`INSERT INTO audits SELECT * FROM audits WHERE audit_id = ${id}`);
    const audits = await t.listAudits('twice');
    assert.equal(audits.length, 1);
    assert.deepEqual(
      audits[0]!.sections.map((s) => [s.sectionId, s.status, s.result]),
      [['a', 'complete', { x: 1 }]],
    );
  });

  test('another process sees the audit and resumes marking its sections (nothing kept only in memory)', async () => {
    const id = await click.audits.beginAudit({
      run: 'other process',
      template: 't',
      configHash: 'h',
      config: { a: 1 },
      sectionIds: ['a', 'b'],
    });
    await click.audits.markSection(id, 'a', { status: 'running' });
    const second = await ClickHouseStore.open(ch.clusterUrl);
    try {
      await second.audits.markSection(id, 'a', { status: 'complete', durationMs: 5, result: 1 });
      await second.audits.finishAudit(id, 'complete', { r: 1 });
      const [a] = await second.audits.listAudits('other process');
      assert.equal(a?.status, 'complete');
      assert.deepEqual(
        a?.sections.map((s) => [s.position, s.sectionId, s.status, s.startedAt !== null]),
        [
          [0, 'a', 'complete', true],
          [1, 'b', 'pending', false],
        ],
      );
      assert.deepEqual(await second.audits.auditReport(id), { r: 1 });
    } finally {
      await second.close();
    }
  });
});
