import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createClusterSchema } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../../src/store/clickhouse/clickhouse-store.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestFiles } from '../../../src/store/ingest.ts';
import type { Store } from '../../../src/store/store.ts';
import { runCli, spawnCli } from '../../util/cli.ts';
import { sessionRow, writeJsonl } from '../../util/records.ts';
import { tempDir } from '../../util/tmp.ts';
import { clickHouseCluster } from './cluster.ts';

const ch = await clickHouseCluster('ingest');
const CLUSTER = 'rlaudit_2shards';
const dir = tempDir();

/** A seeded generator (xorshift), so every fixture is the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** A double from random bits (any finite value: subnormals, huge, negative, -0 included). */
function anyDouble(rand: () => number): number {
  const b = new Uint32Array(2);
  const f = new Float64Array(b.buffer);
  do {
    b[0] = Math.floor(rand() * 2 ** 32);
    b[1] = Math.floor(rand() * 2 ** 32);
  } while (!Number.isFinite(f[0]));
  return f[0]!;
}

/**
 * A run with every kind of row: sessions with non-ASCII text, random doubles, times with microseconds,
 * nested annotations (with and without ids), standalone annotations, events, a run record, bad lines, a
 * repeated line (duplicate) and a conflicting one (same session, other output).
 */
function fixtureRows(run: string): unknown[] {
  const rand = seeded(7);
  const rows: unknown[] = [
    {
      type: 'run',
      run,
      model: 'Qwen2.5-7B',
      description: 'conformance',
      meta: { lr: 1e-6, tags: ['a', 'b'] },
    },
  ];
  for (let i = 1; i <= 120; i++) {
    const extra: Record<string, unknown> = {
      run,
      time: `2026-01-0${1 + (i % 9)}T10:${String(i % 60).padStart(2, '0')}:07.${String(123456 + i).slice(0, 6)}Z`,
      output: `Ответ ${i}: the basin policy — 流域 ${'ünïcödé '.repeat(i % 5)} done`,
      phase: i % 10 === 0 ? 'eval' : 'training',
      meta: { rlaudit_index_in_step: i % 8, note: `n${i}` },
    };
    if (i % 4 === 0) extra.baseline_reward = rand(); // a reward in [0, 1] with random low bits
    if (i % 5 === 0) extra.adjusted_reward = anyDouble(rand);
    if (i % 7 === 0) extra.differential_pct = -0;
    if (i % 6 === 0) {
      extra.annotations = [
        { author: 'ann', text: `looks odd ${i}`, classification: 'non_compliant', flags: ['x'] },
        { id: `named-${i}`, author: 'bob', text: 'second', time: '2026-01-02T00:00:00Z' },
      ];
    }
    if (i % 11 === 0) extra.prompt = null;
    rows.push(sessionRow(i, extra));
  }
  rows.push(sessionRow(5, { run, output: 'a different output for session 5' })); // conflict
  rows.push(rows[10]!); // an identical repeat: duplicate
  rows.push(`{"type": "session", "run": "${run}", "session": "x"}`); // invalid field
  rows.push('{not json'); // unreadable line
  rows.push({ type: 'annotation', run, id: 'ann-1', session: 3, author: 'carol', text: 'standalone' });
  rows.push({
    type: 'annotation',
    run,
    session: 4,
    author: 'dave',
    text: 'no id',
    time: '2026-01-03T00:00:00Z',
  });
  rows.push({
    type: 'event',
    run,
    id: 'ev-1',
    session: 40,
    kind: 'recalibration',
    parameter: 'penalty',
    target: { category: 3 },
    from: 0.1,
    to: anyDouble(rand),
    change_pct: 12.5,
    trigger: { rule: 'r' },
  });
  rows.push({
    type: 'event',
    run,
    session: 50,
    kind: 'recalibration',
    parameter: 'p',
    target: { global: true },
    from: 1,
    to: 2,
  });
  return rows;
}

