import { type FileHandle, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LedgerBatch } from './reward-ledger.ts';

/**
 * The reward service's write-ahead journal (docs/integrations.md, "Durable"): the sessions and events of a
 * group of batches are appended to a file beside the database as one JSON line and `fdatasync`ed before the
 * service answers; the service then moves them into the database in larger transactions behind the answers.
 * An acknowledged batch is therefore on disk when its answer leaves (in the journal, the database, or both),
 * and the store's own transaction cost (a DuckDB COMMIT of a few hundred rows costs ~12 ms, most of it its
 * write-ahead log's flush) is paid once per many batches instead of once per answer.
 *
 * Two files (`<db>.reward-journal-0`, `-1`) take turns so that the journal never grows without bound under
 * sustained load: the active one takes the appends until it is over `switchBytes`; it is then left, and
 * truncated once every line of it is in the database (`release`), while the other takes the appends. A file
 * with nothing unflushed is truncated at once. A line is complete or torn; a torn line can only be the last one
 * written before a crash, whose `fdatasync` never returned, so it was never acknowledged and is ignored.
 */

/** One journal line: a group of batches, as the ledger appends it. */
export type JournalEntry = LedgerBatch;

/** The journal's files for a database file. */
export function journalPaths(dbPath: string): readonly [string, string] {
  return [`${dbPath}.reward-journal-0`, `${dbPath}.reward-journal-1`];
}

/** Appends of at most this many bytes make a file switch when it is over (default 32 MiB). */
const SWITCH_BYTES = 32 * 1024 * 1024;

export class RewardJournal {
  readonly #files: FileHandle[];
  readonly #offset = [0, 0];
  /** Lines of each file not yet in the database. */
  readonly #unflushed = [0, 0];
  #active = 0;
  /** Appends called and not yet written. */
  #queued = 0;
  #tail: Promise<unknown> = Promise.resolve();
  readonly #switchBytes: number;

  private constructor(files: FileHandle[], switchBytes: number) {
    this.#files = files;
    this.#switchBytes = switchBytes;
  }

  /** Opens (creating) both files, empty: call after `readJournal` has recovered what they held. */
  static async open(dbPath: string, options: { readonly switchBytes?: number } = {}): Promise<RewardJournal> {
    const files: FileHandle[] = [];
    for (const p of journalPaths(dbPath)) {
      const f = await open(p, 'w');
      await f.datasync();
      files.push(f);
    }
    // the files' directory entries are durable before any answer relies on them
    const dir = await open(dirname(journalPaths(dbPath)[0]), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return new RewardJournal(files, options.switchBytes ?? SWITCH_BYTES);
  }

  /** Runs `op` after every operation queued before it (writes and truncations never interleave). */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(op);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Appends one entry and flushes it to the disk; resolves with the file it went to (pass it to `release` once
   * the entry is in the database). Rejects when the write fails: then nothing of the entry counts as written.
   */
  append(entry: JournalEntry): Promise<number> {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    this.#queued++;
    return this.#serial(async () => {
      this.#queued--;
      const other = 1 - this.#active;
      if (
        this.#offset[this.#active]! >= this.#switchBytes &&
        this.#unflushed[other] === 0 &&
        this.#offset[other] === 0
      ) {
        this.#active = other;
      }
      const file = this.#active;
      const at = this.#offset[file]!;
      const f = this.#files[file]!;
      try {
        await f.write(line, 0, line.length, at);
        await f.datasync();
      } catch (err) {
        // the torn bytes past `at` are overwritten by the next append (and ignored by a reader: not a line)
        await f.truncate(at).catch(() => undefined);
        throw err;
      }
      this.#offset[file] = at + line.length;
      this.#unflushed[file]!++;
      return file;
    });
  }

  /** Says that an entry appended to `file` is now in the database; a file with nothing left is truncated. */
  release(file: number): void {
    this.#unflushed[file]!--;
    if (this.#unflushed[file] !== 0) return;
    void this.#serial(async () => {
      // checked again when it runs: an append queued meanwhile may be going to this file
      if (this.#unflushed[file] !== 0 || (file === this.#active && this.#queued > 0)) return;
      if (this.#offset[file] === 0) return;
      await this.#files[file]!.truncate(0);
      this.#offset[file] = 0;
    });
  }

  /** Bytes in the journal's files now. */
  get bytes(): number {
    return this.#offset[0]! + this.#offset[1]!;
  }

  /** Lines written and not yet released. */
  get unflushed(): number {
    return this.#unflushed[0]! + this.#unflushed[1]!;
  }

  /** Waits for queued operations, then closes the files (they are left as they are). */
  async close(): Promise<void> {
    await this.#serial(async () => undefined);
    for (const f of this.#files) await f.close();
  }
}

/**
 * Every complete entry of a database's journal files, ordered by their first session (a file may be missing:
 * nothing to recover). A line that is not complete JSON is the torn last write of a crash and is skipped.
 */
export async function readJournal(dbPath: string): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  for (const p of journalPaths(dbPath)) {
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        // a torn line: its fdatasync never returned, so it was never acknowledged
      }
    }
  }
  const first = (e: JournalEntry) => e.sessions[0]?.record.session ?? Number.POSITIVE_INFINITY;
  return entries.sort((a, b) => first(a) - first(b));
}

/** What a database's left-over journal held that the database did not: moved in by a writing open. */
export interface JournalRecovery {
  /** Journal lines (groups of batches) moved in. */
  readonly entries: number;
  /** Acknowledged sessions moved in. */
  readonly sessions: number;
  /** Calibration events moved in with them. */
  readonly events: number;
  /** Lines already in the database (the killed service had moved them before it died): skipped. */
  readonly alreadyStored: number;
}

/**
 * The entries of a journal that the database does not hold, in session order: an entry is stored whole or not
 * at all (one transaction), so its first session tells; `lastSession` gives a run's last stored session.
 */
export async function unstoredEntries(
  entries: readonly JournalEntry[],
  lastSession: (run: string) => Promise<number | null>,
): Promise<JournalEntry[]> {
  const last = new Map<string, number>();
  const missing: JournalEntry[] = [];
  for (const e of entries) {
    const first = e.sessions[0];
    if (first === undefined) continue;
    if (!last.has(first.run)) last.set(first.run, (await lastSession(first.run)) ?? 0);
    if (first.record.session > last.get(first.run)!) missing.push(e);
  }
  return missing;
}

/**
 * Removes a database's journal files once everything in them is in the database, and makes the removal
 * durable; says whether there was any file.
 */
export async function removeJournal(dbPath: string): Promise<boolean> {
  let found = false;
  for (const p of journalPaths(dbPath)) {
    try {
      await rm(p);
      found = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  if (found) {
    const dir = await open(dirname(dbPath), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
  return found;
}
