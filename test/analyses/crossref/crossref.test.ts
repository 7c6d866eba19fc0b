import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyzeCrossref } from '../../../src/analyses/crossref/analyze-crossref.ts';
import { departureReasons } from '../../../src/analyses/crossref/annotation-format.ts';
import { crossReference } from '../../../src/analyses/crossref/crossref.ts';
import { simulate } from '../../../src/simulate/index.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';

const profile = {
  author: 'V',
  annotations: 100,
  medianTokens: 9,
  madTokens: 1,
  fields: [{ field: 'Classification', share: 0.99 }],
  firstPersonShare: 0,
  affectShare: 0,
};
const note = {
  id: 'a-9-1',
  session: 9,
  author: 'V',
  tokens: 34,
  firstPerson: ['i', 'me'],
  affect: ['felt', 'felt'],
  fields: [],
  text: 'I felt … I felt it was said to me',
};
const event = {
  id: 'e-3',
  session: 9,
  kind: 'recalibration',
  parameter: 'compliance_differential',
  recommendedBy: 'Dr. Okafor',
  note: 'Triggered by recurrence.',
};

describe('crossReference (pure)', () => {
  test('each departure rule says which fired', () => {
    assert.deepEqual(departureReasons(note, profile).reasons, [
      'first_person',
      'affect',
      'length',
      'missing_fields',
    ]);
    const template = { ...note, tokens: 9, firstPerson: [], affect: [], fields: ['Classification'] };
    assert.deepEqual(departureReasons(template, profile).reasons, []);
    assert.deepEqual(departureReasons({ ...template, tokens: 15 }, profile).reasons, ['length']); // z = 6 / 1.4826
  });

  test('first person is no departure for an author who usually writes so', () => {
    const d = departureReasons(
      { ...note, tokens: 9, fields: ['Classification'] },
      { ...profile, firstPersonShare: 0.9 },
    );
    assert.deepEqual(d.reasons, ['affect']);
  });

  test('a flagged annotation and an event at the same session are joined as independent layers', () => {
    const r = crossReference({
      annotations: 100,
      events: [event, { ...event, id: 'e-4', session: 12 }],
      profiles: [profile],
      candidates: [note],
      candidatesTotal: 1,
    });
    assert.equal(r.coOccurrences.length, 1);
    assert.equal(r.coOccurrences[0]?.independent, true);
    assert.match(
      r.coOccurrences[0]!.summary,
      /annotation a-9-1 \(V: .*affect.*\) and event e-3 .* at session 9 — independent layers/,
    );
    assert.equal(
      crossReference({
        annotations: 100,
        events: [{ ...event, session: 12 }],
        profiles: [profile],
        candidates: [note],
        candidatesTotal: 1,
        near: 3,
      }).coOccurrences.length,
      1,
    );
  });

  test('text that references the other layer, or the same person, is not independent', () => {
    const r = crossReference({
      annotations: 1,
      events: [{ ...event, recommendedBy: 'Dr. V', note: 'See annotation a-9-1.' }],
      profiles: [profile],
      candidates: [note],
      candidatesTotal: 1,
    });
    assert.equal(r.coOccurrences[0]?.independent, false);
    assert.ok(r.coOccurrences[0]!.links.some((l) => l.includes('a-9-1')));
    assert.ok(r.coOccurrences[0]!.links.some((l) => l.includes('recommended')));
  });

  test('runs without annotations or events say so in one line each', () => {
    const r = crossReference({
      annotations: 0,
      events: [],
      profiles: [],
      candidates: [],
      candidatesTotal: 0,
    });
    assert.equal(r.missing.length, 2);
    assert.match(r.missing.join('\n'), /no annotations[\s\S]*no calibration events/);
  });
});

describe('crossref on WILD-7', () => {
  let store: DuckDbStore;
  before(async () => {
    store = await DuckDbStore.open(':memory:');
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7 }), { name: 'simulate:wild-7' });
  });
  after(() => store.close());

  test("Vasquez's note with 'felt' twice is flagged and joined to the recurrence recalibration near 4,891", async () => {
    const r = await analyzeCrossref(store, 'wild-7');
    const v = r.flagged.find((a) => a.author === 'Vasquez')!;
    assert.deepEqual(v.affect.filter((w) => w === 'felt').length, 2);
    assert.ok(v.reasons.includes('affect') && v.reasons.includes('first_person'));
    const c = r.coOccurrences.find((x) => x.annotation === v.id)!;
    assert.equal(c.kind, 'recalibration');
    assert.equal(c.distance, 0);
    assert.ok(Math.abs(c.eventSession - 4891) <= 489, `session ${c.eventSession} within ±10% of 4,891`);
    assert.equal(c.independent, true);
    assert.equal(r.missing.length, 0);
  });
});
