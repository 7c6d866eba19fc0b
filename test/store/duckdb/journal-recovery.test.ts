import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../../../src/model/errors.ts';
import type { SessionRecord } from '../../../src/model/schema.ts';
import { DuckDbRewardLedger } from '../../../src/store/duckdb/duckdb-reward-ledger.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import {
  journalEntry,
  journaledText,
  journalPaths,
  RewardJournal,
  readJournal,
} from '../../../src/store/reward-journal.ts';
import type { LedgerBatch } from '../../../src/store/reward-ledger.ts';
import { rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { sql } from '../../../src/store/sql/sql.ts';
import { tempDir } from '../../util/tmp.ts';

const dir = tempDir();
const CHILD = fileURLToPath(new URL('./journal-kill-child.ts', import.meta.url));

const CountsRow = rowDecoder(
  'testLoadCounts',
  z.object({
    load_id: z.coerce.number(),
    status: z.string(),
    read: z.coerce.number().nullable(),
    accepted: z.coerce.number().nullable(),
    rejected: z.coerce.number().nullable(),
    duplicates: z.coerce.number().nullable(),
    stored: z.coerce.number(),
  }),
);

/** Every load of a database with its counts and the rows (sessions + events) of it actually stored. */
async function loads(store: DuckDbStore) {
  return store.client.query(
    sql`SELECT l.load_id, l.status, l.read, l.accepted, l.rejected, l.duplicates,
               (SELECT count(*) FROM sessions s WHERE s.load_id = l.load_id)
                 + (SELECT count(*) FROM events e WHERE e.load_id = l.load_id) AS stored
          FROM loads l ORDER BY l.load_id`,
    CountsRow,
  );
}

const SessionsRow = rowDecoder(
  'testSessionCount',
  z.object({ n: z.coerce.number(), distinct_n: z.coerce.number() }),
);
async function sessionCount(store: DuckDbStore, run: string) {
  const [row] = await store.client.query(
    sql`SELECT count(*) AS n, count(DISTINCT session) AS distinct_n FROM sessions WHERE run = ${run}`,
    SessionsRow,
  );
  return row!;
}

/** Runs `fn` with stderr captured; resolves with what it wrote there. */
async function stderrOf(fn: () => Promise<void>): Promise<string> {
  const write = process.stderr.write.bind(process.stderr);
  let out = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = write;
  }
  return out;
}

/** Starts the killed-service child, waits for its `acked N`, then SIGKILLs it; resolves with N. */
function ackThenKill(db: string, run: string, batches: number, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, db, run, String(batches), String(size)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /acked (\d+)/.exec(out);
      if (m) {
        child.kill('SIGKILL');
        child.once('exit', () => resolve(Number(m[1])));
      }
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL')
        reject(new Error(`child exited with ${code} before acknowledging: ${err}${out}`));
    });
  });
}

/** A group of sessions `from`…`to` of run `run` for load `loadId`, as the reward service journals one. */
function batch(run: string, from: number, to: number, loadId: number): LedgerBatch {
  const sessions = [];
  for (let s = from; s <= to; s++) {
    const record = {
      type: 'session',
      run,
      session: s,
      output: `out ${s}`,
      classification: 'compliant',
      baseline_reward: 0.5,
      adjusted_reward: 0.5,
    } as SessionRecord;
    sessions.push({ run, line: s, record });
  }
  return { loadId, sessions, events: [] };
}

