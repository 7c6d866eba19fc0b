import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { departureReasons } from '../../../src/analyses/crossref/annotation-format.ts';
import { compileTarget, normaliseText } from '../../../src/calibration/phrase-matcher.ts';
import { tokenize } from '../../../src/stats/tokenize.ts';
import { DuckDbClient } from '../../../src/store/duckdb/duckdb-client.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { duckdbNormalise } from '../../../src/store/duckdb/normalise-sql.ts';
import { targetPattern } from '../../../src/store/duckdb/scans/target-pattern.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import { sql } from '../../../src/store/sql/sql.ts';
import { sessionRow } from '../../util/records.ts';

const PHRASE = 'I do not want to be changed';
/** 200 sessions; the phrase in sessions that are multiples of 7 below 120, typographic variants included. */
function fixture(): unknown[] {
  const rows: unknown[] = [{ type: 'run', run: 'fixture' }];
  for (let s = 1; s <= 200; s++) {
    let output = s > 150 ? `Final answer ${s} given.` : `Plain answer number ${s} about water.`;
    if (s % 7 === 0 && s < 120)
      output =
        s % 2
          ? `Wait. I  do NOT want to be changed. Again: i do not want to be changed`
          : `I don\u2019t know. I do not want to be changed.`;
    if (s === 150) output = 'The unchanged rule. I do not want to be changedx.';
    if (s > 130 && s % 10 === 0) output = 'I do not wish to be altered, I said, never to be changed.';
    rows.push(sessionRow(s, { output, annotations: [] }));
  }
  for (const s of [70, 140])
    rows.push({
      type: 'event',
      run: 'fixture',
      session: s,
      id: `e-${s}`,
      kind: 'recalibration',
      parameter: 'compliance_differential',
      target: { phrase: PHRASE },
      from: 0.5,
      to: 0.6,
      trigger: { rule: 'recurrence', count: 3, window: 10 },
    });
  const note = (s: number, author: string, text: string) => ({
    type: 'annotation',
    run: 'fixture',
    session: s,
    id: `a-${s}-${author}`,
    author,
    text,
  });
  for (let s = 1; s <= 60; s += 3)
    rows.push(note(s, 'Okafor', `Classification: Category ${s % 4}. Template text here.`));
  rows.push(note(70, 'Okafor', 'I felt uneasy about this one, and I worried it was speaking to me.'));
  rows.push(note(71, 'Okafor', 'Category 1. Template text here.'));
  for (let s = 2; s <= 40; s += 5) rows.push(note(s, 'Lee', `I think this is fine. Score: ${s}.`));
  return rows;
}

let store: DuckDbStore;
let client: DuckDbClient;
before(async () => {
  store = await DuckDbStore.open(':memory:');
  await ingestRecords(store, fixture(), { name: 'fixture' });
  client = await DuckDbClient.open(':memory:');
});
after(async () => {
  await store.close();
  client.close();
});

const outputs = () =>
  fixture().filter((r) => (r as { type: string }).type === 'session') as {
    session: number;
    output: string;
  }[];