/** What a store holds of a run, through the Store interface only (the same calls for both engines). */
async function snapshot(store: Store, run: string) {
  const runs = (await store.listRuns()).filter((r) => r.run === run || r.run.startsWith(`${run}--`));
  const sessions = await store.listSessions({ run, outputChars: 0, limit: 10_000 });
  const byReward = await store.listSessions({ run, sort: '-reward', limit: 15 });
  const grep = await store.listSessions({ run, grep: 'ünï', phase: 'training', limit: 50, outputChars: 12 });
  // a pattern the engine refuses is the user's error naming --grep, on either engine (the reason is the engine's)
  const badGrep = await store.listSessions({ run, grep: 'a)|(b', limit: 5 }).then(
    () => 'accepted',
    (err: { name: string; field?: string }) => `${err.name} ${err.field}`,
  );
  const details = [];
  for (const s of [1, 3, 4, 5, 6, 12, 40, 50, 77, 120])
    details.push(await store.getSession({ run, session: s }));
  const records = [];
  for await (const page of store.scanSessions(run, 37)) records.push(...page);
  return {
    runs,
    sessions,
    byReward,
    grep,
    badGrep,
    details,
    records,
    rejects: await store.listRejects({ run }),
    noRun: await store.listRejects({ run: null }),
    count: await store.countRejects({ run }),
    bounds: await store.sessionBounds({ run, session: 200, step: 7 }),
    boundsInside: await store.sessionBounds({ run, session: 50, step: 3 }),
    atStep: await store.sessionAtStep({ run, step: 2, index: 3 }),
    stored: (await store.storedSessions(run)).map((r) => ({
      ...r,
      steps: [...r.steps.entries()],
      indexed: [...(r.indexed ?? new Map()).entries()].map(([k, v]) => [k, [...v.entries()]]),
    })),
    record: await store.getRun(run),
    has: [await store.hasRun(run), await store.hasRun(`${run}-nope`)],
  };
}

