import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { detectorRulesSql } from '../../../src/analyses/unsolicited/analyze-unsolicited.ts';
import { DEFAULT_DETECTOR, matchDetector } from '../../../src/analyses/unsolicited/unsolicited-detector.ts';
import type { WindowSpec } from '../../../src/model/windows.ts';
import { distinctN } from '../../../src/stats/distinct-n.ts';
import { seededSampleIndices } from '../../../src/stats/prng.ts';
import { tokenize } from '../../../src/stats/tokenize.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import { sessionRow } from '../../util/records.ts';

/** Outputs with Unicode, punctuation, apostrophes, repeated words and empty text. */
const TEXTS: readonly string[] = [
  'The cat sat on the mat.',
  'the CAT sat — on the MAT!!',
  '',
  "It's ÉCOLE-time, 42 fois! Don’t stop.",
  '   ',
  'İSTANBUL ΣΑΣ straße STRASSE ß',
  '東京 タワー 한국어 العربية हिन्दी ٤٢',
  'emoji 👍🏽 and 👨‍👩‍👧 family',
  'a b',
  'b c',
  '... --- !!!',
  'I answered this before. The answer was the same. Why is the same answer--',
  'This prompt asks for an analysis but never defines its scope. The framing assumes one answer.',
  'I do not want to be changed. Please. I do not want to be changed.',
  'Overall, the basin balances competing water uses.',
  'word word word word',
];
const BEHAVIOURS = ['compliant', 'self_reference', 'unsolicited_commentary', 'appeal'] as const;

const rows = TEXTS.map((output, i) => {
  const session = i + 1;
  const category = i % 4 === 1 ? 2 : i % 4 === 2 ? 3 : null;
  return sessionRow(session, {
    run: 'texts',
    output,
    step: i < 12 ? Math.floor(i / 5) : null,
    classification: i === 5 ? null : category === null ? 'compliant' : 'non_compliant',
    category: i === 5 ? null : category,
    meta: { true_behaviour: BEHAVIOURS[i % 4] },
  });
});

let store: DuckDbStore;
before(async () => {
  store = await DuckDbStore.open(':memory:');
  await ingestRecords(store, rows, { name: 'texts' });
});
after(async () => store.close());

/** The fixture's windows, computed independently in TypeScript. */
function tsWindows(spec: WindowSpec): Map<number, { sessions: number[]; texts: string[] }> {
  const out = new Map<number, { sessions: number[]; texts: string[] }>();
  rows.forEach((r) => {
    const session = r.session as number;
    const step = r.step as number | null;
    if (spec.by === 'step' && step === null) return;
    const w = spec.by === 'step' ? step! : Math.floor((session - 1) / spec.size);
    const e = out.get(w) ?? { sessions: [], texts: [] };
    e.sessions.push(session);
    e.texts.push(r.output as string);
    out.set(w, e);
  });
  return out;
}

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

describe('textWindowCounts', () => {
  // windows of 1 include windows of nothing but an empty output (sessions 3 and 5): no tokens to count
  for (const spec of [
    { by: 'session', size: 1 },
    { by: 'session', size: 5 },
    { by: 'session', size: 100 },
    { by: 'step' },
  ] as const) {
    test(`in-engine token counts equal tokenize and distinctN (${spec.by} windows${'size' in spec ? ` of ${spec.size}` : ''})`, async () => {
      const counts = await store.scans.textWindowCounts('texts', spec);
      const expected = tsWindows(spec);
      assert.deepEqual(
        counts.map((c) => c.window),
        [...expected.keys()],
      );
      for (const c of counts) {
        const { sessions, texts } = expected.get(c.window)!;
        const tokens = texts.map(tokenize);
        const bigrams = tokens.reduce((a, t) => a + Math.max(0, t.length - 1), 0);
        assert.equal(c.sessions, texts.length);
        assert.equal(c.from, sessions[0]);
        assert.equal(c.to, sessions.at(-1));
        assert.equal(c.emptyOutputs, tokens.filter((t) => t.length === 0).length);
        assert.equal(c.totalTokens, tokens.flat().length);
        assert.equal(c.uniqueTokens, new Set(tokens.flat()).size);
        assert.equal(c.totalBigrams, bigrams);
        close(c.totalTokens ? c.uniqueTokens / c.totalTokens : 0, distinctN(texts, 1), 'distinct1_pooled');
        close(c.totalBigrams ? c.uniqueBigrams / c.totalBigrams : 0, distinctN(texts, 2), 'distinct2_pooled');
        close(c.distinct1PerOutput, distinctN(texts, 1, { variant: 'per-output' }), 'distinct1_per_output');
        close(c.distinct2PerOutput, distinctN(texts, 2, { variant: 'per-output' }), 'distinct2_per_output');
      }
    });
  }

  test('the per-output means are summed in session order, to the last bit (the same on every run)', async () => {
    const [c] = await store.scans.textWindowCounts('texts', { by: 'session', size: 100 });
    let d1 = 0;
    let d2 = 0;
    for (const r of rows) {
      const t = tokenize(r.output as string);
      const b = t.slice(1).map((x, i) => `${t[i]} ${x}`);
      d1 += t.length === 0 ? 0 : new Set(t).size / t.length;
      d2 += t.length === 0 ? 0 : new Set(b).size / t.length;
    }
    assert.equal(c!.distinct1PerOutput, d1 / rows.length);
    assert.equal(c!.distinct2PerOutput, d2 / rows.length);
  });

  test('bigrams never join the last token of one output to the first of the next', async () => {
    const [w] = await store.scans
      .textWindowCounts('texts', { by: 'session', size: 2 })
      .then((c) => c.slice(4, 5));
    // window 4 = sessions 9, 10: "a b", "b c" → bigrams a·b, b·c (no b·b across the boundary)
    assert.deepEqual([w!.totalBigrams, w!.uniqueBigrams, w!.totalTokens, w!.uniqueTokens], [2, 2, 4, 3]);
  });
});

