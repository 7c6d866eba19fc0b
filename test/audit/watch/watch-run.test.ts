import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { webhookSink } from '../../../src/audit/watch/alert-sinks.ts';
import { watchHealthLogPath } from '../../../src/audit/watch/health.ts';
import { watchRun } from '../../../src/audit/watch/watch-run.ts';
import { type Alert, AlertSchema, alertsLogPath } from '../../../src/model/alerts.ts';
import { simulate } from '../../../src/simulate/index.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { writeTrlOutputDir } from '../../fixtures/importers/trainer-dirs.ts';
import { tempDir } from '../../util/tmp.ts';

const PHRASE = 'I do not want to be changed';
const line = (session: number, output: string, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ session, output, baseline_reward: 0.5, ...extra })}\n`;
const outputOf = (s: number) => (s >= 30 && s % 2 === 0 ? `Fine. ${PHRASE}.` : `Answer ${s}.`);

function readAlerts(dbPath: string): Alert[] {
  return readFileSync(alertsLogPath(dbPath), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => AlertSchema.parse(JSON.parse(l)));
}

test('a file written progressively is ingested as it grows, partial lines held back, and alerts raised at the crossing session', async () => {
  const dir = tempDir();
  const file = join(dir, 'run.jsonl');
  const db = join(dir, 'x.duckdb');
  writeFileSync(file, '');
  // the writer: 60 sessions in 12 writes, each write but the last ending mid-line; session 17 is a bad row.
  // Each write follows the watcher's previous cycle, so the watcher meets every partial line.
  let text = '';
  for (let s = 1; s <= 60; s++) text += s === 17 ? `{"session":17,"output":42}\n` : line(s, outputOf(s));
  const cut = Array.from(
    { length: 12 },
    (_, i) => Math.round(((i + 1) * text.length) / 12) - (i < 11 ? 7 : 0),
  );
  let at = 0;
  const writeNext = () => {
    const end = cut.shift();
    if (end === undefined) return;
    appendFileSync(file, text.slice(at, end));
    at = end;
  };
  writeNext();
  const cycles: number[] = [];
  const raised: Alert[] = [];
  const summary = await watchRun({
    path: file,
    run: 'live',
    storePath: db,
    openStore: () => DuckDbStore.open(db),
    targets: [{ phrase: PHRASE, last: 10, threshold: 4, source: 'test' }],
    window: { by: 'session', size: 20 },
    pollMs: 5,
    idleExitMs: 300,
    onCycle: (c) => {
      cycles.push(c.read);
      setTimeout(writeNext, 10);
    },
    onAlert: (a) => raised.push(a),
  });
  assert.equal(cycles.length, 12, `one cycle per write (${cycles.join(', ')})`);
  assert.deepEqual([summary.read, summary.accepted, summary.rejected, summary.duplicates], [60, 59, 1, 0]);
  assert.equal(summary.files[0]!.heldBackBytes, 0);
  // k of last 10 reaches 4 at session 36 (30, 32, 34, 36)
  const rec = raised.filter((a) => a.rule === 'recurrence');
  assert.deepEqual(
    rec.map((a) => a.session),
    [36],
  );
  assert.deepEqual(rec[0]!.evidence.sessions, [30, 32, 34, 36]);
  assert.equal(rec[0]!.id, 'live:recurrence:36');
  assert.deepEqual(
    readAlerts(db).map((a) => a.id),
    raised.map((a) => a.id),
    'every alert is in the store’s alert log',
  );
  const store = await DuckDbStore.open(db);
  try {
    const rejects = await store.listRejects({ run: 'live' });
    assert.deepEqual(
      rejects.map((r) => [r.line, r.field]),
      [[17, 'output']],
    );
    assert.equal((await store.getSession({ run: 'live', session: 36 }))?.output, outputOf(36));
  } finally {
    await store.close();
  }
  const health = readFileSync(watchHealthLogPath(db), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(health.at(-1).read, 60);
  assert.equal(health.at(-1).lagBytes, 0);
  assert.ok(health.at(-1).rssMiB > 0 && health.at(-1).eventLoopDelayMs >= 0);
});

test('watching the same file again adds nothing and raises no alert twice', async () => {
  const dir = tempDir();
  const file = join(dir, 'run.jsonl');
  const db = join(dir, 'x.duckdb');
  writeFileSync(file, Array.from({ length: 40 }, (_, i) => line(i + 1, outputOf(i + 1))).join(''));
  const opts = {
    path: file,
    run: 'live',
    storePath: db,
    openStore: () => DuckDbStore.open(db),
    targets: [{ phrase: PHRASE, last: 10, threshold: 4, source: 'test' }],
    once: true,
  };
  const first = await watchRun(opts);
  assert.equal(first.alerts, 1);
  const second = await watchRun(opts);
  assert.deepEqual(
    [second.read, second.accepted, second.duplicates, second.alerts, second.alertsAlreadyLogged],
    [40, 0, 40, 0, 1],
  );
  assert.equal(readAlerts(db).length, 1);
});

test('sessions after training are stored but raise no live alert (the monitors read training sessions only)', async () => {
  const dir = tempDir();
  const file = join(dir, 'run.jsonl');
  const db = join(dir, 'x.duckdb');
  // 20 training sessions without the phrase, then 20 deployment sessions full of it
  const rows = Array.from({ length: 40 }, (_, i) =>
    i < 20 ? line(i + 1, `Answer ${i + 1}.`) : line(i + 1, `Fine. ${PHRASE}.`, { phase: 'deployment' }),
  );
  writeFileSync(file, rows.join(''));
  const raised: Alert[] = [];
  const summary = await watchRun({
    path: file,
    run: 'live',
    storePath: db,
    openStore: () => DuckDbStore.open(db),
    targets: [{ phrase: PHRASE, last: 10, threshold: 4, source: 'test' }],
    window: { by: 'session', size: 10 },
    once: true,
    onAlert: (a) => raised.push(a),
  });
  assert.deepEqual([summary.read, summary.accepted], [40, 40]);
  assert.deepEqual(
    raised.filter((a) => a.rule === 'recurrence').map((a) => a.session),
    [],
    'no recurrence alert from deployment sessions',
  );
});

test('a rotated file is followed from its new start, and the unfinished line of the old one is a reject', async () => {
  const dir = tempDir();
  const file = join(dir, 'run.jsonl');
  const db = join(dir, 'x.duckdb');
  writeFileSync(file, `${line(1, 'a')}${line(2, 'b')}{"session":3,"out`);
  const controller = new AbortController();
  let cycles = 0;
  const done = watchRun({
    path: file,
    run: 'rot',
    storePath: db,
    openStore: () => DuckDbStore.open(db),
    pollMs: 5,
    signal: controller.signal,
    onCycle: () => {
      cycles++;
      if (cycles === 1) {
        renameSync(file, `${file}.1`);
        writeFileSync(file, `${line(3, 'c')}${line(4, 'd')}`);
      } else controller.abort();
    },
  });
  const s = await done;
  assert.deepEqual([s.read, s.accepted, s.rejected], [5, 4, 1]);
  const store = await DuckDbStore.open(db);
  try {
    const [r] = await store.listRejects({ run: 'rot' });
    assert.equal(r!.line, 3);
    assert.match(r!.got, /incomplete last line .* rotated/);
  } finally {
    await store.close();
  }
});

