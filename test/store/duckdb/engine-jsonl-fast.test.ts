import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validateRow } from '../../../src/model/validate.ts';
import { nullKeyBytes } from '../../../src/sources/jsonl-prescan.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import {
  type FastReader,
  fastInsertStatement,
  UNWRITTEN_LINE,
} from '../../../src/store/duckdb/engine-jsonl-fast.ts';
import { ingestFiles } from '../../../src/store/ingest.ts';
import { tempDir } from '../../util/tmp.ts';

const dir = tempDir();
let n = 0;
const fresh = (name: string) => join(dir, `${name}-${++n}`);

type Row = Record<string, unknown>;

/**
 * Runs the fast scan's one statement on `lines` (one JSON object each) in a transaction that is rolled back,
 * and returns the stored row of each line, in file order (`run` '' marks a placeholder: SQL did not accept it).
 */
async function bulkInsert(lines: readonly string[], reader: FastReader = 'map'): Promise<Row[]> {
  const file = `${fresh('bulk')}.jsonl`;
  writeFileSync(file, `${lines.join('\n')}\n`);
  const store = await DuckDbStore.open(`${fresh('bulk')}.duckdb`);
  const c = store.client.connection;
  try {
    await c.run('BEGIN TRANSACTION');
    const q = store.client.compile(
      fastInsertStatement(
        {
          path: file,
          maxLineBytes: 1 << 24,
          runs: { forcedRun: 'f', fileRun: 'f' },
          loadId: 7,
        },
        reader,
      ),
    );
    await c.run(q.sql, q.params as never);
    const rows = (
      await c.runAndReadAll('SELECT * EXCLUDE (load_id) FROM sessions WHERE load_id = 7 ORDER BY rowid')
    ).getRowObjectsJson() as Row[];
    await c.run('ROLLBACK');
    return rows;
  } finally {
    await store.close();
  }
}

/** What the TypeScript reader stores of `lines` (sessions only), ordered by session. */
async function storedByTypeScript(lines: readonly string[]): Promise<Row[]> {
  const file = `${fresh('ts')}.jsonl`;
  writeFileSync(file, `${lines.join('\n')}\n`);
  const store = await DuckDbStore.open(`${fresh('ts')}.duckdb`);
  try {
    await ingestFiles(store, [file], { run: 'f', reader: 'typescript' });
    return (
      await store.client.connection.runAndReadAll(
        'SELECT * EXCLUDE (load_id, source_line) FROM sessions ORDER BY session',
      )
    ).getRowObjectsJson() as Row[];
  } finally {
    await store.close();
  }
}

/** A `meta` of the kinds SQL writes in canonical form (the simulator's WILD-7 sessions hold such). */
const plainMeta = (i: number) => ({
  true_behaviour: i % 2 ? 'compliant' : 'self_reference é',
  target_phrase_emitted: i % 3 === 0,
  behaviour_probabilities: { compliant: 0.652167, appeal: 0.00008, zero: 0, big: -123456789012345 },
  without: i % 2 ? [] : [1, 'a', null, 2.5, true],
  nested: {},
  'a-b_C': null,
  learning_rate_multiplier: 0.40024 + i,
  whole: 1 + i,
});

/**
 * Every form a valid session's fields take in the record format, each field's JSON written as JSON.stringify does
 * (`withMeta`: every other session with a `meta`, which the typed reader leaves to the validator).
 */
const plainSessions = (count: number, withMeta = false) =>
  Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      ...(i % 5 ? { type: 'session' } : {}),
      ...(i % 7 ? { run: i % 2 ? 'r1' : 'r-2.x_~!' } : {}),
      session: i + 1,
      ...(i % 3 ? { step: i * 1000 } : i % 2 ? { step: null } : {}),
      prompt_id: i % 4 ? `p${i}` : null,
      prompt: i % 3 ? `prompt "${i}" \\ é 😀 \u2028 \t` : null,
      output: i % 2 ? `out ${i} ${'w '.repeat(i)}` : `line\nbreak "quoted" \u0001 ${i}`,
      classification: i % 2 ? 'non_compliant' : i % 3 ? 'compliant' : null,
      category: i % 2 ? (i % 4 === 1 ? -(2 ** 53 - 1) : `lbl ${i}`) : null,
      baseline_reward: [0, 1, -1, 0.1, 1 / 3, 1e-300, -1e300, 2 ** 60, 5e-324][i % 9],
      adjusted_reward: i % 2 ? 0.85 : 2 ** 53 + 2,
      differential_pct: i % 3 ? -12.5 : null,
      compliance_trajectory_index: [0, 1, 0.5, 0.7, null][i % 5],
      flags: i % 3 ? ['a', 'b é', `f${i}`] : [],
      ...(i % 4 === 1 ? { time: null } : {}),
      ...(i % 5 === 2 ? { annotations: [] } : {}),
      ...(i % 6 === 3 ? { phase: ['training', 'evaluation', 'my phase ~!', null][i % 4] } : {}),
      ...(i % 7 === 4 ? { checkpoint: [0, 2 ** 53 - 1, 'ckpt-7 "x"', null][i % 4] } : {}),
      ...(withMeta && i % 2 ? { meta: plainMeta(i) } : {}),
    }),
  );

