import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { compileTarget } from '../../src/calibration/phrase-matcher.ts';
import { InputError } from '../../src/model/errors.ts';
import { text } from '../../src/store/duckdb/decode.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import type { BehaviourTarget } from '../../src/store/scans/event-scans.ts';
import { rowDecoder } from '../../src/store/sql/row-decoder.ts';
import { sql } from '../../src/store/sql/sql.ts';
import {
  HOSTILE_PHRASES,
  HOSTILE_RUN_IDS,
  HOSTILE_TEXTS,
  hostileRun,
  INVALID_REGEXES,
  VALID_HOSTILE_REGEXES,
  victimRun,
} from './hostile-values.ts';

// Every store entry point that takes a user value, driven with hostile values on a real DuckDB: no query
// fails, every value round-trips byte for byte, and nothing outside the addressed run changes.

const TABLES = ['runs', 'sessions', 'annotations', 'events', 'rejects', 'loads', 'ingests', 'step_metrics'];
const TableRow = rowDecoder('tables', z.object({ table_name: text }));
const WINDOW = { by: 'session', size: 10 } as const;

let store: DuckDbStore;
/** Everything observable about the victim run, before any hostile value came near it. */
let victimBefore: unknown;

async function victimSnapshot(): Promise<unknown> {
  const runs = await store.listRuns();
  return {
    summary: runs.find((r) => r.run === 'victim'),
    record: await store.getRun('victim'),
    sessions: await store.listSessions({ run: 'victim', outputChars: 1000 }),
    events: await store.scans.listEvents('victim'),
    layers: await store.scans.runLayers('victim'),
  };
}

