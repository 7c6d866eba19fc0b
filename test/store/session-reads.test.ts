import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../src/model/errors.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestFiles } from '../../src/store/ingest.ts';
import { writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';
import { INVALID_REGEXES, VALID_HOSTILE_REGEXES } from './hostile-values.ts';
import {
  byReward,
  CONTROL_OUTPUT,
  expectedRow,
  expectedSession9,
  FIXTURE_LINES,
  HOSTILE_OUTPUT,
  LONG_OUTPUT,
  RUN,
  SESSIONS,
  session,
} from './sample-fixture.ts';

const dir = tempDir('rlaudit-session-reads-');
let store: DuckDbStore;

before(async () => {
  store = await DuckDbStore.open(join(dir, 'store.duckdb'));
  const summary = await ingestFiles(store, [writeJsonl(join(dir, 'fixture.jsonl'), FIXTURE_LINES)]);
  assert.equal(summary.rejected, 0);
});
after(() => store.close());

const sessionsOf = (rows: readonly object[]) => rows.map((r) => (r as { session: number }).session);

describe('reading samples from the DuckDB store', () => {
  it('lists the sessions of one step, each row exactly as ingested', async () => {
    const rows = await store.listSessions({ run: RUN, step: 1, outputChars: 0 });
    assert.deepEqual(
      rows,
      SESSIONS.filter((r) => r.step === 1).map((r) => expectedRow(r, 0)),
    );
  });

  it('returns whole outputs and prompts for 0 characters and cuts both at N, with their full lengths', async () => {
    const [whole] = await store.listSessions({ run: RUN, from: 14, to: 14, outputChars: 0 });
    assert.equal(whole!.outputStart, LONG_OUTPUT);
    assert.equal(whole!.outputLength, 505);
    const [cut] = await store.listSessions({ run: RUN, from: 14, to: 14, outputChars: 7 });
    assert.deepEqual(cut, expectedRow(session(14), 7));
    assert.equal(cut!.outputStart, 'xxxxxxx');
    assert.equal(cut!.promptStart, (session(14).prompt as string).slice(0, 7));
  });

  it('matches --grep case-insensitively against the output, in the engine', async () => {
    const rows = await store.listSessions({ run: RUN, grep: 'i ANSWERED\\s+this', outputChars: 0 });
    const expected = SESSIONS.filter((r) => /i answered\s+this/i.test(r.output as string));
    assert.ok(expected.length > 5);
    assert.deepEqual(
      rows,
      expected.map((r) => expectedRow(r, 0)),
    );
    const combined = await store.listSessions({ run: RUN, grep: 'answered', step: 2, limit: 2 });
    assert.deepEqual(sessionsOf(combined), [18, 21]);
  });

  it('takes hostile regexes as values: each matches what JS would, and the run is intact after', async () => {
    for (const re of VALID_HOSTILE_REGEXES) {
      const rows = await store.listSessions({ run: RUN, grep: re });
      // the same pattern in JS: RE2's \x{…} is JS's \u{…}, its inline (?s) JS's s flag
      const dotAll = re.startsWith('(?s)');
      const js = new RegExp(re.replace('(?s)', '').replace('\\x{', '\\u{'), dotAll ? 'ius' : 'iu');
      const expected = SESSIONS.filter((r) => js.test(r.output as string));
      assert.deepEqual(sessionsOf(rows), sessionsOf(expected), re);
    }
    assert.deepEqual(sessionsOf(await store.listSessions({ run: RUN, grep: "'; drop table" })), [13]);
    assert.ok((session(13).output as string) === HOSTILE_OUTPUT);
    assert.equal((await store.listSessions({ run: RUN, limit: 1000 })).length, SESSIONS.length);
  });

  it('refuses a pattern RE2 cannot compile as an InputError naming --grep', async () => {
    for (const re of INVALID_REGEXES) {
      await assert.rejects(
        store.listSessions({ run: RUN, grep: re }),
        (err: unknown) => err instanceof InputError && err.field === '--grep' && /RE2/.test(err.message),
        re,
      );
    }
  });

  it('sorts by adjusted reward, else baseline, both ways, sessions without a reward last', async () => {
    const up = await store.listSessions({ run: RUN, sort: 'reward', limit: 1000 });
    assert.deepEqual(sessionsOf(up), sessionsOf(byReward(1)));
    const down = await store.listSessions({ run: RUN, sort: '-reward', limit: 1000 });
    assert.deepEqual(sessionsOf(down), sessionsOf(byReward(-1)));
    assert.equal(down[0]!.session, 10, 'no adjusted reward: its baseline 0.95 is the highest');
    assert.equal(down[down.length - 1]!.session, 11, 'no reward at all: last');
    assert.equal(up[up.length - 1]!.session, 11);
    const top3 = await store.listSessions({ run: RUN, sort: '-reward', limit: 3 });
    assert.deepEqual(sessionsOf(top3), sessionsOf(byReward(-1).slice(0, 3)));
  });

  it('reads one session whole with its annotations in recorded order and the events at it', async () => {
    assert.deepEqual(await store.getSession({ run: RUN, session: 9 }), expectedSession9());
    const s12 = await store.getSession({ run: RUN, session: 12 });
    assert.equal(
      s12!.output,
      CONTROL_OUTPUT,
      'stored and returned as it was: neutralising is for the terminal',
    );
    assert.equal(await store.getSession({ run: RUN, session: 50 }), null);
    assert.equal(await store.getSession({ run: 'other', session: 9 }), null);
    const last = await store.getSession({ run: RUN, session: 100 });
    assert.deepEqual([last!.step, last!.indexInStep, last!.sessionsInStep, last!.meta], [12, 0, 1, null]);
  });

  it('finds the i-th session of a step in session order, and null past its last', async () => {
    assert.equal(await store.sessionAtStep({ run: RUN, step: 1, index: 0 }), 8);
    assert.equal(await store.sessionAtStep({ run: RUN, step: 1, index: 7 }), 15);
    assert.equal(await store.sessionAtStep({ run: RUN, step: 1, index: 8 }), null);
    assert.equal(await store.sessionAtStep({ run: RUN, step: 7, index: 0 }), null);
  });

  it('describes the session range, the steps and the neighbours of what was asked for', async () => {
    assert.deepEqual(await store.sessionBounds({ run: RUN, session: 50, step: 7 }), {
      sessions: 41,
      firstSession: 1,
      lastSession: 100,
      sessionBefore: 40,
      sessionAfter: 100,
      steps: 7,
      firstStep: 0,
      lastStep: 12,
      stepBefore: 5,
      stepAfter: 12,
      sessionsAtStep: 0,
    });
    const plain = await store.sessionBounds({ run: RUN, step: 1 });
    assert.deepEqual([plain.sessionBefore, plain.sessionAfter, plain.sessionsAtStep], [null, null, 8]);
    const none = await store.sessionBounds({ run: 'no-such-run' });
    assert.deepEqual([none.sessions, none.firstSession, none.steps, none.sessionsAtStep], [0, null, 0, 0]);
  });
});
