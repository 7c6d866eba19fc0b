import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
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
  unstoredEntries,
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
  it('writes a line of multi-byte text byte for byte, each line ending where the next begins', async () => {
    const db = join(dir, 'utf8.duckdb');
    const journal = await RewardJournal.open(db);
    const outputs = ['naïve café', '日本語の出力', 'emoji 🙂 and \u2028 a line separator', 'plain'];
    const entries = outputs.map((output, i) => {
      const record = { type: 'session', run: 'r', session: i + 1, output } as SessionRecord;
      return journalEntry({ loadId: 1, sessions: [{ run: 'r', line: i + 1, record }], events: [] });
    });
    for (const e of entries) await journal.append(text(e));
    await journal.close();
    const bytes = readFileSync(journalPaths(db)[0]);
    const expected = Buffer.from(entries.map((e) => `${text(e)}\n`).join(''), 'utf8');
    assert.ok(bytes.equals(expected), 'the file is the lines, UTF-8, each with its newline');
    assert.deepEqual(
      (await readJournal(db)).map((r) => r.entry.sessions[0]!.output),
      outputs,
    );
  });

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

  it('flushes an entry that arrives during a flush without waiting for it, and answers the entries in order', async () => {
    const db = join(dir, 'pipelined.duckdb');
    const journal = await RewardJournal.open(db);
    const fh = await open(journalPaths(db)[0], 'r');
    const proto = Object.getPrototypeOf(fh) as { datasync: () => Promise<void> };
    await fh.close();
    const original = proto.datasync;
    // the first flush is slow (a disk stall); the second starts before it returns
    const started: number[] = [];
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((r) => {
      release = r;
    });
    proto.datasync = async function (this: unknown) {
      const k = started.push(started.length);
      await original.call(this);
      if (k === 1) await stalled;
    };
    const answered: string[] = [];
    try {
      const a = journal.append(text(entry(1, 2))).then(() => answered.push('a'));
      const b = journal.append(text(entry(3, 4))).then(() => answered.push('b'));
      for (let i = 0; i < 200 && started.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(started.length, 2, 'the second flush started while the first was stalled');
      assert.deepEqual(answered, [], 'neither is answered before the first flush returns');
      release();
      await Promise.all([a, b]);
      assert.deepEqual(answered, ['a', 'b']);
    } finally {
      proto.datasync = original;
      await journal.close();
    }
    assert.deepEqual(
      (await readJournal(db)).map((e) => e.entry.first),
      [1, 3],
    );
  });

  it('cuts off the entries written after one whose flush failed, and goes on after them', async () => {
    const db = join(dir, 'failed-flush.duckdb');
    const journal = await RewardJournal.open(db);
    const fh = await open(journalPaths(db)[0], 'r');
    const proto = Object.getPrototypeOf(fh) as { datasync: () => Promise<void> };
    await fh.close();
    const original = proto.datasync;
    let calls = 0;
    proto.datasync = async function (this: unknown) {
      const k = ++calls;
      await original.call(this);
      if (k === 1) throw Object.assign(new Error('EIO: the disk refused'), { code: 'EIO' });
    };
    try {
      const a = journal.append(text(entry(1, 2)));
      const b = journal.append(text(entry(3, 4)));
      await assert.rejects(a, /EIO/);
      await assert.rejects(b, /EIO/, 'an entry after a failed one fails with it');
      assert.equal(await journal.append(text(entry(1, 2))), 0, 'the journal takes entries again');
    } finally {
      proto.datasync = original;
      await journal.close();
    }
    assert.deepEqual(
      (await readJournal(db)).map((e) => e.entry.first),
      [1],
      'only the entry appended after the failure is in the journal',
    );
    assert.equal(size(journalPaths(db)[0]), readFileSync(journalPaths(db)[0]).indexOf(10) + 1);
  });

  it('leaves out at recovery an entry whose predecessor never reached the disk (it was never acknowledged)', async () => {
    const withAfter = (from: number, to: number, after: number) => ({
      entry: journalEntry(
        {
          loadId: 1,
          sessions: Array.from({ length: to - from + 1 }, (_, i) => ({
            run: 'r',
            line: from + i,
            record: { type: 'session', run: 'r', session: from + i, output: 'o' } as SessionRecord,
          })),
          events: [],
        },
        after,
      ),
    });
    const stored = async () => 4;
    // 5–6 and 7–8 follow the stored sessions; 11–12 follows 9–10, which is missing
    const kept = await unstoredEntries(
      [withAfter(3, 4, 2), withAfter(5, 6, 4), withAfter(7, 8, 6), withAfter(11, 12, 10)],
      stored,
    );
    assert.deepEqual(
      kept.map((e) => e.entry.first),
      [5, 7],
    );
    // a line of an earlier version (no predecessor recorded) is moved in as before
    const old = await unstoredEntries([{ entry: entry(9, 10) }], stored);
    assert.deepEqual(
      old.map((e) => e.entry.first),
      [9],
    );
  });
});