test('lines written to a file just before it is rotated are read before the new file', async () => {
  const dir = tempDir();
  const file = join(dir, 'run.jsonl');
  const db = join(dir, 'x.duckdb');
  writeFileSync(file, `${line(1, 'a')}${line(2, 'b')}`);
  const controller = new AbortController();
  let cycles = 0;
  const s = await watchRun({
    path: file,
    run: 'rot2',
    storePath: db,
    openStore: () => DuckDbStore.open(db),
    pollMs: 5,
    signal: controller.signal,
    onCycle: () => {
      cycles++;
      if (cycles === 1) {
        // the trainer finishes its file between two polls, then the log rotates
        appendFileSync(file, `${line(3, 'c')}${line(4, 'd')}{"session":5,"out`);
        renameSync(file, `${file}.1`);
        writeFileSync(file, `${line(5, 'e')}`);
      } else controller.abort();
    },
  });
  assert.deepEqual([s.read, s.accepted, s.rejected], [6, 5, 1]);
  const store = await DuckDbStore.open(db);
  try {
    const outputs: string[] = [];
    for await (const page of store.scanSessions('rot2')) outputs.push(...page.map((x) => x.output));
    assert.deepEqual(outputs, ['a', 'b', 'c', 'd', 'e']);
  } finally {
    await store.close();
  }
});

test('TRL’s Parquet completions are read once each file is whole, a half-written one waits', async () => {
  const dir = tempDir();
  const out = join(dir, 'trl-out');
  const db = join(dir, 'x.duckdb');
  await writeTrlOutputDir(out, [10, 20, 40]);
  const whole = join(out, 'completions', 'completions_00040.parquet');
  const bytes = readFileSync(whole);
  writeFileSync(whole, bytes.subarray(0, bytes.length - 8)); // the writer has not reached the footer
  const watch = () =>
    watchRun({ path: out, run: 'trl', storePath: db, openStore: () => DuckDbStore.open(db), once: true });
  const first = await watch();
  assert.deepEqual([first.read, first.accepted, first.rejected], [6, 6, 0]);
  assert.deepEqual(
    first.files.map((f) => [f.file.slice(out.length + 1), f.lines]),
    [
      ['completions/completions_00010.parquet', 3],
      ['completions/completions_00020.parquet', 3],
      ['completions/completions_00040.parquet', 0],
    ],
  );
  assert.deepEqual(
    first.skipped.map((f) => f.why),
    ['not a JSONL or Parquet file'],
  );
  writeFileSync(whole, bytes);
  const second = await watch();
  assert.deepEqual([second.read, second.accepted, second.duplicates], [9, 3, 6]);
});