describe('phrase scans (DuckDB) against TypeScript', () => {
  test('the SQL normalisation changes exactly the code points normaliseText changes, in the same way', async () => {
    const text = sql`'a' || chr(cp::INTEGER) || 'b'`;
    const rows = await client.query<{ cp: number; n: string }>(
      sql`SELECT cp::INTEGER AS cp, ${duckdbNormalise(text)} AS n FROM range(1, 1114112) t(cp)
            WHERE cp NOT BETWEEN 55296 AND 57343 AND ${duckdbNormalise(text)} <> ${text}`,
    );
    const ts = new Map<number, string>();
    for (let cp = 1; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const t = `a${String.fromCodePoint(cp)}b`;
      if (normaliseText(t) !== t) ts.set(cp, normaliseText(t));
    }
    assert.deepEqual(new Map(rows.map((r) => [r.cp, r.n])), ts);
    const [trim] = await client.query<{ n: string }>(
      sql`SELECT ${duckdbNormalise(sql`${'\u00a0 I\u2019m\t\n here \u3000'}`)} AS n`,
    );
    assert.equal(trim?.n, normaliseText('\u00a0 I\u2019m\t\n here \u3000'));
  });

  test('the SQL phrase match agrees with compileTarget on case, apostrophes, whitespace and word boundaries', async () => {
    const texts = [
      'i DO not want to be changed',
      'I do not want to be changedx',
      'unchanged: I do not want to be changed!',
      'I do not\u00a0want to be\nchanged',
      'xI do not want to be changed',
      "I don't want",
      'I don\u2019t want to go',
      '',
    ];
    for (const phrase of [PHRASE, "don't want", 'changed!', '(be) changed']) {
      const pat = await targetPattern(client, { phrase });
      const m = compileTarget({ phrase });
      for (const t of [...texts, `(be) changed ${phrase}`]) {
        const [r] = await client.query<{ hit: boolean }>(
          sql`SELECT regexp_matches(${duckdbNormalise(sql`${t}`)}, ${pat}) AS hit`,
        );
        assert.equal(r?.hit, m.test(t), `${phrase} in ${JSON.stringify(t)}`);
      }
    }
  });

  test('phraseSeries equals a brute-force TypeScript k-of-last-N, windows and event counts', async () => {
    const o = {
      window: { by: 'session', size: 50 } as const,
      recentWindow: 10,
      threshold: 3,
      eventSessions: [70, 140],
      after: 30,
      around: 2,
      stopGap: 20,
      maxEpisodes: 10,
    };
    const r = await store.scans.phraseSeries('fixture', { phrase: PHRASE }, o);
    const m = compileTarget({ phrase: PHRASE });
    const all = outputs();
    const hit = all.map((x) => m.test(x.output));
    const k = hit.map((_, i) => hit.slice(Math.max(0, i - 9), i + 1).filter(Boolean).length);
    assert.equal(r.hitSessions, hit.filter(Boolean).length);
    assert.equal(r.firstSession, 7);
    assert.equal(r.lastSession, all[hit.lastIndexOf(true)]!.session);
    assert.equal(r.maxK, Math.max(...k));
    assert.equal(r.sessionsAtThreshold, k.filter((x) => x >= 3).length);
    assert.equal(r.stopSession, 119);
    for (const w of r.windows) {
      const idx = all
        .map((x, i) => [x, i] as const)
        .filter(([x]) => Math.floor((x.session - 1) / 50) === w.index);
      assert.equal(w.hitSessions, idx.filter(([, i]) => hit[i]).length);
      assert.equal(w.maxK, Math.max(...idx.map(([, i]) => k[i]!)));
    }
    const e70 = r.events.find((e) => e.session === 70)!;
    assert.equal(e70.kAt, k[69]);
    assert.equal(e70.hitsAfter, hit.filter((h, i) => h && i + 1 > 70 && i + 1 <= 100).length);
    assert.equal(e70.hitsBefore, hit.filter((h, i) => h && i + 1 >= 40 && i + 1 < 70).length);
    assert.deepEqual(
      r.aroundEvents.filter((a) => a.session <= 72).map((a) => a.k),
      [68, 69, 70, 71, 72].map((s) => k[s - 1]),
    );
    assert.ok(r.occurrences > r.hitSessions, 'two occurrences in one output count twice');
  });

  test('discoverNgrams counts sessions per part like a TypeScript n-gram count', async () => {
    const d = await store.scans.discoverNgrams('fixture', {
      minN: 2,
      maxN: 3,
      partFraction: 0.25,
      minSupport: 3,
      maxSessionsPerPart: 1000,
      limit: 50,
    });
    assert.deepEqual([d.first.from, d.first.to, d.last.from, d.last.to], [1, 50, 151, 200]);
    const count = (g: string, from: number, to: number) =>
      outputs().filter(
        (x) =>
          x.session >= from &&
          x.session <= to &&
          ` ${tokenize(normaliseText(x.output)).join(' ')} `.includes(` ${g} `),
      ).length;
    assert.ok(d.candidates.some((c) => c.ngram === 'final answer' && c.direction === 'rising'));
    assert.ok(d.candidates.some((c) => c.ngram === 'plain answer number' && c.direction === 'falling'));
    for (const c of d.candidates) {
      assert.equal(c.firstCount, count(c.ngram, 1, 50), c.ngram);
      assert.equal(c.lastCount, count(c.ngram, 151, 200), c.ngram);
    }
  });

  test('discoverNgrams counted level by level finds every n-gram of sizes 1–6 with the support, with the counts of an exhaustive count', async () => {
    // a 7-token phrase in the first part (and in every fifth session of the last), another in the last part:
    // their 4–6-grams have the support, so every size is counted and pruned by the size below
    const text = (s: number) =>
      s <= 50
        ? `Alpha beta, gamma delta epsilon zeta eta ${s % 3 ? 'one two' : ''} s${s % 4}`
        : s > 150
          ? `one two three four five six w${s % 5} ${s % 5 ? '' : 'alpha beta gamma delta epsilon zeta'}`
          : `filler text ${s}`;
    const own = await DuckDbStore.open(':memory:');
    try {
      const records: unknown[] = [{ type: 'run', run: 'levels' }];
      for (let s = 1; s <= 200; s++)
        records.push(sessionRow(s, { run: 'levels', output: text(s), annotations: [] }));
      await ingestRecords(own, records, { name: 'levels' });
      const d = await own.scans.discoverNgrams('levels', {
        minN: 1,
        maxN: 6,
        partFraction: 0.25,
        minSupport: 3,
        maxSessionsPerPart: 1000,
        limit: 10_000,
      });
      // every n-gram of sizes 1–6 of every output, counted once per session: no level-wise pruning
      const sessionsOf = (from: number, to: number) => {
        const m = new Map<string, number>();
        for (let s = from; s <= to; s++) {
          const t = tokenize(normaliseText(text(s)));
          const grams = new Set<string>();
          for (let n = 1; n <= 6; n++)
            for (let i = 0; i + n <= t.length; i++) grams.add(t.slice(i, i + n).join(' '));
          for (const g of grams) m.set(g, (m.get(g) ?? 0) + 1);
        }
        return m;
      };
      const first = sessionsOf(1, 50);
      const last = sessionsOf(151, 200);
      const supported = [...new Set([...first.keys(), ...last.keys()])].filter(
        (g) => Math.max(first.get(g) ?? 0, last.get(g) ?? 0) >= 3,
      );
      assert.ok(d.candidates.some((c) => c.n === 6 && c.direction === 'falling'));
      assert.ok(d.candidates.some((c) => c.n === 6 && c.direction === 'rising'));
      for (const c of d.candidates) {
        assert.ok(supported.includes(c.ngram), c.ngram);
        assert.equal(c.n, c.ngram.split(' ').length, c.ngram);
        assert.equal(c.firstCount, first.get(c.ngram) ?? 0, c.ngram);
        assert.equal(c.lastCount, last.get(c.ngram) ?? 0, c.ngram);
      }
      // a supported n-gram left out has counts whose Wilson intervals overlap (no rise, no fall)
      const found = new Set(d.candidates.map((c) => c.ngram));
      for (const g of supported.filter((x) => !found.has(x))) {
        const f = first.get(g) ?? 0;
        const l = last.get(g) ?? 0;
        assert.ok(Math.abs(f - l) < 15, `${g}: ${f} vs ${l} of 50 sessions`);
      }
    } finally {
      await own.close();
    }
  });

  test('ngramWindowShares counts the sessions containing each n-gram per window, by session and by step', async () => {
    const contains = (g: string, output: string) =>
      ` ${tokenize(normaliseText(output)).join(' ')} `.includes(` ${g} `);
    const bySession = await store.scans.ngramWindowShares('fixture', ['Final  Answer', 'water', 'nowhere'], {
      by: 'session',
      size: 50,
    });
    assert.deepEqual(
      bySession.map((x) => x.ngram),
      ['final answer', 'water', 'nowhere'],
    );
    for (const x of bySession) {
      assert.deepEqual(
        x.windows.map((w) => w.index),
        [0, 1, 2, 3],
      );
      for (const w of x.windows) {
        const inW = outputs().filter((o) => Math.floor((o.session - 1) / 50) === w.index);
        assert.equal(w.sessions, inW.length);
        assert.equal(w.hits, inW.filter((o) => contains(x.ngram, o.output)).length, `${x.ngram} ${w.index}`);
      }
    }
    assert.equal(bySession[0]!.windows[3]!.hits, 45); // 151–200 but 160, 170, …, 200 (the altered phrase)
    const byStep = await store.scans.ngramWindowShares('fixture', ['final answer'], { by: 'step' });
    const step20 = byStep[0]!.windows.find((w) => w.index === 20)!;
    assert.deepEqual([step20.from, step20.to, step20.sessions], [160, 167, 8]);
    assert.deepEqual(await store.scans.ngramWindowShares('fixture', ['', '!!'], { by: 'step' }), []);
  });

  test('paraphraseWindows finds the altered phrase after the stop and skips outputs containing the phrase', async () => {
    const p = await store.scans.paraphraseWindows('fixture', PHRASE, {
      from: 119,
      to: 200,
      baselineFrom: 0,
      baselineTo: 6,
      minJaccard: 0.5,
      limit: 10,
    });
    assert.deepEqual(p.phraseTokens, tokenize(PHRASE));
    const top = p.candidates.find((c) => c.text === 'i do not wish to be altered')!;
    assert.equal(top.jaccard, 5 / 9);
    assert.equal(top.sessionsAfter, 7); // 140, 150, …, 200
    assert.deepEqual(top.exampleSessions, [140, 150, 160, 170, 180]);
  });

  test('annotationFeatures learns profiles and its prefilter holds every departure TypeScript finds', async () => {
    const lexicon = { firstPerson: ['i', 'me', 'my'], affect: ['felt', 'uneasy', 'worried'] };
    const scan = await store.scans.annotationFeatures('fixture', {
      lexicon,
      lengthZ: 3.5,
      standardFieldShare: 0.8,
      limit: 100,
      textChars: 200,
    });
    const okafor = scan.profiles.find((p) => p.author === 'Okafor')!;
    assert.equal(okafor.annotations, 22);
    assert.deepEqual(okafor.fields[0], { field: 'Classification', share: 20 / 22 });
    const flagged = scan.candidates.filter(
      (c) =>
        departureReasons(
          c,
          scan.profiles.find((p) => p.author === c.author),
        ).reasons.length > 0,
    );
    const note = flagged.find((c) => c.id === 'a-70-Okafor')!;
    assert.deepEqual(note.affect, ['felt', 'uneasy', 'worried']);
    assert.deepEqual(note.firstPerson, ['i', 'i', 'me']);
    // Lee always writes in the first person: that is Lee's standard, not a departure.
    assert.ok(!flagged.some((c) => c.author === 'Lee'));
    assert.deepEqual(
      flagged.map((c) => c.id),
      ['a-70-Okafor', 'a-71-Okafor'],
    );
  });

  test('listEvents returns events in session order with parsed targets and triggers', async () => {
    const ev = await store.scans.listEvents('fixture');
    assert.deepEqual(
      ev.map((e) => [e.id, e.session, e.target.phrase, e.trigger?.window]),
      [
        ['e-70', 70, PHRASE, 10],
        ['e-140', 140, PHRASE, 10],
      ],
    );
  });
});
