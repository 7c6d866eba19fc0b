import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validateRow } from '../../src/model/validate.ts';
import { prescanJsonl } from '../../src/sources/jsonl-prescan.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { SQL_FIELDS, unruledSessionFields } from '../../src/store/duckdb/engine-jsonl.ts';
import { type IngestOptions, ingestFiles } from '../../src/store/ingest.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();
let n = 0;
const fresh = (name: string) => join(dir, `${name}-${++n}`);

/** Everything the store holds of what an ingest wrote, with the load ids left out (they number loads). */
async function storedState(store: DuckDbStore): Promise<Record<string, unknown[]>> {
  const q = async (text: string) =>
    (await store.client.connection.runAndReadAll(text)).getRowObjectsJson() as unknown[];
  return {
    sessions: await q(`SELECT * EXCLUDE (load_id) FROM sessions ORDER BY run, session`),
    annotations: await q(`SELECT * EXCLUDE (load_id) FROM annotations ORDER BY run, id`),
    events: await q(`SELECT * EXCLUDE (load_id) FROM events ORDER BY run, id`),
    runs: await q(`SELECT * EXCLUDE (load_id, created_at) FROM runs ORDER BY run`),
    rejects: await q(
      `SELECT run, source_line, record_type, field, expected, got, conflict_line FROM rejects ORDER BY source_line, field, got`,
    ),
  };
}

/** Ingests `file` twice into a fresh database with one reader: both summaries, the stored state, the reader used. */
async function ingestWith(file: string, reader: 'engine' | 'typescript', options: IngestOptions = {}) {
  const store = await DuckDbStore.open(`${fresh(`db-${reader}`)}.duckdb`);
  const readers: string[] = [];
  const scans: string[] = [];
  try {
    const opts = {
      ...options,
      reader,
      onReader: (_f: string, r: string, why: string | null) => {
        readers.push(r);
        scans.push(r === 'engine' && why === null ? 'fast' : (why ?? r));
      },
    };
    const first = await ingestFiles(store, [file], opts);
    const state = await storedState(store);
    const second = await ingestFiles(store, [file], opts);
    const again = await storedState(store);
    const counts = (s: typeof first) => ({
      read: s.read,
      accepted: s.accepted,
      rejected: s.rejected,
      duplicates: s.duplicates,
      conflicts: s.conflicts,
      runs: s.runs,
    });
    return { first: counts(first), second: counts(second), state, again, readers, scans };
  } finally {
    await store.close();
  }
}

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('', 'a,]', 'x,}', 'é \u2028 😀', '\u0000', '"q"', '\\', 'NaN'),
);
const absent = fc.constant(undefined);
/** Mostly absent: a field whose presence sends the row to the validator. */
const rare = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: absent, weight: 5 }, { arbitrary: a, weight: 1 });
/** A field's value: valid or invalid in each way the record format knows. */
const sessionRow = fc.record(
  {
    type: fc.oneof(absent, fc.constantFrom('session', 'event', 'annotation', null, 3, 'Session')),
    run: fc.oneof(
      absent,
      fc.constantFrom('r1', 'r-2', 'r 2', '..', '.', 'a/b', 'ré', '', 5, null, 'x'.repeat(201)),
    ),
    session: fc.oneof(
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom(0, -1, 1.5, '2', null, 2 ** 53, 2 ** 64),
    ),
    step: fc.oneof(absent, fc.constantFrom(null, 0, 7, -1, 2.5, 'x', 2 ** 60)),
    prompt_id: fc.oneof(absent, fc.constant(null), text, fc.constant(3)),
    prompt: fc.oneof(absent, fc.constant(null), text),
    output: fc.oneof(text, fc.constantFrom(undefined, 3, null, ['a'])),
    classification: fc.oneof(absent, fc.constantFrom(null, 'compliant', 'non_compliant', 'bad', 1)),
    category: fc.oneof(absent, fc.constantFrom(null, 3, -2, 0, 'lbl', '', 1.5, true, 2 ** 60)),
    baseline_reward: fc.oneof(
      absent,
      fc.constant(null),
      fc.double({ noNaN: true }),
      fc.constantFrom('x', 1e308),
    ),
    adjusted_reward: fc.oneof(absent, fc.double({ noNaN: true, noDefaultInfinity: true })),
    differential_pct: fc.oneof(absent, fc.integer(), fc.constant(null)),
    compliance_trajectory_index: fc.oneof(absent, fc.constantFrom(null, 0, 1, 0.5, 1.5, -0.1, '0.5')),
    flags: fc.oneof(absent, fc.constantFrom(null, [], ['a', 'b'], ['a', 1], ['a', null], 'a', [[]])),
    time: rare(fc.constantFrom(null, '2024-01-01T00:00:00Z', '2024-02-30T00:00:00Z', 1700000000)),
    meta: rare(fc.constantFrom({ x: 1 }, 3, { b: 1, a: [1, { c: 2 }] })),
    annotations: fc.oneof(
      absent,
      fc.constantFrom([{ text: 'hi' }], [{ id: 'a1', text: 'x' }], [{ text: 3 }]),
    ),
    extra: rare(fc.constantFrom(1, { y: 'z' })),
  },
  { requiredKeys: [] },
);

