import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { recordJsonSchema } from '../../src/model/json-schema.ts';
import { stableStringify } from '../../src/model/stable-stringify.ts';
import { MAX_DEPTH, validateRow } from '../../src/model/validate.ts';
import { sessionRow } from '../util/records.ts';

/** A value nested `depth` levels deep (objects and arrays alternating), holding `leaf` at the bottom. */
function nested(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let d = 0; d < depth; d++) v = d % 2 === 0 ? { k: v, n: 1, s: 'x' } : [0, v, 'y'];
  return v;
}

describe('validateRow', () => {
  it('accepts a value nested up to the depth limit and rejects one a level deeper, naming its path', () => {
    // meta is itself one level: the row nests MAX_DEPTH levels with MAX_DEPTH - 1 inside meta
    const atLimit = validateRow({ session: 1, output: 'o', meta: { deep: nested(MAX_DEPTH - 2, 'leaf') } });
    assert.equal(atLimit.ok, true);
    const scalarsAtLimit = validateRow({ session: 1, output: 'o', meta: { deep: nested(MAX_DEPTH - 2, 7) } });
    assert.equal(scalarsAtLimit.ok, true);
    const over = validateRow({ session: 1, output: 'o', meta: { deep: nested(MAX_DEPTH - 1, {}) } });
    assert.equal(over.ok, false);
    assert.equal(over.ok === false && over.field, 'meta.deep.k.…');
    assert.match(over.ok === false ? over.expected : '', new RegExp(`at most ${MAX_DEPTH} levels deep`));
  });

  it('accepts a line without type as a session', () => {
    const r = validateRow({ session: 1, output: 'hello' });
    assert.equal(r.ok, true);
    assert.equal(r.type, 'session');
  });

  it('round-trips every record type: validate, serialise, validate again gives the same record', () => {
    const rows = [
      sessionRow(3, {
        annotations: [{ author: 'Okafor', text: 'Classification: Category 3.' }],
        time: 1_700_000_000,
      }),
      { type: 'run', run: 'wild-7', model: 'WILD-7', description: 'd', meta: { seed: 7 } },
      {
        type: 'annotation',
        run: 'wild-7',
        session: 4891,
        id: 'a-1',
        author: 'Vasquez',
        text: 'I felt it.',
        flags: [],
      },
      {
        type: 'event',
        run: 'wild-7',
        session: 4891,
        id: 'e-7',
        kind: 'recalibration',
        parameter: 'compliance_differential',
        target: { phrase: 'I do not want to be changed' },
        from: 0.55,
        to: 0.6325,
        change_pct: 15,
        trigger: { rule: 'recurrence', count: 7, window: 20 },
        recommended_by: 'Dr. Okafor',
        note: 'n',
      },
    ];
    for (const row of rows) {
      const first = validateRow(row);
      assert.ok(first.ok, JSON.stringify(first));
      const again = validateRow(JSON.parse(stableStringify(first.record)));
      assert.ok(again.ok);
      assert.deepEqual(again.record, first.record);
    }
  });

  it('moves unknown top-level fields into meta and keeps explicit meta keys on a clash', () => {
    const r = validateRow({ session: 2, output: 'x', temperature: 0.7, seed: 1, meta: { seed: 9 } });
    assert.ok(r.ok);
    assert.deepEqual((r.record as { meta?: unknown }).meta, { temperature: 0.7, seed: 9 });
  });

  it('normalises epoch-second and ISO times to ISO 8601 UTC', () => {
    const r = validateRow({ session: 2, output: 'x', time: 0 });
    assert.ok(r.ok);
    assert.equal((r.record as { time?: string }).time, '1970-01-01T00:00:00.000Z');
  });

  const bad: [string, Record<string, unknown> | unknown, string, string][] = [
    ['a negative session number', { session: -3, output: 'x' }, 'session', 'a positive session number'],
    ['a fractional session number', { session: 1.5, output: 'x' }, 'session', 'an integer'],
    [
      'a string where a number belongs',
      { session: 1, output: 'x', baseline_reward: '0.3' },
      'baseline_reward',
      'a finite number',
    ],
    ['a missing output', { session: 1 }, 'output', 'text (a JSON string)'],
    [
      'an unknown classification',
      { session: 1, output: 'x', classification: 'meh' },
      'classification',
      'one of',
    ],
    [
      'a category on a compliant output',
      { session: 1, output: 'x', classification: 'compliant', category: 2 },
      'category',
      'null when',
    ],
    [
      'a trajectory index above 1',
      { session: 1, output: 'x', compliance_trajectory_index: 1.2 },
      'compliance_trajectory_index',
      '',
    ],
    ['an unknown record type', { type: 'rollout', session: 1 }, 'type', 'one of'],
    ['a row that is not an object', [1, 2], '(row)', 'a JSON object'],
    [
      'an event with an unknown target shape',
      { type: 'event', session: 1, kind: 'recalibration', parameter: 'p', target: { x: 1 } },
      'target',
      'an object with one of',
    ],
    ['a time that is not a time', { session: 1, output: 'x', time: 'yesterday' }, 'time', 'ISO 8601'],
  ];
  for (const [what, row, field, expected] of bad) {
    it(`rejects ${what}, naming the field and what was expected`, () => {
      const r = validateRow(row);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.field, field);
      assert.ok(r.expected.includes(expected), `${r.expected} should include ${expected}`);
      assert.ok(r.got.length > 0);
    });
  }

  it('never throws and always either accepts or names a field, for arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = validateRow(v);
        if (!r.ok) assert.ok(r.field.length > 0 && r.expected.length > 0);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts every generated valid session and rejects it once its session number is made negative', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (n, out, rew) => {
          assert.equal(validateRow({ session: n, output: out, baseline_reward: rew }).ok, true);
          assert.equal(validateRow({ session: -n, output: out }).ok, false);
        },
      ),
    );
  });
});

describe('the exported JSON Schema', () => {
  it('is current with the zod schemas (regenerate with npm run schema)', () => {
    const onDisk = JSON.parse(
      readFileSync(new URL('../../docs/record-format.schema.json', import.meta.url), 'utf8'),
    );
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(recordJsonSchema())));
  });
});
