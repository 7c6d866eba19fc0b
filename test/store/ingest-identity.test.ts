import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestFiles } from '../../src/store/ingest.ts';
import { writeJsonl } from '../fixtures/importers/build.ts';
import { verlStepRows } from '../fixtures/importers/trainer-dirs.ts';
import { tempDir } from '../util/tmp.ts';

// The identity of an importer's session is (step, index within step), stored with it: a row rejected at its
// first ingest leaves its index unused, and the corrected file fills exactly that gap.

async function outputs(store: DuckDbStore, run: string, upTo: number): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let s = 1; s <= upTo; s++) out.push((await store.getSession({ run, session: s }))?.output ?? null);
  return out;
}

test('a corrected file after a rejected row stores that row once and matches every other row', async () => {
  const dir = tempDir();
  const store = await DuckDbStore.open(join(dir, 'x.duckdb'));
  try {
    mkdirSync(join(dir, 'bad'));
    mkdirSync(join(dir, 'good'));
    const rows = verlStepRows(1, 4);
    const bad = rows.map((r, i) => (i === 1 ? { ...r, score: 'oops' } : r));
    const first = await ingestFiles(store, [writeJsonl(join(dir, 'bad', '1.jsonl'), bad)], { run: 'ppo' });
    assert.deepEqual([first.read, first.accepted, first.rejected], [4, 3, 1]);
    const fixed = await ingestFiles(store, [writeJsonl(join(dir, 'good', '1.jsonl'), rows)], { run: 'ppo' });
    assert.deepEqual(
      [fixed.read, fixed.accepted, fixed.duplicates, fixed.conflicts],
      [4, 1, 3, 0],
      'the corrected row is new, the other three are duplicates',
    );
    // rows 0, 2, 3 kept their sessions; the corrected row 1 was appended after them, once
    assert.deepEqual(await outputs(store, 'ppo', 5), [
      'verl step 1 row 0',
      null,
      'verl step 1 row 2',
      'verl step 1 row 3',
      'verl step 1 row 1',
    ]);
    // show --step 1 --index I names the session of identity (1, I), the same one a re-ingest matches
    for (const [index, session] of [
      [0, 1],
      [1, 5],
      [2, 3],
      [3, 4],
    ] as const) {
      assert.equal(await store.sessionAtStep({ run: 'ppo', step: 1, index }), session, `index ${index}`);
      assert.equal(
        (await store.getSession({ run: 'ppo', session }))?.indexInStep,
        index,
        `session ${session}`,
      );
    }
    const again = await ingestFiles(store, [writeJsonl(join(dir, 'good', '1.jsonl'), rows)], { run: 'ppo' });
    assert.deepEqual(
      [again.read, again.accepted, again.duplicates],
      [4, 0, 4],
      'a third ingest adds nothing',
    );
  } finally {
    await store.close();
  }
});

test('the index within the step is kept in the session meta', async () => {
  const dir = tempDir();
  const store = await DuckDbStore.open(join(dir, 'x.duckdb'));
  try {
    const f = writeJsonl(join(dir, '1.jsonl'), verlStepRows(1, 2));
    await ingestFiles(store, [f], { run: 'ppo' });
    const s = await store.getSession({ run: 'ppo', session: 2 });
    assert.equal(s?.meta?.rlaudit_index_in_step, 1);
  } finally {
    await store.close();
  }
});