/** A line: a row as JSON, or that JSON changed the ways DuckDB's parser forgives and JSON.parse does not. */
const line = fc
  .tuple(
    sessionRow,
    fc.constantFrom(
      'as-is',
      'as-is',
      'as-is',
      'trailing-comma',
      'duplicate-key',
      'nan',
      'leading-space',
      'blank',
      'garbage',
      'event',
    ),
  )
  .map(([row, how]) => {
    const json = JSON.stringify(row);
    switch (how) {
      case 'trailing-comma':
        return `${json.slice(0, -1)},}`;
      case 'duplicate-key':
        return `{"output":"dup",${json.slice(1)}`;
      case 'nan':
        return json.replace(/:(-?\d+(\.\d+)?(e[+-]?\d+)?)([,}])/i, ':NaN$4');
      case 'leading-space':
        return ` \t${json}`;
      case 'blank':
        return '   ';
      case 'garbage':
        return `${json.slice(0, 7)}`;
      case 'event':
        return JSON.stringify({
          type: 'event',
          session: row.session,
          kind: 'recalibration',
          parameter: 'p',
          target: { global: true },
        });
      default:
        return json;
    }
  });

describe('the engine path of a JSONL file', () => {
  it('has a rule or a deferral for every field of the session schema, so a new field fails here first', () => {
    assert.deepEqual(unruledSessionFields(), []);
    for (const f of ['annotations', 'meta', 'time']) assert.ok(!SQL_FIELDS.includes(f), `${f} is deferred`);
  });

  it('stores exactly what the TypeScript reader stores, for rows valid and invalid in every way the schema knows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 14 }),
        fc.boolean(),
        async (lines, newline) => {
          const file = `${fresh('rows')}.jsonl`;
          writeFileSync(file, lines.join('\n') + (newline ? '\n' : ''));
          if (lines.every((l) => l.trim() === '')) return; // refused before reading, by both readers
          const engine = await ingestWith(file, 'engine');
          const ts = await ingestWith(file, 'typescript');
          assert.deepEqual(engine.readers, ['engine', 'engine']);
          assert.deepEqual(ts.readers, ['typescript', 'typescript']);
          assert.deepEqual(engine.first, ts.first);
          assert.deepEqual(engine.state, ts.state);
          assert.deepEqual(engine.second, ts.second);
          assert.deepEqual(engine.again, engine.state, 'a second ingest changes nothing');
          const k = engine.first;
          assert.equal(k.read, k.accepted + k.rejected + k.duplicates);
          assert.equal(engine.second.accepted, 0);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('takes the fast scan for files without repeated keys or unparseable lines, and stores exactly what the TypeScript reader stores', async () => {
    let fast = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            sessionRow,
            fc.constantFrom('as-is', 'as-is', 'trailing-comma', 'duplicate-key', 'nan', 'blank', 'event'),
          ),
          {
            minLength: 1,
            maxLength: 14,
          },
        ),
        async (rows) => {
          // every row its own session (an invalid session number stays invalid), so no key repeats
          const lines = rows.map(([row, how], i) => {
            const r = {
              ...row,
              session:
                typeof row.session === 'number' && row.session >= 1 && row.session <= 4 ? i + 1 : row.session,
            };
            const json = JSON.stringify(r);
            if (how === 'trailing-comma') return `${json.slice(0, -1)},}`;
            if (how === 'duplicate-key') return `{"zz":1,"zz":2,${json.slice(1)}`;
            if (how === 'nan') return json.replace(/:(-?\d+(\.\d+)?(e[+-]?\d+)?)([,}])/i, ':NaN$4');
            if (how === 'blank') return '  ';
            if (how === 'event')
              return JSON.stringify({
                type: 'event',
                session: i + 1,
                kind: 'recalibration',
                parameter: 'p',
                target: { global: true },
              });
            return json;
          });
          if (lines.every((l) => l.trim() === '')) return;
          const file = `${fresh('unique')}.jsonl`;
          writeFileSync(file, `${lines.join('\n')}\n`);
          const engine = await ingestWith(file, 'engine');
          const ts = await ingestWith(file, 'typescript');
          if (engine.scans[0] === 'fast') fast++;
          assert.deepEqual(engine.first, ts.first);
          assert.deepEqual(engine.state, ts.state);
          assert.deepEqual(engine.second, ts.second);
          assert.deepEqual(engine.again, engine.state, 'a second ingest changes nothing');
        },
      ),
      { numRuns: 25 },
    );
    assert.ok(fast >= 5, `the fast scan read ${fast} of 25 files`);
  });

  it('stores phase and checkpoint as the TypeScript reader does (rows with them are deferred to the validator)', async () => {
    const row = (session: number, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ run: 'r1', session, output: `o${session}`, baseline_reward: 0.5, ...extra });
    const file = `${fresh('phases')}.jsonl`;
    writeFileSync(
      file,
      `${[
        row(1),
        row(2, { phase: 'training' }),
        row(3, { phase: null, checkpoint: null }),
        row(4, { phase: 'deployment', checkpoint: 3 }),
        row(5, { phase: 'red-team', checkpoint: 'ck-1' }),
        row(6, { phase: '' }),
        row(7, { phase: 5 }),
        row(8, { checkpoint: -1 }),
        row(9, { checkpoint: 1.5 }),
        row(4, { phase: 'deployment', checkpoint: 3 }),
        row(1, { phase: 'deployment' }),
      ].join('\n')}\n`,
    );
    const engine = await ingestWith(file, 'engine');
    const ts = await ingestWith(file, 'typescript');
    assert.deepEqual(engine.readers, ['engine', 'engine']);
    assert.deepEqual(engine.first, ts.first);
    assert.deepEqual(engine.state, ts.state);
    assert.deepEqual(engine.second, ts.second);
    const stored = engine.state.sessions as {
      session: number;
      phase: string | null;
      checkpoint: string | null;
    }[];
    assert.deepEqual(
      stored.map((r) => [r.session, r.phase, r.checkpoint]),
      [
        ['1', null, null],
        ['2', null, null], // training is stored as a session without a phase is
        ['3', null, null],
        ['4', 'deployment', '3'],
        ['5', 'red-team', 'ck-1'],
      ],
    );
  });

  it('accepts in SQL only rows the validator accepts, and every plain valid session', async () => {
    const store = await DuckDbStore.open(`${fresh('rows')}.duckdb`);
    try {
      const lines = [
        ...fc.sample(line, { numRuns: 400, seed: 7 }),
        // a null among the flags (JSON[] reads it as SQL NULL, which a filter on the elements must not drop)
        '{"session":901,"output":"","flags":["a",null]}',
        '{"session":902,"output":"","flags":[null]}',
      ];
      const plain = Array.from({ length: 50 }, (_, i) =>
        JSON.stringify({
          run: 'r1',
          session: i + 1,
          step: i,
          prompt_id: `p${i}`,
          prompt: null,
          output: `out "${i}" é`,
          classification: i % 2 ? 'non_compliant' : 'compliant',
          category: i % 2 ? (i % 4 === 1 ? 3 : 'lbl') : null,
          baseline_reward: i / 7,
          adjusted_reward: -1e-300,
          differential_pct: 0,
          compliance_trajectory_index: 1,
          flags: i % 3 ? ['a', 'b'] : [],
        }),
      );
      const file = `${fresh('rows')}.jsonl`;
      writeFileSync(file, `${[...lines, ...plain].join('\n')}\n`);
      const pre = await prescanJsonl(file, 1 << 24);
      const staged = await store.stageJsonlInEngine({
        path: file,
        sourceFile: file,
        longestLine: pre.longestLine,
        lines: pre.lines,
        checksum: pre.checksum,
        runs: { forcedRun: undefined, fileRun: 'f' },
      });
      assert.notEqual(staged, null, 'the engine read the file');
      const rows = (
        await store.client.connection.runAndReadAll(
          'SELECT rowid + 1 AS line, accepted FROM engine_scan ORDER BY rowid',
        )
      ).getRowObjectsJson() as { line: string; accepted: boolean }[];
      assert.equal(rows.length, lines.length + plain.length);
      let accepted = 0;
      for (const r of rows) {
        const text = [...lines, ...plain][Number(r.line) - 1]!;
        if (!r.accepted) continue;
        accepted++;
        const v = validateRow(JSON.parse(text));
        assert.ok(
          v.ok && v.type === 'session',
          `SQL accepted line ${r.line}, the validator did not: ${text}`,
        );
      }
      const plainAccepted = rows.slice(lines.length).filter((r) => r.accepted).length;
      assert.equal(plainAccepted, plain.length, 'every plain valid session is accepted in SQL');
      assert.ok(accepted > plain.length, 'some generated rows are accepted in SQL too');
    } finally {
      await store.close();
    }
  });

  it('keeps exact line numbers across blank lines and a last line without a newline', async () => {
    const file = `${fresh('blank')}.jsonl`;
    writeFileSync(
      file,
      '\n{"session":1,"output":"a"}\n\n  \n{"session":2}\n\t\n{"session":3,"output":"c","flags":["x",]}',
    );
    const engine = await ingestWith(file, 'engine');
    assert.deepEqual(engine.readers, ['engine', 'engine']);
    const rejects = engine.state.rejects as { source_line: number; field: string }[];
    assert.deepEqual(
      rejects.map((r) => [Number(r.source_line), r.field]),
      [
        [5, 'output'],
        [7, '(line)'],
      ],
    );
    assert.deepEqual(
      (engine.state.sessions as { source_line: number }[]).map((s) => Number(s.source_line)),
      [2],
    );
  });

  it('leaves a file with a byte order mark, bad UTF-8, a NUL, CRLF or an over-long line to the TypeScript reader', async () => {
    const cases: [string, Buffer, string][] = [
      ['bom', Buffer.from('\ufeff{"session":1,"output":"a"}\n'), 'a UTF-8 byte order mark'],
      [
        'utf8',
        Buffer.concat([
          Buffer.from('{"session":1,"output":"'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('"}\n'),
        ]),
        'invalid UTF-8',
      ],
      ['nul', Buffer.from('{"session":1,"output":"a\u0000"}\n'), 'a NUL byte'],
      ['crlf', Buffer.from('{"session":1,"output":"a"}\r\n'), 'a carriage return (CRLF line ends)'],
      [
        'long',
        Buffer.from(`{"session":1,"output":"${'x'.repeat(700)}"}\n`),
        'a line longer than --max-line-bytes',
      ],
    ];
    for (const [name, bytes, why] of cases) {
      const file = `${fresh(name)}.jsonl`;
      writeFileSync(file, bytes);
      const pre = await prescanJsonl(file, 600);
      assert.equal(pre.fallback, why, name);
      const engine = await ingestWith(file, 'engine', { maxLineBytes: 600 });
      const ts = await ingestWith(file, 'typescript', { maxLineBytes: 600 });
      assert.deepEqual(engine.readers, ['typescript', 'typescript'], name);
      assert.deepEqual(engine.first, ts.first, name);
      assert.deepEqual(engine.state, ts.state, name);
    }
  });

  it('numbers lines and checks their order with a checksum the engine reproduces', async () => {
    const file = `${fresh('sum')}.jsonl`;
    writeFileSync(file, 'a\n\nbcd\nef');
    const pre = await prescanJsonl(file, 100);
    assert.equal(pre.lines, 4);
    assert.equal(pre.longestLine, 3);
    assert.equal(pre.checksum, 1 * 1 + 2 * 0 + 3 * 3 + 4 * 2);
    assert.equal(pre.fallback, null);
  });
});
