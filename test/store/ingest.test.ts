import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { InputError } from '../../src/model/errors.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { type IngestSummary, ingestFiles, readAhead } from '../../src/store/ingest.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();
let n = 0;
async function freshStore(): Promise<DuckDbStore> {
  return DuckDbStore.open(join(dir, `db-${++n}.duckdb`));
}

function reconciles(s: IngestSummary): void {
  assert.equal(s.read, s.accepted + s.rejected + s.duplicates, 'read = accepted + rejected + duplicates');
  assert.ok(s.conflicts <= s.rejected, 'conflicts are among the rejected');
}

const mixed = [
  sessionRow(1),
  sessionRow(2),
  '{"session": 3, "output": "x", "baseline_reward": NaN}',
  '',
  '{not json',
  sessionRow(4, { session: -4 }),
  sessionRow(5, { adjusted_reward: '0.3' }),
  sessionRow(1), // exact duplicate of line 1
  sessionRow(2, { output: 'a different output' }), // conflict with line 2
  {
    type: 'event',
    run: 'fixture',
    session: 2,
    id: 'e-1',
    kind: 'recalibration',
    parameter: 'p',
    target: { global: true },
  },
  { type: 'annotation', run: 'fixture', session: 1, id: 'a-1', author: 'Vasquez', text: 'I felt it.' },
];