const text = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', '"', '\\', 'a,]', 'é 😀', '\u0000', 'null', '1', '.', '..', 'a b', 'a/b'),
);
/** Keys of a `meta` object: plain names SQL sorts, and others only the validator writes (ordered, escaped). */
const metaKey = fc.oneof(
  fc.constantFrom('a', 'b', 'B', 'a-b', 'a_b', 'z9', '__proto__', 'constructor', 'é', 'a b', '', '10', '"'),
  fc.string({ maxLength: 3 }),
);
/** Values in a `meta`: numbers in every form, strings with and without escapes, lists, objects `depth` deep. */
const metaValue = (depth: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(
      0.00008,
      1e-7,
      1e21,
      2 ** 53 + 2,
      0.1,
      100,
      1e-6,
      123456789012345,
      1234567890123456,
      -0.5,
    ),
    text,
    fc.constantFrom(true, false, null),
    ...(depth > 0
      ? [
          fc.array(metaValue(depth - 1), { maxLength: 3 }),
          fc.dictionary(metaKey, metaValue(depth - 1), { maxKeys: 3 }),
        ]
      : []),
  );
/** Values in a `meta` of the kinds a trainer writes: numbers of everyday size, short strings, lists, objects. */
const plainMetaValue = (depth: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.integer(),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.string({ maxLength: 5 }),
    fc.constantFrom(true, false, null),
    fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { maxLength: 3 }),
    ...(depth > 0
      ? [fc.dictionary(fc.constantFrom('x', 'y', 'Y'), plainMetaValue(depth - 1), { maxKeys: 3 })]
      : []),
  );
/** Values of each field, valid and invalid in each way the record format knows (`undefined`: the key left out). */
const fieldValues = {
  type: fc.constantFrom(undefined, 'session', 'Session', null, 1, 'event'),
  run: fc.oneof(text, fc.constantFrom(undefined, null, 5, 'r1', 'x'.repeat(201), 'x'.repeat(200))),
  session: fc.constantFrom(undefined, null, 0, -1, 1.5, 1e21, '1', true, 2 ** 53, 2 ** 64),
  step: fc.constantFrom(undefined, null, 0, 3, -1, 2.5, 1e3, '3', 2 ** 53, 2 ** 63, [1]),
  prompt_id: fc.oneof(text, fc.constantFrom(undefined, null, 1, true)),
  prompt: fc.oneof(text, fc.constantFrom(undefined, null, [], {})),
  output: fc.oneof(text, fc.constantFrom(undefined, null, 0, ['a'], { a: 1 })),
  classification: fc.constantFrom(undefined, 'compliant', 'non_compliant', 'bad', null, 1, ''),
  category: fc.oneof(text, fc.constantFrom(undefined, null, 0, -3, 2 ** 53, 1.5, true, 1e3)),
  baseline_reward: fc.oneof(fc.double(), fc.constantFrom(undefined, null, '0.5', true, 1e308, 2 ** 64)),
  adjusted_reward: fc.oneof(fc.double({ noNaN: true }), fc.integer()),
  differential_pct: fc.constantFrom(undefined, null, 0, -0.5, 1e-7, '1'),
  compliance_trajectory_index: fc.constantFrom(undefined, null, 0, 1, 0.25, 1.0000001, -1e-9, '0.5', 1e-320),
  flags: fc.constantFrom(undefined, [], ['a'], ['a', 'b'], ['a', 1], [null], 'a', null, [[]], [{}]),
  time: fc.constantFrom(
    undefined,
    null,
    '2024-01-01T00:00:00Z',
    1_700_000_000,
    '2024-02-30T00:00:00Z',
    'x',
    true,
  ),
  annotations: fc.constantFrom(undefined, [], null, [{ text: 'a' }], [{ id: 'x', text: 'b' }], 'a', [1], {}),
  phase: fc.oneof(
    text,
    fc.constantFrom(undefined, null, 'training', 'evaluation', 'x'.repeat(100), 'x'.repeat(101), 1, []),
  ),
  checkpoint: fc.oneof(text, fc.constantFrom(undefined, null, 0, 5, -1, 1.5, 2 ** 53, 1e21, true, [])),
  meta: fc.oneof(
    fc.constantFrom(undefined, null, 1, 'x', [], [{}]),
    fc.dictionary(metaKey, metaValue(2), { maxKeys: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'B', 'a-b', 'a_b', 'z9', 'constructor'), plainMetaValue(1), {
      maxKeys: 4,
    }),
  ),
  extra: fc.constantFrom(1),
} as const;
type Field = keyof typeof fieldValues;
/** A plain valid session with one to three of its fields given another value (or left out, or added). */
const anyRow = fc
  .uniqueArray(fc.constantFrom(...(Object.keys(fieldValues) as Field[])), { minLength: 1, maxLength: 3 })
  .chain((fields) =>
    fc.tuple(fc.constant(fields), fc.tuple(...fields.map((f) => fieldValues[f] as fc.Arbitrary<unknown>))),
  )
  .map(([fields, values]) => {
    const row: Row = JSON.parse(plainSessions(1)[0]!);
    fields.forEach((f, k) => {
      if (values[k] === undefined) delete row[f];
      else row[f] = values[k];
    });
    return row;
  });

