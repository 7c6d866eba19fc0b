import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { type IngestSummary, ingestFiles, ingestRecords } from '../../../src/store/ingest.ts';
import type { Store } from '../../../src/store/store.ts';
import { writeJsonl } from '../../fixtures/importers/build.ts';
import { verlStepRows, writeVerlStep } from '../../fixtures/importers/trainer-dirs.ts';
import { tempDir } from '../../util/tmp.ts';

const dir = tempDir();
let n = 0;
const fresh = () => DuckDbStore.open(join(dir, `db-${++n}.duckdb`));

function reconciles(s: IngestSummary): void {
  assert.equal(s.read, s.accepted + s.rejected + s.duplicates, 'read = accepted + rejected + duplicates');
}

/** (sessions, distinct steps, first session, last session) of a run, as the store reports them. */
async function shape(store: Store, run: string): Promise<[number, number, number | null, number | null]> {
  const b = await store.sessionBounds({ run });
  return [b.sessions, b.steps, b.firstSession, b.lastSession];
}

describe('session identity (step, index within step): step files ingested one command at a time', () => {
  it('append each new step after the stored sessions, and re-ingesting any of them adds nothing', async () => {
    const store = await fresh();
    const dump = join(dir, 'verl-a');
    const files = [1, 2, 3].map((s) => writeVerlStep(dump, s, 4));
    const expected: [number, number, number, number][] = [
      [4, 1, 1, 4],
      [8, 2, 1, 8],
      [12, 3, 1, 12],
    ];
    for (const [k, file] of files.entries()) {
      const s = await ingestFiles(store, [file], { run: 'ppo' });
      reconciles(s);
      assert.deepEqual([s.read, s.accepted, s.duplicates, s.rejected], [4, 4, 0, 0], `step ${k + 1}`);
      assert.deepEqual(await shape(store, 'ppo'), expected[k], `after step ${k + 1}`);
    }
    for (const file of [files[1]!, files[0]!, files[2]!]) {
      const again = await ingestFiles(store, [file], { run: 'ppo' });
      reconciles(again);
      assert.deepEqual([again.accepted, again.duplicates, again.rejected], [0, 4, 0]);
    }
    const all = await ingestFiles(store, files, { run: 'ppo' });
    assert.deepEqual([all.read, all.accepted, all.duplicates], [12, 0, 12]);
    assert.deepEqual(await shape(store, 'ppo'), [12, 3, 1, 12]);

    // spot checks: session 7 is row 2 of step 2, as written in 2.jsonl
    const s7 = await store.getSession({ run: 'ppo', session: 7 });
    const row = verlStepRows(2, 4)[2]!;
    assert.deepEqual(
      [s7?.step, s7?.indexInStep, s7?.prompt, s7?.output, s7?.baselineReward, s7?.promptId],
      [2, 2, row.input, row.output, row.score, row.uid],
    );
    // the identity's index within step 2 (row 2 of the step) is stored with it
    assert.deepEqual(s7?.meta, { gts: '2', rewards: { score: 1, acc: 1 }, rlaudit_index_in_step: 2 });
    const s12 = await store.getSession({ run: 'ppo', session: 12 });
    assert.deepEqual([s12?.step, s12?.output, s12?.baselineReward], [3, 'verl step 3 row 3', 0]);
    assert.equal(await store.sessionAtStep({ run: 'ppo', step: 3, index: 0 }), 9);
    await store.close();
  });

  it('a file of a stored step with other content is rejected as conflicts naming the stored copy', async () => {
    const store = await fresh();
    const stored = writeVerlStep(join(dir, 'verl-b'), 5, 2);
    await ingestFiles(store, [stored], { run: 'r' });
    const other = writeJsonl(
      join(dir, 'other-5.jsonl'),
      verlStepRows(5, 2).map((r) => ({ ...r, output: `${r.output} (rerun)` })),
    );
    const s = await ingestFiles(store, [other], { run: 'r' });
    reconciles(s);
    assert.deepEqual([s.accepted, s.rejected, s.conflicts], [0, 2, 2]);
    const rejects = await store.listRejects({ run: 'r' });
    assert.deepEqual(
      rejects.map((r) => [r.line, r.got, r.conflictWith?.file, r.conflictWith?.line]),
      [
        [1, 'session 1 with different content', resolve(stored), 1],
        [2, 'session 2 with different content', resolve(stored), 2],
      ],
    );
    assert.equal((await store.getSession({ run: 'r', session: 1 }))?.output, 'verl step 5 row 0');
    await store.close();
  });

  it('refuses a step older than the last stored one, keeping nothing of the file, and never renumbers', async () => {
    const store = await fresh();
    const d = join(dir, 'verl-c');
    await ingestFiles(store, [writeVerlStep(d, 2, 3), writeVerlStep(d, 4, 3)], { run: 'r' });
    const late = writeVerlStep(d, 3, 3);
    const s = await ingestFiles(store, [late], { run: 'r' });
    assert.equal(s.accepted, 0);
    assert.equal(s.errors.length, 1);
    assert.match(
      s.errors[0]!,
      /3\.jsonl:1: step: step 3, older than the last step stored in run r \(step 4\): sessions are numbered in step order and stored sessions are never renumbered/,
    );
    assert.match(s.errors[0]!, /--on-restart continue to append them after session 6/);
    assert.deepEqual(await shape(store, 'r'), [6, 2, 1, 6]);
    assert.equal(
      (await store.getSession({ run: 'r', session: 4 }))?.step,
      4,
      'stored sessions keep their numbers',
    );
    await store.close();
  });

  it('with --on-restart continue appends an older step after the last session, warns once, and stays idempotent', async () => {
    const store = await fresh();
    const d = join(dir, 'verl-d');
    await ingestFiles(store, [writeVerlStep(d, 2, 3), writeVerlStep(d, 4, 3)], { run: 'r' });
    const late = writeVerlStep(d, 3, 3);
    const warnings: string[] = [];
    const s = await ingestFiles(store, [late], {
      run: 'r',
      onRestart: 'continue',
      onWarning: (_f, m) => warnings.push(m),
    });
    assert.deepEqual([s.accepted, s.errors], [3, []]);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /line 1: step 3, older than the last step stored in run r \(step 4\): appended after session 6/,
    );
    for (const k of [7, 8, 9]) assert.equal((await store.getSession({ run: 'r', session: k }))?.step, 3);
    const again = await ingestFiles(store, [late], { run: 'r', onRestart: 'continue' });
    assert.deepEqual([again.accepted, again.duplicates], [0, 3]);
    await store.close();
  });

  it('appends more rows of the last stored step, but refuses more rows of an earlier step', async () => {
    const store = await fresh();
    const d = join(dir, 'verl-e');
    await ingestFiles(store, [writeVerlStep(d, 1, 2), writeVerlStep(d, 2, 2)], { run: 'r' });
    // the step file grew (or a second rank's rows of the last step arrived)
    const grown = writeJsonl(join(dir, 'grown-2.jsonl'), verlStepRows(2, 4));
    const s = await ingestFiles(store, [grown], { run: 'r' });
    assert.deepEqual([s.accepted, s.duplicates], [2, 2]);
    assert.deepEqual(await shape(store, 'r'), [6, 2, 1, 6]);
    assert.equal((await store.getSession({ run: 'r', session: 6 }))?.output, 'verl step 2 row 3');
    const grown1 = writeJsonl(join(dir, 'grown-1.jsonl'), verlStepRows(1, 3));
    const refused = await ingestFiles(store, [grown1], { run: 'r' });
    assert.equal(refused.accepted, 0);
    assert.match(refused.errors[0]!, /:3: step: row #3 of step 1, but run r holds 2 sessions of step 1/);
    await store.close();
  });

  it("numbers an importer's sessions after a run's stored record-format sessions", async () => {
    const store = await fresh();
    const records = [1, 2, 3].map((session) => ({
      type: 'session',
      run: 'r',
      session,
      output: `own ${session}`,
    }));
    await ingestRecords(store, records, { name: 'own' });
    const s = await ingestFiles(store, [writeVerlStep(join(dir, 'verl-f'), 1, 2)], { run: 'r' });
    assert.equal(s.accepted, 2);
    assert.deepEqual(await shape(store, 'r'), [5, 1, 1, 5]);
    assert.equal((await store.getSession({ run: 'r', session: 4 }))?.output, 'verl step 1 row 0');
    await store.close();
  });

  it("changes the run's result-cache fingerprint when a step is appended, not when a file is re-ingested", async () => {
    const store = await fresh();
    const d = join(dir, 'verl-g');
    const one = writeVerlStep(d, 1, 2);
    await ingestFiles(store, [one], { run: 'r' });
    const before = await store.results.fingerprint('r');
    await ingestFiles(store, [one], { run: 'r' });
    assert.equal(await store.results.fingerprint('r'), before, 'duplicates only: same content');
    await ingestFiles(store, [writeVerlStep(d, 2, 2)], { run: 'r' });
    assert.notEqual(await store.results.fingerprint('r'), before);
    await store.close();
  });
});
