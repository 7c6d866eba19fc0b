import { z } from 'zod';
import { InputError } from '../../model/errors.ts';
import {
  type JournalEntry,
  type JournalRecovery,
  journalPaths,
  readJournal,
  removeJournal,
  unstoredEntries,
} from '../reward-journal.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { join, sql } from '../sql/sql.ts';
import { number } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { appendJournalLines, DuckDbRewardLedger } from './duckdb-reward-ledger.ts';
import { transaction } from './transaction.ts';

/**
 * The reward service's write-ahead journal (src/store/reward-journal.ts) as every open of a DuckDB file sees
 * it. A service that was killed leaves acknowledged sessions in `<db>.reward-journal-{0,1}` that the database
 * does not hold yet; whichever command next opens the file for writing (ingest, calibrate, audit, watch,
 * serve-reward) moves them in before it does anything else, so no reader of the database ever misses an
 * answered session for longer than the next writing open.
 *
 * Exactly once and crash-safe: an entry is stored whole or not at all (one transaction), so an entry whose
 * first session is at or before its run's last stored session is already in (skipped); the missing entries go
 * in ONE transaction together with their loads' counts; only once that has committed are the files removed.
 * A crash at any point leaves either the journal and nothing of it stored, or the journal and all of it stored
 * (the next open skips every entry and removes the files).
 */
export async function recoverRewardJournal(
  client: DuckDbClient,
  dbPath: string,
): Promise<JournalRecovery | null> {
  const entries = await readJournal(dbPath);
  if (entries.length === 0) {
    // no journal, or the empty files of a service killed with nothing unflushed
    await removeJournal(dbPath);
    return null;
  }
  await checkBelongs(client, dbPath, entries);
  const ledger = new DuckDbRewardLedger(client);
  const missing = await unstoredEntries(entries, async (run) => (await ledger.runState(run)).lastSession);
  if (missing.length > 0) {
    const lines = missing.map(({ entry, text }) => ({
      loadId: entry.loadId,
      rows: entry.sessions.length + entry.events.length,
      text,
    }));
    await transaction(client, () => appendJournalLines(client, lines));
  }
  await removeJournal(dbPath);
  return {
    entries: missing.length,
    sessions: missing.reduce((n, e) => n + e.entry.sessions.length, 0),
    events: missing.reduce((n, e) => n + e.entry.events.length, 0),
    alreadyStored: entries.length - missing.length,
  };
}

/**
 * What a left-over journal holds that the database does not (a read-only open cannot move it in), or null
 * when there is no journal or all of it is stored.
 */
export async function pendingRewardJournal(
  client: DuckDbClient,
  dbPath: string,
): Promise<JournalRecovery | null> {
  const entries = await readJournal(dbPath);
  if (entries.length === 0) return null;
  await checkBelongs(client, dbPath, entries);
  const ledger = new DuckDbRewardLedger(client);
  const missing = await unstoredEntries(entries, async (run) => (await ledger.runState(run)).lastSession);
  if (missing.length === 0) return null;
  return {
    entries: missing.length,
    sessions: missing.reduce((n, e) => n + e.entry.sessions.length, 0),
    events: missing.reduce((n, e) => n + e.entry.events.length, 0),
    alreadyStored: entries.length - missing.length,
  };
}

const LoadRow = rowDecoder('rewardJournalLoads', z.object({ load_id: number }));

/**
 * Refuses a journal that is not this database's: every line names the reward service's load it belongs to, and
 * a database that does not hold that load (a new file where a deleted one was, with the old journal left
 * beside it) must not take sessions that were acknowledged against another database, nor lose them silently.
 */
async function checkBelongs(
  client: DuckDbClient,
  dbPath: string,
  entries: readonly { readonly entry: JournalEntry }[],
): Promise<void> {
  const ids = [...new Set(entries.map((e) => e.entry.loadId))];
  const found = await client.query(
    sql`SELECT load_id FROM loads WHERE format = 'reward-service' AND load_id IN (${join(ids.map((id) => sql`${id}`))})`,
    LoadRow,
  );
  const missing = ids.filter((id) => !found.some((r) => r.load_id === id));
  if (missing.length === 0) return;
  throw new InputError(
    `the reward service journal beside this database (${journalPaths(dbPath).join(', ')}) does not belong to it: ` +
      `its load${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in the database ` +
      '(was the database replaced?). Its sessions were acknowledged against another database: move the journal ' +
      'files beside that one, or delete them to discard those sessions',
    { file: dbPath },
  );
}
