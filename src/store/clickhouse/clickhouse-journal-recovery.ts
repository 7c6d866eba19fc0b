import { z } from 'zod';
import { InputError } from '../../model/errors.ts';
import {
  type JournalEntry,
  type JournalRecovery,
  journalPaths,
  readJournal,
  removeJournal,
} from '../reward-journal.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { list, sql } from '../sql/sql.ts';
import { ClickHouseRewardLedger } from './clickhouse-reward-ledger.ts';
import type { ClickHouseStore } from './clickhouse-store.ts';
import { int } from './decode.ts';

const LoadRow = rowDecoder('chRewardJournalLoads', z.object({ load_id: int }));

/**
 * The lines of a journal that were acknowledged, in session order: all of them but a line whose predecessor
 * (up to its `after` session) is neither stored nor in the journal — with two flushes in flight a line can
 * reach the disk before the one before it, but it was then never acknowledged (as `unstoredEntries`).
 * Unlike a DuckDB transaction, a ClickHouse write can be cut part-way (sessions in, events not yet), so lines
 * already (partly) stored are kept too: the writer stores only what of them is missing.
 */
export async function acknowledgedEntries<T extends { readonly entry: JournalEntry }>(
  entries: readonly T[],
  lastSession: (run: string) => Promise<number | null>,
): Promise<T[]> {
  const last = new Map<string, number>();
  const kept: T[] = [];
  for (const e of entries) {
    const { run, first, after, sessions } = e.entry;
    if (!last.has(run)) last.set(run, (await lastSession(run)) ?? 0);
    if (typeof after === 'number' && after > last.get(run)!) continue;
    kept.push(e);
    last.set(run, Math.max(last.get(run)!, first, sessions.at(-1)?.session ?? first));
  }
  return kept;
}

/**
 * Moves what a killed reward service left in its journal (`base`: src/store/reward-journal.ts
 * `remoteJournalBase`) into a ClickHouse store, exactly once: every acknowledged line is written again through
 * the store's writer, which stores the rows that are missing and finds the others duplicates; only once that
 * has returned are the journal's files removed. A crash at any point leaves the journal, and the next start
 * does the same again. Refuses a journal whose loads the store does not hold (another store's).
 */
export async function recoverClickHouseJournal(
  store: ClickHouseStore,
  base: string,
): Promise<JournalRecovery | null> {
  const entries = await readJournal(base);
  if (entries.length === 0) {
    await removeJournal(base);
    return null;
  }
  const ids = [...new Set(entries.map((e) => e.entry.loadId))];
  const found = await store.client.query(
    sql`SELECT load_id FROM loads FINAL WHERE format = 'reward-service' AND load_id IN (${list(ids)})`,
    LoadRow,
  );
  const missingLoads = ids.filter((id) => !found.some((r) => r.load_id === id));
  if (missingLoads.length > 0) {
    throw new InputError(
      `the reward service journal ${journalPaths(base).join(', ')} does not belong to ${store.location}: its ` +
        `load${missingLoads.length > 1 ? 's' : ''} ${missingLoads.join(', ')} ${missingLoads.length > 1 ? 'are' : 'is'} ` +
        'not in that store (was it replaced?). Its sessions were acknowledged against another store: serve that ' +
        'store with the same --journal-dir, or delete the files to discard those sessions',
      { file: journalPaths(base)[0] },
    );
  }
  const ledger = new ClickHouseRewardLedger(store);
  const runs = [...new Set(entries.map((e) => e.entry.run))];
  const before = new Map<string, { sessions: number; events: number; last: number | null }>();
  for (const run of runs) {
    const s = await ledger.runState(run);
    before.set(run, { sessions: s.sessions, events: s.events, last: s.lastSession });
  }
  const kept = await acknowledgedEntries(entries, async (run) => before.get(run)!.last);
  await ledger.appendJournaled(
    kept.map(({ entry, text }) => ({
      loadId: entry.loadId,
      rows: entry.sessions.length + entry.events.length,
      text,
    })),
  );
  let sessions = 0;
  let events = 0;
  for (const run of runs) {
    const s = await ledger.runState(run);
    sessions += s.sessions - before.get(run)!.sessions;
    events += s.events - before.get(run)!.events;
  }
  await removeJournal(base);
  const alreadyStored = kept.filter((e) => e.entry.first <= (before.get(e.entry.run)!.last ?? 0)).length;
  return { entries: kept.length - alreadyStored, sessions, events, alreadyStored };
}