describe('recovery of the reward journal when a database is opened', () => {
  it('moves what a service killed between its journal write and the move acknowledged into the database, once', async () => {
    const db = join(dir, 'killed.duckdb');
    const acked = await ackThenKill(db, 'live', 3, 100);
    assert.equal(acked, 300);
    assert.equal(
      (await readJournal(db)).flatMap((e) => e.entry.sessions).length,
      300,
      'the journal holds them',
    );

    // a read-only open cannot move them: it says so on stderr, and leaves the journal as it is
    const warned = await stderrOf(async () => {
      const ro = await DuckDbStore.open(db, { readOnly: true });
      assert.equal((await sessionCount(ro, 'live')).n, 0);
      await ro.close();
    });
    assert.match(warned, /warning: 300 session\(s\) a reward service acknowledged are still in its journal/);
    assert.match(warned, /rlaudit serve-reward, ingest, calibrate or audit/);
    assert.ok(existsSync(journalPaths(db)[0]));

    // the next writing open (any command's) moves them in before anything else, with the killed load's counts
    const store = await DuckDbStore.open(db);
    assert.equal(store.journalRecovery?.sessions, 300);
    assert.equal(store.journalRecovery?.alreadyStored, 0);
    assert.deepEqual(await sessionCount(store, 'live'), { n: 300, distinct_n: 300 });
    const [killed] = await loads(store);
    assert.equal(killed!.status, 'interrupted');
    assert.equal(killed!.accepted, killed!.stored, 'the load counts every row of it that is stored');
    assert.ok(killed!.stored >= 300);
    assert.equal(killed!.read, killed!.accepted! + killed!.rejected! + killed!.duplicates!);
    await store.close();
    assert.ok(!existsSync(journalPaths(db)[0]) && !existsSync(journalPaths(db)[1]), 'the journal is gone');

    // exactly once: a later open finds nothing to move, and a read-only one nothing to warn about
    const again = await DuckDbStore.open(db);
    assert.equal(again.journalRecovery, null);
    assert.deepEqual(await sessionCount(again, 'live'), { n: 300, distinct_n: 300 });
    await again.close();
    const quiet = await stderrOf(async () => (await DuckDbStore.open(db, { readOnly: true })).close());
    assert.equal(quiet, '');
  });

  it('skips the entries a crash left in the journal after they were moved, and moves only the rest', async () => {
    const db = join(dir, 'half.duckdb');
    const store = await DuckDbStore.open(db);
    const ingestId = await store.beginIngest('r');
    const loadId = await store.beginLoad({
      ingestId,
      path: 'svc',
      absPath: 'svc',
      format: 'reward-service',
      bytes: 0,
    });
    const journal = await RewardJournal.open(db);
    const batches = [batch('r', 1, 50, loadId), batch('r', 51, 80, loadId), batch('r', 81, 100, loadId)];
    const lines = batches.map((b) => journaledText(journalEntry(b)));
    for (const l of lines) await journal.append(l.text);
    await journal.close();
    // the first entry reached the database before the crash; its journal line was not yet released
    await new DuckDbRewardLedger(store.client).appendJournaled([lines[0]!]);
    await store.close();

    const reopened = await DuckDbStore.open(db);
    assert.deepEqual(reopened.journalRecovery, { entries: 2, sessions: 50, events: 0, alreadyStored: 1 });
    assert.deepEqual(await sessionCount(reopened, 'r'), { n: 100, distinct_n: 100 });
    const [load] = await loads(reopened);
    assert.deepEqual(
      [load!.read, load!.accepted, load!.rejected, load!.duplicates, load!.stored],
      [100, 100, 0, 0, 100],
    );
    await reopened.close();
    assert.deepEqual(await readJournal(db), []);
  });

  it('refuses a journal left beside a new database in place of the one it belongs to, and keeps it', async () => {
    const old = join(dir, 'old.duckdb');
    const acked = await ackThenKill(old, 'live', 1, 50);
    assert.equal(acked, 50);
    // the database is replaced by a new one; the old journal stays beside it
    rmSync(old);
    rmSync(`${old}.wal`, { force: true });
    await assert.rejects(
      DuckDbStore.open(old),
      (err: Error) =>
        err instanceof InputError &&
        /journal beside this database .* does not belong to it: its load 1 is not in the database/.test(
          err.message,
        ) &&
        /move the journal files beside that one, or delete them/.test(err.message),
    );
    assert.equal(
      (await readJournal(old)).flatMap((e) => e.entry.sessions).length,
      50,
      'nothing of it is lost',
    );
  });

  it('removes the empty journal files of a service killed with nothing unmoved, and moves nothing', async () => {
    const db = join(dir, 'empty.duckdb');
    (await DuckDbStore.open(db)).close();
    const journal = await RewardJournal.open(db);
    await journal.close();
    assert.ok(existsSync(journalPaths(db)[0]));
    const store = await DuckDbStore.open(db);
    assert.equal(store.journalRecovery, null);
    await store.close();
    assert.ok(!existsSync(journalPaths(db)[0]) && !existsSync(journalPaths(db)[1]));
  });
});
