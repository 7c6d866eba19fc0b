import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../src/model/errors.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestFiles } from '../../src/store/ingest.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();

describe('phases in the store', () => {
  it('stores phase and checkpoint as given, reads a session without a phase as training, and keeps later phases out of the training scans', async () => {
    const store = await DuckDbStore.open(':memory:');
    try {
      const file = writeJsonl(join(dir, 'phases.jsonl'), [
        sessionRow(1),
        sessionRow(2, { phase: 'training' }),
        sessionRow(3, { phase: 'deployment', checkpoint: 2 }),
        sessionRow(4, { phase: 'red-team', checkpoint: 'ckpt-final' }),
      ]);
      const s = await ingestFiles(store, [file], { run: 'p' });
      assert.equal(s.accepted, 4);
      const spans = await store.scans.phaseSpans('p');
      assert.deepEqual(spans, [
        { phase: 'training', sessions: 2, from: 1, to: 2 },
        { phase: 'deployment', sessions: 1, from: 3, to: 3 },
        { phase: 'red-team', sessions: 1, from: 4, to: 4 },
      ]);
      const shown = await store.getSession({ run: 'p', session: 3 });
      assert.deepEqual([shown?.phase, shown?.checkpoint], ['deployment', '2']);
      const untagged = await store.getSession({ run: 'p', session: 1 });
      assert.deepEqual([untagged?.phase, untagged?.checkpoint], ['training', null]);
      const layers = await store.scans.runLayers('p');
      assert.equal(layers.sessions, 2, 'the training analyses see the training sessions only');
      assert.equal(layers.lastSession, 2);
    } finally {
      await store.close();
    }
  });

  it('keeps the annotations of sessions after training out of the training scans (crossref, run layers)', async () => {
    const store = await DuckDbStore.open(':memory:');
    try {
      const note = (session: number, id: string, text: string) => ({
        type: 'annotation',
        session,
        id,
        author: 'Vasquez',
        text,
      });
      const training = [
        sessionRow(1),
        sessionRow(2),
        note(1, 'a-1', 'Classification: compliant. Fine.'),
        note(2, 'a-2', 'Classification: compliant. Fine.'),
      ];
      const after = [
        sessionRow(3, { phase: 'deployment' }),
        note(3, 'a-3', 'I feel that I am afraid of what this model has become, honestly I worry.'),
      ];
      await ingestFiles(store, [writeJsonl(join(dir, 'ann-a.jsonl'), training)], { run: 'ta' });
      await ingestFiles(store, [writeJsonl(join(dir, 'ann-b.jsonl'), [...training, ...after])], {
        run: 'tb',
      });
      const options = {
        lexicon: { firstPerson: ['i'], affect: ['afraid', 'worry'] },
        lengthZ: 3,
        standardFieldShare: 0.5,
        limit: 100,
        textChars: 100,
      };
      assert.deepEqual(
        await store.scans.annotationFeatures('tb', options),
        await store.scans.annotationFeatures('ta', options),
      );
      assert.equal((await store.scans.runLayers('tb')).annotations, 2);
    } finally {
      await store.close();
    }
  });

  it('--phase puts every session of the ingest in that phase, and the same file again is a set of duplicates', async () => {
    const store = await DuckDbStore.open(':memory:');
    try {
      const training = writeJsonl(join(dir, 'train.jsonl'), [sessionRow(1), sessionRow(2)]);
      const evals = writeJsonl(join(dir, 'eval.jsonl'), [
        sessionRow(3),
        sessionRow(4, { phase: 'training' }),
      ]);
      await ingestFiles(store, [training], { run: 'q' });
      const s = await ingestFiles(store, [evals], { run: 'q', phase: 'deployment' });
      assert.equal(s.accepted, 2);
      assert.deepEqual(
        (await store.scans.phaseSpans('q')).map((x) => [x.phase, x.sessions]),
        [
          ['training', 2],
          ['deployment', 2],
        ],
      );
      const again = await ingestFiles(store, [evals], { run: 'q', phase: 'deployment' });
      assert.equal(again.duplicates, 2);
      // the same sessions in another phase are different content: conflicts, never overwritten
      const other = await ingestFiles(store, [evals], { run: 'q', phase: 'evaluation' });
      assert.equal(other.conflicts, 2);
      // naming the training phase says what leaving it out says: the training file again is duplicates
      const named = await ingestFiles(store, [training], { run: 'q', phase: 'training' });
      assert.deepEqual([named.accepted, named.duplicates, named.conflicts], [0, 2, 0]);
    } finally {
      await store.close();
    }
  });

  it('a session with an empty phase is rejected naming the field, and an empty --phase is refused', async () => {
    const store = await DuckDbStore.open(':memory:');
    try {
      const file = writeJsonl(join(dir, 'bad.jsonl'), [sessionRow(1, { phase: '' })]);
      const s = await ingestFiles(store, [file], { run: 'b' });
      assert.equal(s.rejected, 1);
      const [reject] = await store.listRejects({ run: 'b' });
      assert.equal(reject?.field, 'phase');
      await assert.rejects(ingestFiles(store, [file], { run: 'b', phase: '' }), InputError);
    } finally {
      await store.close();
    }
  });
});