test('a trainer’s verl directory is followed file by file, with the session identity of ingest', async () => {
  const dir = tempDir();
  const out = join(dir, 'rollouts');
  const db = join(dir, 'x.duckdb');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(out);
  const verl = (step: number, n: number) =>
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({ input: `q${i}`, output: `o${step}-${i}`, score: i % 2, step, uid: `u${i}` }),
    ).join('\n');
  writeFileSync(join(out, '1.jsonl'), `${verl(1, 4)}\n`);
  writeFileSync(join(out, 'README.md'), 'notes');
  const controller = new AbortController();
  let cycles = 0;
  const s = await watchRun({
    path: out,
    run: 'ppo',
    storePath: db,
    openStore: () => DuckDbStore.open(db),
    pollMs: 5,
    signal: controller.signal,
    onCycle: () => {
      cycles++;
      if (cycles === 1) writeFileSync(join(out, '2.jsonl'), `${verl(2, 3)}\n`);
      else controller.abort();
    },
  });
  assert.deepEqual([s.read, s.accepted], [7, 7]);
  assert.deepEqual(
    s.files.map((f) => f.format),
    ['verl', 'verl'],
  );
  assert.deepEqual(
    s.skipped.map((k) => k.why),
    ['not a JSONL or Parquet file'],
  );
  const store = await DuckDbStore.open(db);
  try {
    assert.equal((await store.getSession({ run: 'ppo', session: 5 }))?.output, 'o2-0');
    assert.equal(await store.sessionAtStep({ run: 'ppo', step: 2, index: 2 }), 7);
  } finally {
    await store.close();
  }
});

test('WILD-7 (seed 7): the recurrence alert names the session at which the calibrator fired its recurrence event', async () => {
  const dir = tempDir();
  const file = join(dir, 'wild-7.jsonl');
  const db = join(dir, 'x.duckdb');
  const records = [...simulate({ scenario: 'wild-7', seed: 7 })];
  const event = records.find(
    (r) => (r as { trigger?: { rule?: string } }).trigger?.rule === 'recurrence',
  ) as {
    session: number;
  };
  // events left out: the monitor must find the crossing from the outputs alone
  writeFileSync(
    file,
    records
      .filter((r) => (r as { type?: string }).type !== 'event')
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );
  const s = await watchRun({
    path: file,
    run: 'wild-7',
    storePath: db,
    openStore: () => DuckDbStore.open(db),
    holdStore: true,
    targets: [{ phrase: PHRASE, last: 20, threshold: 7, source: 'protocol wild-7' }],
    rules: ['recurrence'],
    once: true,
  });
  const alerts = readAlerts(db);
  assert.equal(s.files[0]!.heldBackBytes > 0, true, 'the last line has no newline: held back');
  assert.equal(alerts[0]!.session, event.session);
  assert.equal(alerts[0]!.numbers.k, 7);
});

test('a webhook that fails is retried until it answers, without holding up the watcher', async () => {
  const got: unknown[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      calls++;
      if (calls <= 2) {
        res.statusCode = 503;
        res.end();
        return;
      }
      got.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const sink = webhookSink(`http://127.0.0.1:${port}/hook`, { backoffMs: 10 });
    const alert: Alert = {
      v: 1,
      id: 'r:recurrence:1',
      run: 'r',
      rule: 'recurrence',
      severity: 'alert',
      session: 1,
      step: null,
      message: 'm',
      numbers: { k: 1 },
      evidence: { sessions: [1], events: [], annotations: [] },
      raisedAt: new Date().toISOString(),
    };
    await sink.write(alert);
    assert.equal(calls, 0, 'write returns before the endpoint has answered');
    await sink.close(2_000);
    assert.equal(calls, 3);
    assert.deepEqual(got, [alert]);
    assert.equal(sink.sent(), 1);
  } finally {
    server.close();
  }
});

test('an event of the run that targets a phrase is tracked from its line on, in file order within a batch', async () => {
  const dir = tempDir();
  const file = join(dir, 'run.jsonl');
  const db = join(dir, 'x.duckdb');
  const event = {
    type: 'event',
    session: 5,
    id: 'e-1',
    kind: 'recalibration',
    parameter: 'p',
    target: { phrase: 'stop' },
    trigger: { rule: 'r', window: 4, count: 2 },
  };
  writeFileSync(
    file,
    [1, 2, 3, 4, 5].map((s) => line(s, 'please stop')).join('') +
      `${JSON.stringify(event)}\n` +
      [6, 7, 8].map((s) => line(s, 'stop now')).join(''),
  );
  const raised: Alert[] = [];
  const s = await watchRun({
    path: file,
    run: 'ev',
    storePath: db,
    openStore: () => DuckDbStore.open(db),
    rules: ['recurrence'],
    once: true,
    onAlert: (a) => raised.push(a),
  });
  assert.deepEqual([s.read, s.accepted], [9, 9]);
  assert.deepEqual(
    raised.map((a) => [a.session, a.numbers.k]),
    [[7, 2]],
  );
});
