import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SessionRecord } from '../../src/model/schema.ts';
import {
  type JournalEntry,
  journalEntry,
  journaledText,
  journalPaths,
  RewardJournal,
  readJournal,
} from '../../src/store/reward-journal.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();

/** A journal entry of sessions `from`…`to` of run `r`, as the reward service appends one. */
function entry(from: number, to: number, loadId = 1): JournalEntry {
  const sessions = [];
  for (let s = from; s <= to; s++) {
    const record = { type: 'session', run: 'r', session: s, output: `out ${s}` } as SessionRecord;
    sessions.push({ run: 'r', line: s, record });
  }
  return journalEntry({ loadId, sessions, events: [] });
}
const text = (e: JournalEntry) => journaledText(e).text;

const size = (p: string) => statSync(p).size;

describe('the reward journal', () => {
  it('reads back every appended entry in session order, skipping a torn last line', async () => {
    const db = join(dir, 'read.duckdb');
    const journal = await RewardJournal.open(db, { switchBytes: 1 });
    assert.equal(await journal.append(text(entry(1, 3))), 0);
    assert.equal(
      await journal.append(text(entry(4, 5))),
      1,
      'the first file is over its size: the other takes over',
    );
    assert.equal(
      await journal.append(text(entry(6, 6))),
      1,
      'the first still holds an unflushed entry: no switch',
    );
    await journal.close();
    // a crash in the middle of a write leaves a line without its end
    appendFileSync(journalPaths(db)[1], '{"loadId":1,"sessions":[{"run":"r","li');
    const read = await readJournal(db);
    assert.deepEqual(
      read.map((e) => e.entry.sessions.map((s) => s.session)),
      [[1, 2, 3], [4, 5], [6]],
    );
    assert.deepEqual(read[0], { entry: entry(1, 3), text: text(entry(1, 3)) });
  });

  it('empties a file once every entry in it is released, and a missing journal reads as empty', async () => {
    const db = join(dir, 'release.duckdb');
    assert.deepEqual(await readJournal(db), []);
    const journal = await RewardJournal.open(db, { switchBytes: 1 });
    const [p0, p1] = journalPaths(db);
    const f1 = await journal.append(text(entry(1, 2)));
    const f2 = await journal.append(text(entry(3, 4)));
    assert.deepEqual([f1, f2], [0, 1]);
    assert.ok(size(p0) > 0 && size(p1) > 0);
    journal.release(f1);
    // queued after the truncation: the emptied first file takes over again (the second is over its size)
    const f3 = await journal.append(text(entry(5, 5)));
    assert.equal(f3, 0);
    assert.equal(readFileSync(p0, 'utf8').split('\n').length, 2, 'the emptied file holds the new entry only');
    assert.equal(journal.unflushed, 2);
    journal.release(f2);
    journal.release(f3);
    await journal.close();
    assert.deepEqual([size(p0), size(p1)], [0, 0], 'every file, all released and nothing queued, is emptied');
    assert.deepEqual(await readJournal(db), []);
  });
});