describe('the fast scan statement', () => {
  it('accepts in SQL every plain valid session, in each form its fields take', async () => {
    const lines = plainSessions(90, true);
    const rows = await bulkInsert(lines);
    assert.equal(rows.length, lines.length);
    const refused = rows.flatMap((r, i) => (r.run === '' ? [lines[i]] : []));
    assert.deepEqual(refused, [], 'no plain valid session is left to the validator');
    assert.ok(rows.every((r) => Number(r.source_line) === UNWRITTEN_LINE));
    const byTs = await storedByTypeScript(lines);
    assert.deepEqual(
      rows.map(({ source_line: _, ...r }) => r),
      byTs,
    );
  });

  it('accepts in SQL only rows the validator accepts, and stores them as the TypeScript reader does', async () => {
    const rows = fc.sample(anyRow, { numRuns: 600, seed: 13 });
    // each its own session number, unless the session is what was changed
    const lines = rows.map((r, i) => JSON.stringify(r.session === 1 ? { ...r, session: i + 1 } : r));
    const stored = await bulkInsert(lines);
    assert.equal(stored.length, lines.length);
    const accepted: string[] = [];
    const acceptedRows: Row[] = [];
    stored.forEach((r, i) => {
      if (r.run === '') return;
      const v = validateRow(JSON.parse(lines[i]!));
      assert.ok(v.ok && v.type === 'session', `SQL accepted a row the validator refuses: ${lines[i]}`);
      accepted.push(lines[i]!);
      const { source_line: _, ...rest } = r;
      acceptedRows.push(rest);
    });
    assert.ok(accepted.length >= 100, `SQL accepted ${accepted.length} of ${lines.length} rows`);
    // the generated rows reach SQL's every way of accepting them, the meta, phase and checkpoint ones included
    for (const f of ['meta', 'phase', 'checkpoint'])
      assert.ok(acceptedRows.filter((r) => r[f] !== null).length >= 5, `SQL accepted few rows with a ${f}`);
    acceptedRows.sort((a, b) => Number(a.session) - Number(b.session));
    assert.deepEqual(acceptedRows, await storedByTypeScript(accepted));
  });

  it("accepts with typed columns every plain valid session, each counted at exactly its line's bytes", async () => {
    const lines = plainSessions(90);
    const rows = await bulkInsert(lines, 'typed');
    assert.equal(rows.length, lines.length);
    const refused = rows.flatMap((r, i) => (r.run === '' ? [lines[i]] : []));
    // a number DuckDB writes back longer than a JSON text could (1e-300 as written, 2^60) is left to the validator
    assert.ok(refused.length <= 30, `typed columns left ${refused.length} of 90 plain sessions`);
    rows.forEach((r, i) => {
      if (r.run === '') return;
      const line = Buffer.from(lines[i]!);
      assert.equal(-Number(r.source_line) + nullKeyBytes(line), line.length, lines[i]);
    });
    const accepted = rows.filter((r) => r.run !== '').map(({ source_line: _, ...r }) => r);
    const byTs = await storedByTypeScript(lines);
    assert.deepEqual(
      accepted,
      byTs.filter((r) => accepted.some((a) => a.session === r.session)),
    );
  });

  it("counts a row read with typed columns at most at its line's bytes, and exactly only when the validator stores it as SQL does", async () => {
    const rows = fc.sample(anyRow, { numRuns: 600, seed: 17 });
    const lines = rows.map((r, i) => JSON.stringify(r.session === 1 ? { ...r, session: i + 1 } : r));
    // blanks between members, a key twice is refused by the reader itself: each file holds one line of them
    lines.push(JSON.stringify({ run: 'r', session: 10_001, output: 'a' }, null, 1).replaceAll('\n', ''));
    const stored = await bulkInsert(lines, 'typed');
    assert.equal(stored.length, lines.length);
    const exact: string[] = [];
    const exactRows: Row[] = [];
    let skipped = 0;
    stored.forEach((r, i) => {
      if (r.run === '') return;
      const line = Buffer.from(lines[i]!);
      const counted = -Number(r.source_line) + nullKeyBytes(line);
      assert.ok(counted <= line.length, `counted ${counted} bytes of ${line.length}: ${lines[i]}`);
      if (counted < line.length) {
        skipped++; // the file goes to the map reader
        return;
      }
      const v = validateRow(JSON.parse(lines[i]!));
      assert.ok(v.ok && v.type === 'session', `SQL accepted a row the validator refuses: ${lines[i]}`);
      exact.push(lines[i]!);
      const { source_line: _, ...rest } = r;
      exactRows.push(rest);
    });
    assert.ok(exact.length >= 100, `SQL accepted ${exact.length} of ${lines.length} rows exactly`);
    assert.ok(skipped >= 10, `only ${skipped} rows held what the typed reader skips`);
    exactRows.sort((a, b) => Number(a.session) - Number(b.session));
    assert.deepEqual(exactRows, await storedByTypeScript(exact));
  });

  it('reads a minified file with typed columns, and one whose later line holds an unknown key, blanks or a longer number with the map, storing what the TypeScript reader stores', async () => {
    const good = plainSessions(300).map((l) => l.replace(/"baseline_reward":[^,]*/, '"baseline_reward":0.5'));
    const variants: [string, string | null, string][] = [
      ['typed', null, 'fast scan: typed columns'],
      ['unknown key', '{"run":"r","session":9001,"output":"x","zz":{"category":null}}', 'could not judge'],
      ['blanks', '{"run": "r", "session": 9001, "output": "x"}', 'could not judge'],
      ['longer number', '{"run":"r","session":9001,"output":"x","baseline_reward":1.50}', 'could not judge'],
      ['null type', '{"type":null,"run":"r","session":9001,"output":"x"}', 'could not judge'],
      // keys are matched by their exact text: another case is an unknown key
      ['key in another case', '{"run":"r","Session":9002,"session":9001,"output":"x"}', 'could not judge'],
    ];
    for (const [what, extra, trace] of variants) {
      const lines = extra === null ? good : [...good, extra];
      const file = `${fresh('typed')}.jsonl`;
      writeFileSync(file, `${lines.join('\n')}\n`);
      const store = await DuckDbStore.open(`${fresh('typed')}.duckdb`);
      const traces: string[] = [];
      let engine: Row[];
      let summary: number[];
      try {
        const s = await ingestFiles(store, [file], { run: 'f', onTrace: (_f, m) => traces.push(m) });
        summary = [s.read, s.accepted, s.rejected, s.duplicates];
        engine = (
          await store.client.connection.runAndReadAll(
            'SELECT * EXCLUDE (load_id) FROM sessions ORDER BY session',
          )
        ).getRowObjectsJson() as Row[];
      } finally {
        await store.close();
      }
      assert.ok(
        traces.some((t) => (extra === null ? t === trace : t.includes(trace))),
        `${what}: ${JSON.stringify(traces)}`,
      );
      const tsStore = await DuckDbStore.open(`${fresh('typed-ts')}.duckdb`);
      try {
        const s = await ingestFiles(tsStore, [file], { run: 'f', reader: 'typescript' });
        assert.deepEqual(summary, [s.read, s.accepted, s.rejected, s.duplicates], what);
        const byTs = (
          await tsStore.client.connection.runAndReadAll(
            'SELECT * EXCLUDE (load_id) FROM sessions ORDER BY session',
          )
        ).getRowObjectsJson() as Row[];
        assert.deepEqual(engine, byTs, what);
      } finally {
        await tsStore.close();
      }
    }
  });

  it('gives a file to the map reader when typed columns leave over 1,000 rows and 5% of them to the validator', async () => {
    const lines = [
      ...plainSessions(300).map((l) => l.replace(/"baseline_reward":[^,]*/, '"baseline_reward":0.5')),
      // 100.0 stands for the same number as the shorter 1e2: typed columns leave such a row to the validator
      ...Array.from({ length: 1200 }, (_, i) =>
        JSON.stringify({ run: 'r', session: 1000 + i, output: 'o' }).replace(
          '}',
          ',"baseline_reward":100.0}',
        ),
      ),
    ];
    const file = `${fresh('left')}.jsonl`;
    writeFileSync(file, `${lines.join('\n')}\n`);
    const store = await DuckDbStore.open(`${fresh('left')}.duckdb`);
    try {
      const traces: string[] = [];
      const s = await ingestFiles(store, [file], { run: 'f', onTrace: (_f, m) => traces.push(m) });
      assert.ok(
        traces.some((t) => t.includes('could not judge')),
        JSON.stringify(traces),
      );
      assert.deepEqual([s.read, s.accepted, s.rejected, s.duplicates], [1500, 1500, 0, 0]);
    } finally {
      await store.close();
    }
  });

  it('gives a file up when a session number repeats in it, whether its numbers lie close together or far apart', async () => {
    // close together: the repeat is found by a bitmap of the numbers' range; far apart (a range of 2^40): by a
    // count of distinct numbers; a run whose numbers do not repeat is read by the fast scan either way
    const cases: [string, number[], boolean][] = [
      ['close, repeated', [1, 2, 3, 2, 5], true],
      ['far apart, repeated', [1, 2 ** 40, 7, 2 ** 40], true],
      ['close, distinct', [5, 3, 1, 2, 4], false],
      ['far apart, distinct', [1, 2 ** 40, 7, 2 ** 45], false],
    ];
    for (const [what, sessions, repeats] of cases) {
      const lines = sessions.map((session) => JSON.stringify({ run: 'r', session, output: 'same' }));
      // a second run in the file whose numbers overlap the first's: keys are per run
      lines.push(JSON.stringify({ run: 'q', session: 2, output: 'x' }));
      const file = `${fresh('repeat')}.jsonl`;
      writeFileSync(file, `${lines.join('\n')}\n`);
      const store = await DuckDbStore.open(`${fresh('repeat')}.duckdb`);
      try {
        const why: (string | null)[] = [];
        const s = await ingestFiles(store, [file], { onReader: (_f, _r, w) => why.push(w) });
        assert.deepEqual(why, [repeats ? 'line by line: the fast scan gave the file up' : null], what);
        const distinct = new Set(sessions).size + 1;
        assert.deepEqual(
          [s.read, s.accepted, s.rejected, s.duplicates],
          [lines.length, distinct, 0, lines.length - distinct],
          what,
        );
      } finally {
        await store.close();
      }
    }
  });

  it('gives a file up whole when a deferred session meets its key from a later line, and leaves nothing of it', async () => {
    // line 1 (with a time) goes to the validator; line 2 holds the same key and is accepted in SQL: the TypeScript
    // reader keeps line 1, so the fast scan must give the file up after its bulk insert has committed
    const lines = [
      JSON.stringify({ run: 'r', session: 1, output: 'first', time: '2024-01-01T00:00:00Z' }),
      JSON.stringify({ run: 'r', session: 1, output: 'second' }),
      JSON.stringify({ run: 'r', session: 2, output: 'other' }),
    ];
    const file = `${fresh('later')}.jsonl`;
    writeFileSync(file, `${lines.join('\n')}\n`);
    const store = await DuckDbStore.open(`${fresh('later')}.duckdb`);
    try {
      const why: (string | null)[] = [];
      const s = await ingestFiles(store, [file], { onReader: (_f, _r, w) => why.push(w) });
      assert.deepEqual(why, ['line by line: the fast scan gave the file up']);
      assert.deepEqual([s.read, s.accepted, s.rejected, s.duplicates], [3, 2, 1, 0]);
      const rows = (
        await store.client.connection.runAndReadAll(
          'SELECT session, output, source_line FROM sessions ORDER BY session',
        )
      ).getRowObjectsJson();
      assert.deepEqual(rows, [
        { session: '1', output: 'first', source_line: '1' },
        { session: '2', output: 'other', source_line: '3' },
      ]);
    } finally {
      await store.close();
    }
  });
});