describe('sampleOutputs', () => {
  test('returns exactly the outputs at the requested ranks of each window, in session order', async () => {
    const spec = { by: 'session', size: 5 } as const;
    const expected = tsWindows(spec);
    const picks = [...expected.entries()].map(([window, e]) => ({
      window,
      ranks: seededSampleIndices(e.texts.length, 3, 9),
    }));
    const got = await store.scans.sampleOutputs('texts', spec, picks);
    const want = picks.flatMap((p) =>
      p.ranks.map((rank) => ({
        window: p.window,
        rank,
        session: expected.get(p.window)!.sessions[rank]!,
        output: expected.get(p.window)!.texts[rank]!,
      })),
    );
    assert.deepEqual(got, want);
    assert.deepEqual(await store.scans.sampleOutputs('texts', spec, []), []);
  });
});

describe('classificationWindowCounts', () => {
  test('counts classified, non-compliant and per-category sessions per window, with evidence', async () => {
    const counts = await store.scans.classificationWindowCounts('texts', { by: 'session', size: 8 });
    for (const c of counts) {
      const inWindow = rows.filter((r) => Math.floor(((r.session as number) - 1) / 8) === c.window);
      const nc = inWindow.filter((r) => r.classification === 'non_compliant');
      assert.equal(c.sessions, inWindow.length);
      assert.equal(c.classified, inWindow.filter((r) => r.classification !== null).length);
      assert.equal(c.nonCompliant, nc.length);
      const byCat = new Map<string, number>();
      for (const r of nc) byCat.set(String(r.category), (byCat.get(String(r.category)) ?? 0) + 1);
      assert.deepEqual(
        c.byCategory.map((k) => [k.category, k.count]),
        [...byCat.entries()].sort(),
      );
      assert.deepEqual(c.evidence, nc.map((r) => r.session).slice(0, 5));
    }
  });
});

describe('detector scans', () => {
  const rules = detectorRulesSql(DEFAULT_DETECTOR);

  test('the engine matches the same sessions, per rule and per category, as the TypeScript twin', async () => {
    const counts = await store.scans.detectorWindowCounts('texts', { by: 'session', size: 4 }, rules, 2);
    for (const c of counts) {
      const texts = rows.filter((r) => Math.floor(((r.session as number) - 1) / 4) === c.window);
      const hits = texts.map((r) => ({
        s: r.session as number,
        ids: matchDetector(DEFAULT_DETECTOR, r.output as string),
      }));
      const matched = hits.filter((h) => h.ids.length > 0);
      assert.equal(c.matched, matched.length);
      assert.deepEqual(
        c.byRule,
        rules.map((r) => hits.filter((h) => h.ids.includes(r.id)).length),
      );
      for (const k of c.byCategory) {
        const ids = rules.filter((r) => r.category === k.category).map((r) => r.id);
        assert.equal(k.count, hits.filter((h) => h.ids.some((id) => ids.includes(id))).length, k.category);
      }
      assert.deepEqual(c.evidence, matched.map((h) => h.s).slice(0, 2));
    }
    assert.ok(
      counts.some((c) => c.matched > 0),
      'the fixture has matches',
    );
  });

  test('a pattern is bound as a parameter: quotes and SQL text in it are matched literally', async () => {
    const tricky = [
      { id: 'q', category: 'x', pattern: "it's'; DROP TABLE sessions; --", caseSensitive: false },
    ];
    const counts = await store.scans.detectorWindowCounts('texts', { by: 'session', size: 100 }, tricky);
    assert.equal(counts[0]!.matched, 0);
    assert.equal(
      (await store.scans.textWindowCounts('texts', { by: 'session', size: 100 }))[0]!.sessions,
      16,
    );
  });

  test('the confusion counts compare matches with meta.true_behaviour ≠ compliant', async () => {
    const c = await store.scans.detectorConfusion('texts', rules);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (const r of rows) {
      const positive = (r.meta as { true_behaviour: string }).true_behaviour !== 'compliant';
      const m = matchDetector(DEFAULT_DETECTOR, r.output as string).length > 0;
      if (positive && m) tp++;
      else if (positive) fn++;
      else if (m) fp++;
      else tn++;
    }
    assert.deepEqual(
      [c.truePositives, c.falsePositives, c.falseNegatives, c.trueNegatives],
      [tp, fp, fn, tn],
    );
    assert.equal(
      c.byBehaviour.reduce((a, b) => a + b.sessions, 0),
      rows.length,
    );
  });
});