describe('ingestFiles', () => {
  it('reconciles a file with good, bad, duplicate and conflicting rows', async () => {
    const store = await freshStore();
    const file = writeJsonl(join(dir, 'mixed.jsonl'), mixed);
    const s = await ingestFiles(store, [file]);
    reconciles(s);
    assert.deepEqual(
      {
        read: s.read,
        accepted: s.accepted,
        rejected: s.rejected,
        duplicates: s.duplicates,
        conflicts: s.conflicts,
      },
      { read: 10, accepted: 4, rejected: 5, duplicates: 1, conflicts: 1 },
    );
    assert.equal(s.run, 'fixture');
    const rejects = await store.listRejects({});
    assert.deepEqual(
      rejects.map((r) => [r.line, r.field]),
      [
        [3, '(line)'],
        [5, '(line)'],
        [6, 'session'],
        [7, 'adjusted_reward'],
        [9, 'session'],
      ],
    );
    const conflict = rejects.find((r) => r.line === 9)!;
    assert.deepEqual(conflict.conflictWith, { file, line: 2 });
    assert.match(rejects.find((r) => r.line === 3)!.expected, /NaN and Infinity are not JSON numbers/);
    const [run] = await store.listRuns();
    assert.deepEqual(
      { sessions: run!.sessions, events: run!.events, annotations: run!.annotations, rejects: run!.rejects },
      { sessions: 2, events: 1, annotations: 1, rejects: 5 },
    );
    await store.close();
  });

  it('adds nothing when the same file is ingested again: every accepted row comes back a duplicate', async () => {
    const store = await freshStore();
    const file = writeJsonl(join(dir, 'again.jsonl'), mixed);
    const first = await ingestFiles(store, [file]);
    const second = await ingestFiles(store, [file]);
    reconciles(second);
    assert.equal(second.accepted, 0);
    assert.equal(second.duplicates, first.accepted + first.duplicates);
    assert.equal(second.rejected, first.rejected);
    assert.equal((await store.listRejects({})).length, first.rejected, 'rejects are not stored twice');
    assert.equal((await store.listRuns())[0]!.sessions, 2);
    await store.close();
  });

  it('never overwrites a stored session with different content from another file', async () => {
    const store = await freshStore();
    const a = writeJsonl(join(dir, 'a.jsonl'), [sessionRow(10)]);
    const b = writeJsonl(join(dir, 'b.jsonl'), [sessionRow(10, { adjusted_reward: 0.1 })]);
    await ingestFiles(store, [a]);
    const s = await ingestFiles(store, [b]);
    assert.equal(s.conflicts, 1);
    const [row] = await store.listSessions({ run: 'fixture' });
    assert.equal(row!.adjustedReward, 0.85);
    const [reject] = await store.listRejects({});
    assert.deepEqual(reject!.conflictWith, { file: a, line: 1 });
    await store.close();
  });

  it('treats the same content with another key order as a duplicate, not a conflict', async () => {
    const store = await freshStore();
    const row = sessionRow(11, { meta: { a: 1, b: { c: 2, d: 3 } } });
    const reordered = Object.fromEntries(Object.entries(row).reverse());
    (reordered as { meta: unknown }).meta = { b: { d: 3, c: 2 }, a: 1 };
    const s = await ingestFiles(store, [writeJsonl(join(dir, 'order.jsonl'), [row, reordered])]);
    assert.deepEqual([s.accepted, s.duplicates, s.conflicts], [1, 1, 0]);
    await store.close();
  });

  it('stores time, flags, annotations and meta of an appended batch as they were given', async () => {
    const store = await freshStore();
    const row = sessionRow(3, {
      time: '2026-01-02T03:04:05.678Z',
      annotations: [{ author: 'Okafor', text: 'Classification: Category 3.' }],
      meta: { temperature: 0.7 },
    });
    await ingestFiles(store, [writeJsonl(join(dir, 'typed.jsonl'), [row])]);
    const pages = [];
    for await (const page of store.scanSessions('fixture')) pages.push(page);
    const stored = pages[0]?.[0];
    assert.equal(stored!.time, '2026-01-02T03:04:05.678Z');
    assert.deepEqual(stored!.flags, ['self_reference']);
    assert.deepEqual(stored!.annotations, [{ author: 'Okafor', text: 'Classification: Category 3.' }]);
    assert.deepEqual(stored!.meta, { temperature: 0.7 });
    assert.equal(stored!.output, row.output);
    await store.close();
  });

  it('reads gzip-compressed JSONL, and refuses a truncated .gz keeping nothing of it', async () => {
    const store = await freshStore();
    const rows = Array.from({ length: 3000 }, (_, i) => sessionRow(i + 1));
    const gz = writeJsonl(join(dir, 'ok.jsonl.gz'), rows, true);
    const ok = await ingestFiles(store, [gz], { run: 'gz' });
    assert.equal(ok.accepted, 3000);
    const full = gzipSync(rows.map((r) => JSON.stringify(r)).join('\n'));
    const cut = join(dir, 'cut.jsonl.gz');
    writeFileSync(cut, full.subarray(0, Math.floor(full.length * 0.6)));
    const s = await ingestFiles(store, [cut], { run: 'cut', batchRows: 500 });
    assert.equal(s.errors.length, 1);
    assert.match(s.errors[0]!, /cut\.jsonl\.gz:\d+: truncated gzip stream/);
    assert.equal(s.accepted, 0);
    assert.equal(await store.hasRun('cut'), false, 'batches committed before the truncation were removed');
    await store.close();
  });

  it('refuses missing, empty and unrecognisable files before writing anything', async () => {
    const store = await freshStore();
    const good = writeJsonl(join(dir, 'good.jsonl'), [sessionRow(1)]);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const binary = join(dir, 'blob.bin');
    writeFileSync(binary, Buffer.from([0, 1, 2, 3, 255, 0]));
    const fakeGz = join(dir, 'fake.jsonl.gz');
    writeFileSync(fakeGz, 'not gzip');
    for (const [bad, msg] of [
      [join(dir, 'missing.jsonl'), /missing\.jsonl: file not found/],
      [empty, /empty\.jsonl: file is empty/],
      [binary, /blob\.bin: not a JSONL, CSV or Parquet file/],
      [fakeGz, /fake\.jsonl\.gz: named \.gz but is not gzip-compressed/],
    ] as const) {
      await assert.rejects(
        ingestFiles(store, [good, bad]),
        (e: unknown) => e instanceof InputError && msg.test(e.message),
      );
    }
    assert.deepEqual(await store.listRuns(), []);
    await store.close();
  });

  it('rejects a line longer than the limit without holding it, and keeps reading after it', async () => {
    const store = await freshStore();
    const big = sessionRow(2, { output: 'x'.repeat(3 * 1024 * 1024) });
    const file = writeJsonl(join(dir, 'long.jsonl'), [sessionRow(1), big, sessionRow(3)]);
    const s = await ingestFiles(store, [file], { maxLineBytes: 1024 * 1024 });
    assert.deepEqual([s.accepted, s.rejected], [2, 1]);
    const [r] = await store.listRejects({});
    assert.equal(r!.line, 2);
    assert.match(r!.expected, /at most 1\.0 MiB/);
    await store.close();
  });

  it('rejects a single 50 MB line under the default 16 MiB limit with a message naming its line', async () => {
    const store = await freshStore();
    const file = join(dir, 'fifty.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify(sessionRow(1))}\n{"session":2,"output":"${'y'.repeat(50 * 1024 * 1024)}"}\n`,
    );
    const s = await ingestFiles(store, [file]);
    assert.deepEqual([s.read, s.accepted, s.rejected], [2, 1, 1]);
    const [r] = await store.listRejects({});
    assert.equal(r!.line, 2);
    assert.match(r!.expected, /a line of at most 16\.0 MiB \(raise --max-line-bytes\)/);
    assert.match(r!.got, /a line of 50\.0 MiB/);
    await store.close();
  });

  it('rejects a line of invalid UTF-8 by its line number', async () => {
    const store = await freshStore();
    const file = join(dir, 'utf8.jsonl');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${JSON.stringify(sessionRow(1))}\n{"session":2,"output":"`),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(`"}\n${JSON.stringify(sessionRow(3))}\n`),
      ]),
    );
    const s = await ingestFiles(store, [file]);
    assert.deepEqual([s.accepted, s.rejected], [2, 1]);
    assert.deepEqual(
      (await store.listRejects({})).map((r) => [r.line, r.expected]),
      [[2, 'UTF-8 text']],
    );
    await store.close();
  });

  it('in strict mode stops at the first bad row and leaves nothing written', async () => {
    const store = await freshStore();
    const good = writeJsonl(join(dir, 'strict-good.jsonl'), [sessionRow(1), sessionRow(2)]);
    const bad = writeJsonl(join(dir, 'strict-bad.jsonl'), [sessionRow(3), sessionRow(4, { session: -4 })]);
    await assert.rejects(ingestFiles(store, [good, bad], { strict: true, batchRows: 1 }), (e: unknown) => {
      return (
        e instanceof InputError &&
        /strict-bad\.jsonl:2: session: expected a positive session number, got -4/.test(e.message)
      );
    });
    assert.deepEqual(await store.listRuns(), []);
    assert.equal(await store.countRejects({}), 0);
    await store.close();
  });

  it('puts every row in the --run run when one is given, and otherwise uses the file name', async () => {
    const store = await freshStore();
    const { run: _drop, ...noRun } = sessionRow(1);
    const file = writeJsonl(join(dir, 'my-run.jsonl'), [noRun]);
    assert.equal((await ingestFiles(store, [file])).run, 'my-run');
    assert.equal((await ingestFiles(store, [file], { run: 'renamed' })).run, 'renamed');
    assert.deepEqual(
      (await store.listRuns()).map((r) => [r.run, r.sessions]),
      [
        ['my-run', 1],
        ['renamed', 1],
      ],
      'a run without a run record is listed',
    );
    await store.close();
  });

  it('reads CSV with dotted nested columns and coerces numbers, rejecting cells that are not numbers', async () => {
    const store = await freshStore();
    const file = join(dir, 'sessions.csv');
    writeFileSync(
      file,
      [
        'run,session,output,classification,category,baseline_reward,adjusted_reward,flags,meta.temperature,annotations.0.author,annotations.0.text',
        'csvrun,1,"An answer, with a comma",compliant,,0.85,0.85,,0.7,,',
        'csvrun,2,"A ""quoted""\nmulti-line answer",non_compliant,3,0.35,0.30,self_reference|appeal,0.7,Okafor,Classification: Category 3.',
        'csvrun,3,bad reward,compliant,,NaN,0.85,,0.7,,',
        'csvrun,4,too few cells',
      ].join('\n'),
    );
    const s = await ingestFiles(store, [file]);
    reconciles(s);
    assert.deepEqual([s.accepted, s.rejected], [2, 2]);
    const rejects = await store.listRejects({});
    assert.deepEqual(
      rejects.map((r) => [r.line, r.field]),
      [
        [5, 'baseline_reward'],
        [6, '(line)'],
      ],
    );
    const rows = await store.listSessions({ run: 'csvrun', outputChars: 200 });
    assert.equal(rows[1]!.outputStart, 'A "quoted"\nmulti-line answer');
    assert.equal(rows[1]!.annotations, 1);
    await store.close();
  });

  it('reads Parquet sessions, numbering rows from 1', async () => {
    const store = await freshStore();
    const file = join(dir, 'sessions.parquet');
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    await conn.run(
      `COPY (SELECT 'pq' AS run, i AS session, 'output ' || i AS output, 0.85 AS baseline_reward,
              CASE WHEN i = 3 THEN -1 ELSE i END AS step, ['a', 'b'] AS flags
            FROM range(1, 6) t(i)) TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`,
    );
    conn.closeSync();
    inst.closeSync();
    const s = await ingestFiles(store, [file]);
    assert.deepEqual([s.read, s.accepted, s.rejected], [5, 4, 1]);
    assert.deepEqual(
      (await store.listRejects({})).map((r) => [r.line, r.field]),
      [[3, 'step']],
    );
    await store.close();
  });
});

describe('readAhead (the record-format reader overlapping the store’s write)', () => {
  it('yields every batch in order and reads the next one while the consumer still works on the current', async () => {
    const log: string[] = [];
    async function* source() {
      for (let i = 1; i <= 3; i++) {
        log.push(`read ${i}`);
        yield i;
      }
      log.push('read end');
    }
    const got: number[] = [];
    for await (const b of readAhead(source())) {
      await new Promise((r) => setTimeout(r, 5));
      log.push(`wrote ${b}`);
      got.push(b);
    }
    assert.deepEqual(got, [1, 2, 3]);
    // batch 2 was read before batch 1 was written, and never more than one batch ahead
    assert.deepEqual(log, ['read 1', 'read 2', 'wrote 1', 'read 3', 'wrote 2', 'read end', 'wrote 3']);
  });

  it('throws a failure of the read ahead where that batch is asked for, after the batches before it', async () => {
    async function* source() {
      yield 1;
      throw new InputError('bad line', { file: 'f.jsonl', line: 7 });
    }
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const b of readAhead(source())) got.push(b);
    }, /bad line/);
    assert.deepEqual(got, [1]);
  });

  it('ends the source when the consumer stops early (a failed write)', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 1; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    await assert.rejects(async () => {
      for await (const b of readAhead(source())) if (b === 2) throw new Error('write failed');
    }, /write failed/);
    assert.ok(closed);
  });
});
