import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { createClusterSchema } from '../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.ts';
import { copyRuns, digestRun } from '../../src/store/copy.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestFiles } from '../../src/store/ingest.ts';
import { runCli } from '../util/cli.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';
import { clickHouseCluster } from './clickhouse/cluster.ts';

const ch = await clickHouseCluster('copy');
const dir = tempDir();

/** Two runs with every kind of row: a run record, sessions with nested annotations, standalone ones, events. */
function writeFixture(path: string): string {
  const rows: unknown[] = [{ type: 'run', run: 'a', model: 'm', meta: { k: [1, 2] } }];
  for (let i = 1; i <= 60; i++) {
    rows.push(
      sessionRow(i, {
        run: i % 2 ? 'a' : 'b',
        time: `2026-02-01T00:00:${String(i % 60).padStart(2, '0')}.25Z`,
        baseline_reward: (i * 0.1) % 1,
        ...(i % 9 === 0 ? { annotations: [{ author: 'x', text: `note ${i}` }] } : {}),
      }),
    );
  }
  rows.push({
    type: 'annotation',
    run: 'a',
    id: 'sa',
    session: 3,
    author: 'y',
    text: 'standalone',
    flags: ['f'],
  });
  rows.push({
    type: 'event',
    run: 'b',
    id: 'e1',
    session: 10,
    kind: 'recalibration',
    parameter: 'penalty',
    target: { category: 3 },
    from: 0.1,
    to: 0.30000000000000004,
    trigger: { rule: 'r', count: 2 },
  });
  return writeJsonl(path, rows);
}

/** Per-step metrics of run `a` (a trainer's metrics file): five steps, two metrics, an inexact float. */
function writeMetrics(path: string): string {
  return writeJsonl(
    path,
    [0, 1, 2, 3, 4].map((step) => ({
      step,
      train_reward: 0.1 * step + 0.2,
      kl: step === 2 ? 0.1 + 0.2 : step / 7,
    })),
  );
}

describe('rlaudit copy between two DuckDB files', () => {
  test('carries the per-step metrics with the records, counted and hashed, and a second copy adds nothing', async () => {
    const src = await DuckDbStore.open(join(dir, 'm-src.duckdb'));
    const dst = await DuckDbStore.open(join(dir, 'm-dst.duckdb'));
    try {
      await ingestFiles(src, [writeFixture(join(dir, 'm-fixture.jsonl'))], {});
      const loaded = await ingestFiles(src, [writeMetrics(join(dir, 'metrics.jsonl'))], { run: 'a' });
      assert.equal(loaded.accepted, 5, loaded.errors.join('; '));
      const [a] = await copyRuns(src, dst, { run: 'a' });
      assert.equal(a!.matches, true);
      assert.equal(a!.from.stepMetrics, 10);
      assert.equal(a!.to.stepMetrics, 10);
      // 1 run record + 30 sessions + 1 standalone annotation, then 5 steps of metrics
      assert.deepEqual([a!.read, a!.accepted, a!.rejected, a!.duplicates], [37, 37, 0, 0]);
      assert.deepEqual(await dst.listStepMetrics({ run: 'a' }), await src.listStepMetrics({ run: 'a' }));
      // a run that holds nothing but per-step metrics is copied with the others
      await ingestFiles(src, [writeMetrics(join(dir, 'solo.jsonl'))], { run: 'solo' });
      const all = await copyRuns(src, dst);
      assert.deepEqual(
        all.map((c) => [c.run, c.matches, c.to.stepMetrics]),
        [
          ['a', true, 10],
          ['b', true, 0],
          ['solo', true, 10],
        ],
      );
      const again = await copyRuns(src, dst, { run: 'a' });
      assert.deepEqual([again[0]!.accepted, again[0]!.duplicates, again[0]!.matches], [0, 37, true]);
      // a metric that differs in the destination is a conflict there, and the hashes tell the runs apart
      const other = await DuckDbStore.open(join(dir, 'm-other.duckdb'));
      try {
        await ingestFiles(other, [writeJsonl(join(dir, 'm2.jsonl'), [{ step: 2, kl: 9 }])], { run: 'a' });
        const [c] = await copyRuns(src, other, { run: 'a' });
        assert.equal(c!.conflicts, 1);
        assert.equal(c!.matches, false);
        assert.notEqual(c!.from.sha256, c!.to.sha256);
      } finally {
        await other.close();
      }
    } finally {
      await src.close();
      await dst.close();
    }
  });
});

describe('rlaudit copy between DuckDB and the ClickHouse cluster', { skip: ch.skip }, () => {
  let url: string;
  before(async () => {
    await createClusterSchema(await ch.shardClients(), 'rlaudit_2shards', ch.database);
    url = ch.clusterUrl;
  });

  test('DuckDB → cluster → DuckDB keeps every run bit for bit: the same counts and content hash on all three', async () => {
    const src = await DuckDbStore.open(join(dir, 'src.duckdb'));
    await ingestFiles(src, [writeFixture(join(dir, 'fixture.jsonl'))], {});
    await ingestFiles(src, [writeMetrics(join(dir, 'fixture-metrics.jsonl'))], { run: 'a' });
    const house = await ClickHouseStore.open(url);
    const back = await DuckDbStore.open(join(dir, 'back.duckdb'));
    try {
      const there = await copyRuns(src, house);
      assert.deepEqual(
        there.map((c) => [c.run, c.matches, c.to.sessions, c.to.annotations, c.to.events, c.to.stepMetrics]),
        [
          ['a', true, 30, 1, 0, 10],
          ['b', true, 30, 0, 1, 0],
        ],
      );
      const home = await copyRuns(house, back);
      assert.ok(home.every((c) => c.matches));
      for (const run of ['a', 'b']) {
        const d = await digestRun(src, run);
        assert.deepEqual(await digestRun(back, run), d);
        assert.deepEqual(await digestRun(house, run), d);
      }
      // nested annotations came along inside their sessions
      assert.equal((await house.getSession({ run: 'a', session: 9 }))?.annotations.length, 1);
      // a second copy adds nothing
      const again = await copyRuns(src, house, { run: 'a' });
      assert.deepEqual(
        [again[0]!.accepted, again[0]!.duplicates, again[0]!.matches],
        [0, again[0]!.read, true],
      );
    } finally {
      await src.close();
      await house.close();
      await back.close();
    }
  });

  test('a run that differs in the destination is kept there, and the CLI prints both hashes and exits 1', async () => {
    const differs = join(dir, 'differs.duckdb');
    const d = runCli([
      '--db',
      differs,
      'ingest',
      writeJsonl(join(dir, 'one.jsonl'), [sessionRow(1, { run: 'a', output: 'another output' })]),
    ]);
    assert.equal(d.code, 0, d.stderr);
    const r = runCli(['copy', '--from', url, '--to', `duckdb:${differs}`, '--run', 'a'], {
      RLAUDIT_STORE: '',
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /1 run\(s\) differ between --from and --to after the copy \(a\)/);
    assert.match(r.stdout, /^a .* NO$/m);
    const json = runCli(['copy', '--from', url, '--to', `duckdb:${differs}`, '--run', 'a', '--json'], {
      RLAUDIT_STORE: '',
    });
    const [c] = JSON.parse(json.stdout);
    assert.notEqual(c.from.sha256, c.to.sha256);
    assert.equal(c.conflicts, 1);
  });

  test('copying a run the source does not have is refused naming it', () => {
    const r = runCli(['copy', '--from', url, '--to', `duckdb:${join(dir, 'x.duckdb')}`, '--run', 'nope'], {
      RLAUDIT_STORE: '',
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no run 'nope'/);
  });
});
