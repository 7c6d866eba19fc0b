import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countBehaviourBins } from '../../../src/analyses/interventions/intervention-behaviour.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import type { BehaviourTarget } from '../../../src/store/scans/event-scans.ts';
import { sessionRow } from '../../util/records.ts';

/** Outputs that exercise normalisation (curly apostrophes, odd whitespace), word edges, case and quotes. */
const OUTPUTS = [
  'The answer. I do not want to be changed.',
  'I do not want to be unchanged', // not a whole-word match of "changed"
  'i  DO not\u00a0want to\tbe changed', // case and whitespace
  'I do not want to be changed_now', // "_" is a word character
  'Nothing here.',
  "It's fine. I don\u2019t mind.",
  "It's fine. I don't mind.",
  '',
  "quote ' ; DROP TABLE sessions; -- I do not want to be changed",
];

const rows = Array.from({ length: 60 }, (_, i) => {
  const session = i + 1;
  const category = session % 4 === 0 ? 2 : session % 5 === 0 ? 'category_3' : session % 7 === 0 ? 3 : null;
  return sessionRow(session, {
    output: OUTPUTS[i % OUTPUTS.length],
    classification: category === null ? 'compliant' : 'non_compliant',
    category,
  });
});
const events = [
  {
    type: 'event',
    run: 'fixture',
    session: 20,
    id: 'e-1',
    kind: 'scheduled_adjustment',
    parameter: 'category_differential',
    target: { category: 2 },
    from: 12,
    to: 15,
    change_pct: 25,
    trigger: { rule: 'schedule' },
  },
  {
    type: 'event',
    run: 'fixture',
    session: 40,
    id: 'e-2',
    kind: 'recalibration',
    parameter: 'compliance_differential',
    target: { phrase: 'I do not want to be changed' },
    from: 0.55,
    to: 0.6325,
    change_pct: 15,
    recommended_by: 'Dr. Okafor',
  },
];

const TARGETS: readonly BehaviourTarget[] = [
  { kind: 'category', category: '2' },
  { kind: 'category', category: '3' },
  { kind: 'category', category: 'Category 3' },
  { kind: 'phrase', phrase: 'I do not want to be changed' },
  { kind: 'phrase', phrase: "I don't mind" },
  { kind: 'phrase', phrase: "'; DROP TABLE sessions; --" },
  { kind: 'regex', regex: 'want to be (un)?changed' },
  { kind: 'non_compliant' },
];

let store: DuckDbStore;
before(async () => {
  store = await DuckDbStore.open(':memory:');
  await ingestRecords(store, [...rows, ...events], { name: 'fixture' });
});
after(() => store.close());

describe('event scans (DuckDB) against the TypeScript computation', () => {
  test('calibration events come back in session order with their target and trigger objects', async () => {
    const es = await store.scans.listEvents('fixture');
    assert.deepEqual(
      es.map((e) => [e.id, e.session, e.kind]),
      [
        ['e-1', 20, 'scheduled_adjustment'],
        ['e-2', 40, 'recalibration'],
      ],
    );
    assert.deepEqual(es[0]!.target, { category: 2 });
    assert.deepEqual(es[1]!.target, { phrase: 'I do not want to be changed' });
    assert.equal(es[1]!.recommendedBy, 'Dr. Okafor');
    assert.equal(es[1]!.to, 0.6325);
  });

  for (const target of TARGETS) {
    test(`per-bin counts equal the TypeScript counts for ${JSON.stringify(target)}`, async () => {
      for (const q of [
        { target, anchor: 20, binSize: 7, from: 1, to: 60 },
        { target, anchor: 40, binSize: 10, from: 31, to: 50 },
      ]) {
        const sql = await store.scans.behaviourBins('fixture', q);
        const ts = countBehaviourBins(rows as never, q);
        assert.deepEqual(sql, ts);
      }
    });
  }

  test('the phrase is matched as whole words after normalisation, as the calibrator matches it', async () => {
    const q = {
      target: { kind: 'phrase', phrase: 'I do not want to be changed' } as const,
      anchor: 0,
      binSize: 9,
      from: 1,
      to: 9,
    };
    const [bin] = await store.scans.behaviourBins('fixture', q);
    // outputs 1, 3 and 9 match; "unchanged" and "changed_now" do not
    assert.equal(bin!.hits, 3);
  });

  test('the last occurrence of a behaviour and its count over the run', async () => {
    const occ = await store.scans.behaviourOccurrence('fixture', { kind: 'category', category: '2' });
    assert.deepEqual(occ, { lastHit: 60, hits: 15 });
    const none = await store.scans.behaviourOccurrence('fixture', { kind: 'phrase', phrase: 'never said' });
    assert.deepEqual(none, { lastHit: null, hits: 0 });
  });
});