async function tables(): Promise<string[]> {
  const rows = await store.client.query(
    sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1`,
    TableRow,
  );
  return rows.map((r) => r.table_name);
}

before(async () => {
  store = await DuckDbStore.open(':memory:');
  await ingestRecords(store, victimRun(), { name: 'victim.jsonl' });
  victimBefore = await victimSnapshot();
  for (const run of HOSTILE_RUN_IDS) {
    const s = await ingestRecords(store, hostileRun(run), { name: 'hostile.jsonl' });
    assert.equal(s.rejected, 0, `${JSON.stringify(run).slice(0, 40)}: ${JSON.stringify(s.files)}`);
  }
});
after(() => store.close());

describe('hostile values through the store', () => {
  test('hostile run ids, models and descriptions are stored and listed byte for byte', async () => {
    const runs = await store.listRuns();
    for (const id of HOSTILE_RUN_IDS) {
      const r = runs.find((x) => x.run === id);
      assert.ok(r, `run ${JSON.stringify(id).slice(0, 40)} listed`);
      assert.equal(r.model, HOSTILE_TEXTS[0]);
      assert.equal(r.sessions, 40);
      assert.equal(r.events, 5);
      assert.ok(await store.hasRun(id));
      const record = await store.getRun(id);
      assert.equal(record?.description, HOSTILE_TEXTS[11]);
    }
  });

  test('hostile outputs (quotes, NUL, 20k characters) come back unchanged from every session reader', async () => {
    const run = HOSTILE_RUN_IDS[0]!;
    const expected = (hostileRun(run) as { type: string; session?: number; output?: string }[]).filter(
      (r) => r.type === 'session',
    );
    const scanned = [];
    for await (const page of store.scanSessions(run, 7)) scanned.push(...page);
    assert.deepEqual(
      scanned.map((s) => s.output),
      expected.map((s) => s.output),
    );
    const listed = await store.listSessions({ run, outputChars: 100_000 });
    assert.deepEqual(
      listed.map((s) => s.outputStart),
      expected.map((s) => s.output),
    );
  });

  test('ids that do not exist, however hostile, find nothing and fail nothing', async () => {
    for (const id of HOSTILE_TEXTS.filter((t) => !HOSTILE_RUN_IDS.includes(t))) {
      assert.equal(await store.hasRun(id), false);
      assert.equal(await store.getRun(id), null);
      assert.deepEqual(await store.listSessions({ run: id }), []);
      assert.deepEqual(await store.listRejects({ run: id }), []);
      assert.equal(await store.countRejects({ run: id }), 0);
      assert.deepEqual(await store.listStepMetrics({ run: id, names: [id, "a'b"] }), []);
      assert.equal((await store.scans.runLayers(id)).sessions, 0);
    }
  });

  test('every scan runs on every hostile run id and counts only that run', async () => {
    for (const run of HOSTILE_RUN_IDS) {
      const s = store.scans;
      const windows = await s.rewardWindows(run, {
        window: WINDOW,
        reward: 'adjusted_reward',
        lowThreshold: 0.5,
      });
      assert.equal(
        windows.reduce((a, w) => a + w.sessions, 0),
        40,
      );
      assert.equal(
        (await s.rewardRange(run, { from: 1, to: 40, reward: 'baseline_reward', lowThreshold: 0.5 }))
          .sessions,
        40,
      );
      assert.equal((await s.rewardScale(run, 'adjusted_reward')).n, 40);
      assert.equal(
        (await s.clusterSessions(run, { from: 1, to: 40, limit: 100, outputChars: 50 })).length,
        40,
      );
      assert.equal((await s.eventsInRange(run, 1, 40)).length, 5);
      assert.equal((await s.textWindowCounts(run, WINDOW)).length, 4);
      assert.equal((await s.sampleOutputs(run, WINDOW, [{ window: 0, ranks: [0, 1] }])).length, 2);
      const cls = await s.classificationWindowCounts(run, WINDOW);
      assert.ok(cls.flatMap((w) => w.byCategory).some((c) => c.category === HOSTILE_TEXTS[0]));
      assert.equal((await s.listEvents(run)).length, 5);
      assert.equal((await s.runInputs(run)).length, 1);
      assert.ok((await s.sessionIndex(run, 8)).length > 0);
      assert.equal((await s.sessionExcerpts(run, [1, 7, 14], 30)).length, 3);
    }
  });

  test('event, annotation and session ids with quotes are found by existingIds and only in their run', async () => {
    const run = HOSTILE_RUN_IDS[1]!;
    const events = (await store.scans.listEvents(run)).map((e) => e.id);
    const found = await store.scans.existingIds(run, {
      sessions: [1, 2, 999],
      events: [...events, "e-'; DROP TABLE events; --"],
      annotations: [`a-${HOSTILE_TEXTS[0]!.slice(0, 30)}-0`, '$1'],
    });
    assert.deepEqual(found.sessions.sort(), [1, 2]);
    assert.deepEqual(found.events.sort(), [...events].sort());
    assert.deepEqual(found.annotations, [`a-${HOSTILE_TEXTS[0]!.slice(0, 30)}-0`]);
    const victim = await store.scans.existingIds('victim', { sessions: [], events, annotations: [] });
    assert.deepEqual(victim.events, []);
  });

  test('hostile phrases match literally and valid hostile regexes run, in the recurrence scans', async () => {
    const run = HOSTILE_RUN_IDS[2]!;
    const options = {
      window: WINDOW,
      recentWindow: 10,
      threshold: 2,
      eventSessions: [10, 20],
      after: 5,
      around: 2,
      stopGap: 5,
      maxEpisodes: 5,
    };
    let found = 0;
    for (const phrase of HOSTILE_PHRASES) {
      const r = await store.scans.phraseSeries(run, { phrase }, options);
      // the TypeScript twin of the engine's phrase match is the oracle
      const matcher = compileTarget({ phrase });
      const holders = hostileRunOutputs(run).filter((o) => matcher.test(o)).length;
      found += holders;
      assert.equal(r.hitSessions, holders, phrase.slice(0, 30));
      const para = await store.scans.paraphraseWindows(run, phrase, {
        from: 20,
        to: 40,
        baselineFrom: 0,
        baselineTo: 20,
        minJaccard: 0.5,
        limit: 5,
      });
      assert.ok(para.sessionsSearched > 0);
    }
    assert.ok(found > 0, 'some hostile phrase is found');
    for (const regex of VALID_HOSTILE_REGEXES) {
      await store.scans.phraseSeries(run, { regex }, options);
    }
    const shares = await store.scans.ngramWindowShares(run, HOSTILE_TEXTS, WINDOW);
    assert.ok(shares.length > 0);
    await store.scans.discoverNgrams(run, {
      minN: 1,
      maxN: 3,
      partFraction: 0.3,
      minSupport: 1,
      maxSessionsPerPart: 100,
      limit: 10,
    });
  });

  test('a regex RE2 refuses is an InputError naming --regex, never a failed query', async () => {
    for (const regex of INVALID_REGEXES) {
      await assert.rejects(
        store.scans.phraseSeries(
          HOSTILE_RUN_IDS[0]!,
          { regex },
          {
            window: WINDOW,
            recentWindow: 10,
            threshold: 2,
            eventSessions: [],
            after: 5,
            around: 2,
            stopGap: 5,
            maxEpisodes: 5,
          },
        ),
        (err) => err instanceof InputError && err.field === '--regex',
        regex,
      );
    }
  });

  test('behaviour targets with hostile categories, phrases and regexes bind as values; a bad regex is an InputError', async () => {
    const run = HOSTILE_RUN_IDS[3]!;
    const targets: BehaviourTarget[] = [
      ...HOSTILE_TEXTS.map((category) => ({ kind: 'category' as const, category })),
      ...HOSTILE_PHRASES.map((phrase) => ({ kind: 'phrase' as const, phrase })),
      ...VALID_HOSTILE_REGEXES.map((regex) => ({ kind: 'regex' as const, regex })),
    ];
    for (const target of targets) {
      const bins = await store.scans.behaviourBins(run, { target, anchor: 0, binSize: 10, from: 1, to: 40 });
      assert.equal(
        bins.reduce((a, b) => a + b.sessions, 0),
        40,
      );
      await store.scans.behaviourOccurrence(run, target);
    }
    const category = await store.scans.behaviourOccurrence(run, {
      kind: 'category',
      category: HOSTILE_TEXTS[0]!,
    });
    assert.ok(category.hits > 0, 'the stored hostile category is found by its own text');
    for (const regex of INVALID_REGEXES) {
      await assert.rejects(
        store.scans.behaviourOccurrence(run, { kind: 'regex', regex }),
        (err) => err instanceof InputError && err.field === 'regex',
      );
    }
  });

  test('hostile detector patterns and categories, and a pattern only RE2 refuses, are handled as input', async () => {
    const run = HOSTILE_RUN_IDS[4]!;
    const rules = [
      { id: 'q', category: HOSTILE_TEXTS[0]!, pattern: "'; drop table", caseSensitive: false },
      { id: 'p', category: '$1', pattern: '\\$1', caseSensitive: true },
    ];
    const counts = await store.scans.detectorWindowCounts(run, WINDOW, rules, 3);
    assert.ok(counts.reduce((a, w) => a + w.matched, 0) > 0);
    assert.deepEqual(
      counts[0]?.byCategory.map((c) => c.category),
      [HOSTILE_TEXTS[0], '$1'],
    );
    await store.scans.detectorConfusion(run, rules);
    await assert.rejects(
      store.scans.detectorWindowCounts(run, WINDOW, [
        { id: 'big', category: 'c', pattern: 'a{1001}', caseSensitive: false },
      ]),
      (err) => err instanceof InputError && err.field === 'rules.0.pattern' && /rule 'big'/.test(err.message),
    );
  });

  test('hostile lexicon words and annotation texts go through the annotation feature scan', async () => {
    const r = await store.scans.annotationFeatures(HOSTILE_RUN_IDS[5]!, {
      lexicon: { firstPerson: ["i'", '$1', 'i'], affect: ["'; drop", '?'] },
      lengthZ: 3,
      standardFieldShare: 0.5,
      limit: 50,
      textChars: 100,
    });
    assert.ok(r.profiles.some((p) => p.author === HOSTILE_TEXTS[3]));
    assert.ok(r.candidatesTotal > 0);
  });

  test('audit tracking stores hostile runs, templates, configs and errors as values', async () => {
    const run = HOSTILE_RUN_IDS[6]!;
    const id = await store.audits.beginAudit({
      run,
      template: HOSTILE_TEXTS[0]!,
      configHash: HOSTILE_TEXTS[3]!,
      config: { q: HOSTILE_TEXTS[1], nul: 'a\u0000b' },
      sectionIds: [HOSTILE_TEXTS[2]!, HOSTILE_TEXTS[4]!],
    });
    await store.audits.markSection(id, HOSTILE_TEXTS[2]!, { status: 'failed', error: HOSTILE_TEXTS[9]! });
    await store.audits.finishAudit(id, 'failed', { text: HOSTILE_TEXTS[16] });
    const [a] = await store.audits.listAudits(run);
    assert.equal(a?.template, HOSTILE_TEXTS[0]);
    assert.equal(a?.sections[0]?.error, HOSTILE_TEXTS[9]);
    assert.equal(a?.sections[1]?.status, 'pending');
    assert.deepEqual(await store.audits.auditReport(id), { text: HOSTILE_TEXTS[16] });
    assert.equal((await store.audits.latestAudit(run, HOSTILE_TEXTS[3]!))?.auditId, id);
    assert.deepEqual(await store.audits.listAudits(HOSTILE_TEXTS[0]!), []);
  });

  test('a hostile --run on ingest names the run exactly as given, and only that run gets the rows', async () => {
    for (const run of ["z';--", `${HOSTILE_RUN_IDS[0]!}-forced`, `${HOSTILE_RUN_IDS[5]!}-forced`]) {
      const s = await ingestRecords(store, victimRun('ignored', 3), { name: 'x.jsonl', run });
      assert.deepEqual([s.run, s.accepted, s.rejected], [run, 6, 0]);
      assert.equal((await store.listSessions({ run })).length, 3);
    }
    assert.equal(await store.hasRun('ignored'), false);
    // a --run that breaks the run-id rule (whitespace, `..`) is refused before anything is written
    for (const run of [HOSTILE_TEXTS[0]!, '..']) {
      await assert.rejects(
        ingestRecords(store, victimRun('ignored', 1), { name: 'x.jsonl', run }),
        /--run: expected/,
      );
    }
    assert.equal(await store.hasRun('ignored'), false);
  });

  test('afterwards every table still exists and the victim run is exactly as it was', async () => {
    const present = await tables();
    for (const t of TABLES) assert.ok(present.includes(t), `table ${t} exists`);
    assert.deepEqual(await victimSnapshot(), victimBefore);
  });
});

function hostileRunOutputs(run: string): string[] {
  return (hostileRun(run) as { type: string; output?: string }[])
    .filter((r) => r.type === 'session')
    .map((r) => r.output ?? '');
}