describe('ingest into ClickHouse (the two-shard cluster)', { skip: ch.skip }, () => {
  const url = `${ch.clusterUrl}`;
  let duck: DuckDbStore;
  let house: ClickHouseStore;
  const file = join(dir, 'conformance.jsonl');
  const conflicting = join(dir, 'conflicting.jsonl');

  before(async () => {
    await createClusterSchema(await ch.shardClients(), CLUSTER, ch.database);
    writeJsonl(file, fixtureRows('conf'));
    writeJsonl(conflicting, [
      sessionRow(7, { run: 'conf', output: 'not what was stored' }),
      { type: 'run', run: 'conf', model: 'another model' },
      {
        type: 'event',
        run: 'conf',
        id: 'ev-1',
        session: 40,
        kind: 'recalibration',
        parameter: 'x',
        target: { global: true },
        from: 0.1,
        to: 0.2,
      },
      sessionRow(500, { run: 'conf' }),
    ]);
    duck = await DuckDbStore.open(join(dir, 'conf.duckdb'));
    house = await ClickHouseStore.open(url);
  });
  after(async () => {
    await duck?.close();
    await house?.close();
  });

  test('the same file ingested into DuckDB and into the cluster gives the same counts, sessions, sessions whole, rejects and bounds', async () => {
    const a = await ingestFiles(duck, [file], {});
    const b = await ingestFiles(house, [file], {});
    const counts = (s: typeof a) => [s.read, s.accepted, s.rejected, s.duplicates, s.conflicts];
    assert.deepEqual(counts(b), counts(a));
    assert.equal(b.read, b.accepted + b.rejected + b.duplicates);
    assert.ok(b.conflicts >= 1 && b.duplicates >= 1 && b.rejected >= 3, JSON.stringify(counts(b)));
    const snap = await snapshot(house, 'conf');
    assert.deepEqual(snap, await snapshot(duck, 'conf'));
    assert.equal(snap.badGrep, 'InputError --grep');
    // the fixture's events and annotations (nested and standalone) were stored, not rejected
    const at = (s: number) => snap.details.find((d) => d?.session === s);
    assert.equal(at(40)?.events.length, 1);
    assert.equal(at(50)?.events.length, 1);
    assert.deepEqual(
      [at(3)?.annotations.length, at(4)?.annotations.length, at(6)?.annotations.length],
      [1, 1, 2],
    );
  });

  test('per-step metrics: new keys accepted, equal values duplicates, another value a conflict naming the kept copy, as on DuckDB', async () => {
    const outcomes = [];
    for (const store of [duck, house] as Store[]) {
      const ingestId = await store.beginIngest(null);
      const batch = (loadId: number, sourceFile: string, value: number) => ({
        loadId,
        sourceFile,
        runIds: ['metrics'],
        rejects: [],
        rows: [1, 2, 3].map((step) => ({
          run: 'metrics',
          line: step,
          step,
          metrics: [
            { name: 'entropy', value: step === 2 ? value : 0.1 * step },
            { name: 'kl', value: 1 / (step + 3) },
          ],
        })),
      });
      const info = { ingestId, path: 'm.jsonl', absPath: '/data/m.jsonl', format: 'step-metrics', bytes: 1 };
      const first = await store.writeStepMetrics(batch(await store.beginLoad(info), '/data/m.jsonl', 0.2));
      const again = await store.writeStepMetrics(batch(await store.beginLoad(info), '/data/m.jsonl', 0.2));
      const other = await store.writeStepMetrics(
        batch(await store.beginLoad({ ...info, absPath: '/data/n.jsonl' }), '/data/n.jsonl', 0.3),
      );
      outcomes.push({
        first,
        again,
        other,
        stored: await store.listStepMetrics({ run: 'metrics' }),
        kl: await store.listStepMetrics({ run: 'metrics', names: ['kl'] }),
        rejects: await store.listRejects({ run: 'metrics' }),
      });
    }
    assert.deepEqual(outcomes[1], outcomes[0]);
    assert.deepEqual(outcomes[1]!.other, { read: 3, accepted: 0, rejected: 1, duplicates: 2, conflicts: 1 });
    assert.equal(outcomes[1]!.rejects[0]?.conflictWith?.file, '/data/m.jsonl');
  });

  test('every double comes back bit for bit (18.16 parses JSON floats inexactly: they travel as their bits)', async () => {
    const rows = fixtureRows('conf').filter(
      (r): r is Record<string, unknown> =>
        typeof r === 'object' && (r as { type?: string }).type === 'session',
    );
    const stored = new Map<number, Record<string, unknown>>();
    for await (const page of house.scanSessions('conf')) for (const s of page) stored.set(s.session, s);
    let compared = 0;
    for (const r of rows.slice(0, 120)) {
      const s = stored.get(r.session as number)!;
      for (const k of ['baseline_reward', 'adjusted_reward', 'differential_pct']) {
        if (r[k] === undefined) continue;
        assert.ok(Object.is(s[k], r[k]) || (r[k] === 0 && s[k] === 0), `session ${r.session} ${k}`);
        compared++;
      }
    }
    assert.ok(compared > 50, `${compared} values compared`);
  });

  test('re-ingesting adds nothing: every row is a duplicate or a rejected row again, on both engines', async () => {
    const a = await ingestFiles(duck, [file], {});
    const b = await ingestFiles(house, [file], {});
    assert.equal(b.accepted, 0);
    assert.deepEqual(
      [b.read, b.accepted, b.rejected, b.duplicates],
      [a.read, a.accepted, a.rejected, a.duplicates],
    );
    assert.deepEqual(await snapshot(house, 'conf'), await snapshot(duck, 'conf'));
  });

  test('a conflicting row never overwrites and is rejected naming the file and line of the kept copy', async () => {
    const a = await ingestFiles(duck, [conflicting], {});
    const b = await ingestFiles(house, [conflicting], {});
    assert.deepEqual(
      [b.read, b.accepted, b.rejected, b.conflicts],
      [a.read, a.accepted, a.rejected, a.conflicts],
    );
    assert.deepEqual(
      [b.read, b.accepted, b.rejected, b.conflicts],
      [4, 1, 3, 3],
      JSON.stringify(await house.listRejects({ run: 'conf' })),
    );
    const session = await house.getSession({ run: 'conf', session: 7 });
    assert.notEqual(session?.output, 'not what was stored');
    const rejects = await house.listRejects({ run: 'conf' });
    const mine = rejects.filter((r) => r.file === conflicting);
    assert.deepEqual(
      mine.map((r) => [r.line, r.field, r.conflictWith?.file]),
      [
        [1, 'session', file],
        [2, 'run', file],
        [3, 'id', file],
      ],
    );
    assert.deepEqual(
      mine.map((r) => r.conflictWith?.line),
      [8, 1, fixtureRows('conf').length - 1],
    );
    assert.deepEqual(await snapshot(house, 'conf'), await snapshot(duck, 'conf'));
  });

  test('a re-ingest compares long text by its SHA-256 on the server: any text equal is a duplicate, one character off a conflict', async () => {
    const texts = [
      'plain',
      'it\'s \\ "quoted" `x` -- ; DROP TABLE sessions',
      'lone \ud800 surrogate and \udfff another',
      'astral 𝔘𝔫𝔦 😀 and NUL \u0000 and tab \t',
      '',
      'Ответ — 流域',
    ];
    const rows = texts.map((t, i) =>
      sessionRow(i + 1, { run: 'hashes', output: t, prompt: i % 2 === 0 ? t : null }),
    );
    const first = join(dir, 'hashes.jsonl');
    writeJsonl(first, rows);
    const a = await ingestFiles(house, [first], {});
    assert.deepEqual([a.read, a.accepted], [texts.length, texts.length]);
    const again = await ingestFiles(house, [first], {});
    assert.deepEqual([again.read, again.accepted, again.duplicates, again.conflicts], [6, 0, 6, 0]);
    const changed = join(dir, 'hashes-changed.jsonl');
    writeJsonl(changed, [
      sessionRow(1, { run: 'hashes', output: 'plaim', prompt: 'plain' }), // one character of output
      sessionRow(2, { run: 'hashes', output: texts[1], prompt: '' }), // prompt null → empty
      sessionRow(3, { run: 'hashes', output: texts[2], prompt: texts[2] }), // equal
      sessionRow(6, { run: 'hashes', output: 'Ответ — 流域 ', prompt: texts[5] }), // a trailing space
    ]);
    const b = await ingestFiles(house, [changed], {});
    assert.deepEqual([b.read, b.accepted, b.duplicates, b.conflicts], [4, 0, 1, 3]);
    assert.equal((await house.getSession({ run: 'hashes', session: 1 }))?.output, 'plain');
  });

  test('rlaudit simulate writes the same run into the cluster as into DuckDB', () => {
    const args = ['simulate', '--scenario', 'wild-7', '--sessions', '400', '--run', 'sim', '--json'];
    const db = ['--db', join(dir, 'simulate.duckdb')];
    const onHouse = runCli(['--store', url, ...args], { RLAUDIT_STORE: '' });
    assert.equal(onHouse.code, 0, onHouse.stderr);
    assert.deepEqual(JSON.parse(onHouse.stdout), JSON.parse(runCli([...db, ...args]).stdout));
    const list = (store: string[]) =>
      runCli([...store, 'sessions', '--run', 'sim', '--json', '--limit', '500']);
    const ls = list(['--store', url]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(JSON.parse(ls.stdout), JSON.parse(list(db).stdout));
    const show = (store: string[]) =>
      runCli([...store, 'show', '--run', 'sim', '--session', '250', '--json']);
    assert.deepEqual(JSON.parse(show(['--store', url]).stdout), JSON.parse(show(db).stdout));
  });

  test('rlaudit calibrate replays the run on the cluster with the output it has on DuckDB', () => {
    const args = [
      'calibrate',
      '--protocol',
      'wild-7',
      '--run',
      'conf',
      '--unclassified',
      'compliant',
      '--json',
    ];
    const d = runCli(['--db', join(dir, 'calibrate.duckdb'), 'ingest', file, conflicting]);
    assert.equal(d.code, 0, d.stderr);
    const onDuck = runCli(['--db', join(dir, 'calibrate.duckdb'), ...args]);
    const onHouse = runCli(['--store', url, ...args], { RLAUDIT_STORE: '' });
    assert.equal(onHouse.code, 0, onHouse.stderr);
    assert.equal(onDuck.code, 0, onDuck.stderr);
    assert.deepEqual(JSON.parse(onHouse.stdout), JSON.parse(onDuck.stdout));
    const list = (store: string[]) =>
      runCli([...store, 'sessions', '--run', 'conf--wild-7', '--json', '--limit', '500']);
    const ls = list(['--store', url]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(JSON.parse(ls.stdout), JSON.parse(list(['--db', join(dir, 'calibrate.duckdb')]).stdout));
  });
});

describe('ingest into ClickHouse under SIGKILL', { skip: ch.skip }, () => {
  test('a rerun after the CLI was killed mid-ingest gives exact counts: nothing lost, nothing doubled', async () => {
    const db = await ch.database2('kill');
    await createClusterSchema(await ch.shardClients(db), CLUSTER, db);
    const url = `clickhouse://default@127.0.0.1:${ch.httpPorts[0]}/${db}?cluster=${CLUSTER}`;
    const ROWS = 12_000;
    const bad = [17, 5_555];
    const rows = Array.from({ length: ROWS }, (_, i) =>
      bad.includes(i + 1) ? { type: 'session', run: 'crash', session: i + 1, output: 3 } : sessionRow(i + 1),
    );
    const file = writeJsonl(join(dir, 'kill.jsonl'), rows);
    const env = { RLAUDIT_TRACE: 'batches', RLAUDIT_BATCH_ROWS: '1000', RLAUDIT_STORE: '' };
    const child = spawnCli(['--store', url, 'ingest', file, '--run', 'crash'], env);
    let committed = 0;
    let trace = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        trace += d.toString();
        committed += (d.toString().match(/batch committed/g) ?? []).length;
        if (committed >= 3 && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    assert.equal(child.signalCode, 'SIGKILL', `the child was killed mid-ingest: ${trace.slice(-400)}`);
    const partial = JSON.parse(runCli(['--store', url, 'runs', '--json'], { RLAUDIT_STORE: '' }).stdout);
    const kept = partial.find((r: { run: string }) => r.run === 'crash')?.sessions ?? 0;
    assert.ok(kept > 0 && kept < ROWS, `a part of the file was written (${kept})`);

    const again = runCli(['--store', url, 'ingest', file, '--run', 'crash', '--json'], { RLAUDIT_STORE: '' });
    assert.equal(again.code, 0, again.stderr);
    const s = JSON.parse(again.stdout);
    assert.equal(s.read, ROWS);
    assert.equal(s.rejected, bad.length);
    assert.equal(s.accepted + s.duplicates, ROWS - bad.length);
    assert.ok(
      s.duplicates >= kept - 1,
      `what the killed run wrote is found again (${s.duplicates} ≥ ${kept})`,
    );
    const runs = JSON.parse(runCli(['--store', url, 'runs', '--json'], { RLAUDIT_STORE: '' }).stdout);
    const crash = runs.find((r: { run: string }) => r.run === 'crash');
    assert.deepEqual([crash.sessions, crash.rejects], [ROWS - bad.length, bad.length]);
    const third = JSON.parse(
      runCli(['--store', url, 'ingest', file, '--run', 'crash', '--json'], { RLAUDIT_STORE: '' }).stdout,
    );
    assert.deepEqual([third.accepted, third.duplicates, third.rejected], [0, ROWS - bad.length, bad.length]);
  });
});

describe('undoing a load on ClickHouse (discardLoad)', { skip: ch.skip }, () => {
  const batch = (loadId: number) => ({
    loadId,
    sourceFile: '/data/undo.jsonl',
    runs: [],
    sessions: [1, 2, 3].map((n) => ({
      run: 'undo',
      line: n,
      record: { type: 'session', session: n, output: `o${n}`, annotations: [{ text: 'nested' }] },
    })),
    annotations: [],
    events: [],
    rejects: [{ run: null, line: 4, recordType: null, field: '(line)', expected: 'valid JSON', got: '{' }],
    runIds: ['undo'],
  });
  const info = (ingestId: number) => ({
    ingestId,
    path: 'undo.jsonl',
    absPath: '/data/undo.jsonl',
    format: 'jsonl',
    bytes: 1,
  });

  test('on one server every row the load wrote is deleted, and the run it alone created is gone', async () => {
    const db = await ch.database2('undo');
    const store = await ClickHouseStore.open(`clickhouse://default@127.0.0.1:${ch.httpPorts[0]}/${db}`, {
      create: true,
    });
    try {
      const loadId = await store.beginLoad(info(await store.beginIngest(null)));
      // biome-ignore lint/suspicious/noExplicitAny: a hand-built batch of valid records
      const k = await store.writeBatch(batch(loadId) as any);
      assert.deepEqual([k.read, k.accepted, k.rejected], [4, 3, 1]);
      assert.equal((await store.listRuns())[0]?.sessions, 3);
      await store.discardLoad(loadId);
      assert.deepEqual(await store.listRuns(), []);
      assert.equal(await store.countRejects({}), 0);
      assert.equal(await store.getSession({ run: 'undo', session: 1 }), null);
    } finally {
      await store.close();
    }
  });

  test("ids so long that one IN list of a batch would pass the server's query size are looked up in parts", async () => {
    const db = await ch.database2('long_ids');
    const store = await ClickHouseStore.open(`clickhouse://default@127.0.0.1:${ch.httpPorts[0]}/${db}`, {
      create: true,
    });
    try {
      const ingestId = await store.beginIngest(null);
      const annotations = Array.from({ length: 200 }, (_, i) => ({
        run: 'long',
        line: i + 1,
        record: {
          type: 'annotation',
          id: `${String(i).padStart(4, '0')}${'ж'.repeat(3000)}`,
          session: 1,
          text: 't',
        },
      }));
      const write = async () =>
        store.writeBatch({
          loadId: await store.beginLoad(info(ingestId)),
          sourceFile: '/data/long.jsonl',
          runs: [],
          sessions: [],
          // biome-ignore lint/suspicious/noExplicitAny: hand-built valid records
          annotations: annotations as any,
          events: [],
          rejects: [],
          runIds: ['long'],
        });
      assert.equal((await write()).accepted, 200);
      assert.equal((await write()).duplicates, 200);
    } finally {
      await store.close();
    }
  });

  test('on a cluster the load is marked discarded and the error names the statements to run on every shard', async () => {
    const db = await ch.database2('undo_cluster');
    await createClusterSchema(await ch.shardClients(db), CLUSTER, db);
    const store = await ClickHouseStore.open(
      `clickhouse://default@127.0.0.1:${ch.httpPorts[0]}/${db}?cluster=${CLUSTER}`,
    );
    try {
      const loadId = await store.beginLoad(info(await store.beginIngest(null)));
      // biome-ignore lint/suspicious/noExplicitAny: a hand-built batch of valid records
      await store.writeBatch(batch(loadId) as any);
      await assert.rejects(store.discardLoad(loadId), (err: Error) => {
        assert.match(err.message, new RegExp(`ALTER TABLE sessions_local DELETE WHERE load_id = ${loadId}`));
        assert.match(err.message, /on every shard/);
        return true;
      });
    } finally {
      await store.close();
    }
  });
});
