import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EventRecord, SessionRecord } from '../model/schema.ts';
import { stableStringify } from '../model/stable-stringify.ts';
import { contentId } from './content-id.ts';
import type { LedgerBatch } from './reward-ledger.ts';
import type { Staged } from './store.ts';

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

/**
 * One journal line: a group of batches, its sessions and events already as rows of the record tables (text for
 * JSON columns, an ISO UTC time), so that moving it into the database is the engine parsing the line itself
 * (`RewardLedger.appendJournaled`), with no per-row work on the service's event loop.
 */
export interface JournalEntry {
  /** The line format (2: rows; the first format, records, was never released). */
  readonly v: 2;
  readonly loadId: number;
  /** The run of every session of the line, and its first session (an entry is stored whole or not at all). */
  readonly run: string;
  readonly first: number;
  /**
   * The run's last session before this line's (0: none), when the writer knew it: a line whose predecessor
   * never reached the disk was never acknowledged (its answer waits for every earlier line), so recovery
   * leaves it out instead of storing it after a gap. Absent in lines of earlier versions.
   */
  readonly after?: number;
  readonly sessions: readonly JournalSessionRow[];
  readonly events: readonly JournalEventRow[];
}

/**
 * A session as a row of the `sessions` table (without `load_id`, which is the line's). A column that is NULL is
 * left out of the line (DuckDB's `from_json` reads a missing key as NULL, and lines of earlier versions, which
 * wrote `null`, read the same): a training session of a trainer often has half its columns NULL, and every byte
 * of a line is serialised, encoded, written, flushed, bound and parsed again on its way into the database.
 */
export interface JournalSessionRow {
  readonly run: string;
  readonly session: number;
  readonly step?: number | null;
  readonly time?: string | null;
  readonly prompt_id?: string | null;
  readonly prompt?: string | null;
  readonly output: string;
  readonly classification?: string | null;
  readonly category?: string | null;
  readonly baseline_reward?: number | null;
  readonly adjusted_reward?: number | null;
  readonly differential_pct?: number | null;
  readonly compliance_trajectory_index?: number | null;
  readonly flags?: readonly string[] | null;
  readonly nested_annotations?: string | null;
  readonly meta?: string | null;
  readonly source_line: number;
  readonly phase?: string | null;
  readonly checkpoint?: string | null;
}

/** A calibration event as a row of the `events` table (without `load_id`; a NULL column is left out). */
export interface JournalEventRow {
  readonly run: string;
  readonly id: string;
  readonly session: number;
  readonly kind: string;
  readonly parameter: string;
  readonly target: string;
  readonly from_value?: number | null;
  readonly to_value?: number | null;
  readonly change_pct?: number | null;
  readonly trigger?: string | null;
  readonly recommended_by?: string | null;
  readonly note?: string | null;
  readonly meta?: string | null;
  readonly source_line: number;
}

/** A journal line as the ledger moves it: its text, its load and how many rows (sessions + events) it holds. */
export interface JournaledText {
  readonly loadId: number;
  readonly rows: number;
  readonly text: string;
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : stableStringify(v));
const str = (v: string | number | null | undefined): string | null =>
  v === undefined || v === null ? null : String(v);
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/**
 * A session as the `sessions` table stores it: the same values as the appender's row
 * (src/store/duckdb/stage-tables.ts `sessionTableRow`; a test holds the two equal).
 */
export function journalSessionRow(s: Staged<SessionRecord>): JournalSessionRow {
  const r = s.record;
  return withoutNulls({
    run: s.run,
    session: r.session,
    step: orNull(r.step),
    time: r.time ? new Date(Date.parse(String(r.time))).toISOString() : null,
    prompt_id: str(r.prompt_id),
    prompt: str(r.prompt),
    output: r.output,
    classification: str(r.classification),
    category: str(r.category),
    baseline_reward: orNull(r.baseline_reward),
    adjusted_reward: orNull(r.adjusted_reward),
    differential_pct: orNull(r.differential_pct),
    compliance_trajectory_index: orNull(r.compliance_trajectory_index),
    flags: r.flags && r.flags.length > 0 ? r.flags : null,
    nested_annotations: r.annotations && r.annotations.length > 0 ? stableStringify(r.annotations) : null,
    meta: json(r.meta),
    source_line: s.line,
    // training is stored as null, as the appender stores it
    phase: r.phase === 'training' ? null : str(r.phase),
    checkpoint: str(r.checkpoint),
  });
}

/** A row with its NULL columns left out (a missing key is NULL to `from_json`): a new object, keys in order. */
function withoutNulls<T extends object>(row: T): T {
  const out: Record<string, unknown> = {};
  for (const k in row) {
    const v = row[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  return out as T;
}

/** A calibrator event as the `events` table stores it (no time: calibrator events carry none). */
export function journalEventRow(s: Staged<EventRecord>): JournalEventRow {
  const r = s.record;
  return withoutNulls({
    run: s.run,
    id: r.id ?? `e-${r.session}-${contentId(r)}`,
    session: r.session,
    kind: r.kind,
    parameter: r.parameter,
    target: stableStringify(r.target),
    from_value: orNull(r.from),
    to_value: orNull(r.to),
    change_pct: orNull(r.change_pct),
    trigger: json(r.trigger),
    recommended_by: str(r.recommended_by),
    note: str(r.note),
    meta: json(r.meta),
    source_line: s.line,
  });
}

/**
 * A group of batches (of one run, one load, at least one session) as a journal line; `after`: the run's last
 * session before the group (0: none), which recovery checks the line's predecessor against.
 */
export function journalEntry(batch: LedgerBatch, after?: number): JournalEntry {
  const first = batch.sessions[0];
  if (first === undefined) throw new Error('journalEntry: a journal line holds at least one session');
  return {
    v: 2,
    loadId: batch.loadId,
    run: first.run,
    first: first.record.session,
    ...(after !== undefined ? { after } : {}),
    sessions: batch.sessions.map(journalSessionRow),
    events: batch.events.map(journalEventRow),
  };
}

/** A journal line's text, as `RewardJournal.append` takes it and `RewardLedger.appendJournaled` moves it. */
export function journaledText(entry: JournalEntry): JournaledText {
  return {
    loadId: entry.loadId,
    rows: entry.sessions.length + entry.events.length,
    text: JSON.stringify(entry),
  };
}

/** The journal's files for a database file. */
export function journalPaths(dbPath: string): readonly [string, string] {
  return [`${dbPath}.reward-journal-0`, `${dbPath}.reward-journal-1`];
}

/** Where a remote store's journals go by default (`serve-reward --journal-dir`). */
export const DEFAULT_JOURNAL_DIR = '.rlaudit/reward-journal';

/**
 * The journal's base path for a store that is not a file beside which it could live (ClickHouse): in `dir`,
 * named by a hash of the store's URL (without its password) and the run, so that two services of different
 * stores or runs never share one, and a restarted service of the same store and run finds its predecessor's
 * (`<dir>/<hash>-<run>.reward-journal-{0,1}`; run ids hold no `/`). Creates `dir`.
 */
export async function remoteJournalBase(dir: string, storeUrl: string, run: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const hash = createHash('sha256').update(`${storeUrl}\n${run}`).digest('hex').slice(0, 16);
  const safe = run.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  return join(dir, `${hash}-${safe}`);
}

/** Appends of at most this many bytes make a file switch when it is over (default 32 MiB). */
const SWITCH_BYTES = 32 * 1024 * 1024;

/**
 * When an append's steps finished (`performance.now()`), filled in by `append` for whoever wants to know where
 * its time went (the reward service's `Server-Timing` header): `written` once its bytes are in the file (after
 * every append queued before it), `synced` once its own `fdatasync` returned (every earlier line's may not have).
 */
export interface AppendTimes {
  written?: number;
  synced?: number;
}

/** A line written to the journal and not yet acknowledged: where it begins, and its append's outcome. */
interface WrittenLine {
  readonly file: number;
  readonly at: number;
  done: Promise<number> | null;
}

export class RewardJournal {
  readonly #files: FileHandle[];
  readonly #offset = [0, 0];
  /** Lines of each file not yet in the database. */
  readonly #unflushed = [0, 0];
  #active = 0;
  /** Appends called and not yet written. */
  #queued = 0;
  /** Lines of each file written and not yet flushed (their `fdatasync` in progress). */
  readonly #inFlight = [0, 0];
  /** Lines written whose append has not resolved yet, in the order written (what a failed flush cuts off). */
  readonly #written: WrittenLine[] = [];
  /** The last line's append: the next line is acknowledged only after it. */
  #lastDurable: Promise<unknown> = Promise.resolve(0);
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
   * Appends one entry (its JSON text, `journaledText`) and flushes it to the disk; resolves with the file it
   * went to (pass it to `release` once the entry is in the database). Rejects when the write fails: then
   * nothing of the entry counts as written.
   *
   * Group commit with two flushes in flight: the writes are serial (each line after the one before), but a
   * line's `fdatasync` does not wait for the previous line's to return, so an entry that arrives while a flush
   * is in progress is written and flushed at once instead of after it. An append still resolves only once its
   * own flush **and every earlier line's** have returned (in order), and it rejects when an earlier one failed:
   * the lines after a failed one are cut off with it (the file is truncated where the failed line began), so
   * the journal never holds a line after one that is missing.
   */
  append(text: string, times?: AppendTimes): Promise<number> {
    // encoded straight into a buffer one byte longer, rather than through a second string `${text}\n` (~125 kB)
    // that exists only to be encoded (V8 flattens the text itself either way: docs/benchmarks.md, sixth pass)
    const n = Buffer.byteLength(text);
    const line = Buffer.allocUnsafe(n + 1);
    line.write(text, 0, n, 'utf8');
    line[n] = 0x0a;
    this.#queued++;
    return this.#serial(async () => {
      this.#queued--;
      const other = 1 - this.#active;
      if (
        this.#offset[this.#active]! >= this.#switchBytes &&
        this.#unflushed[other] === 0 &&
        // not while a line of the active file is being flushed: a line's flush then covers every line before it
        this.#inFlight[this.#active] === 0 &&
        this.#inFlight[other] === 0 &&
        this.#offset[other] === 0
      ) {
        this.#active = other;
      }
      const file = this.#active;
      const at = this.#offset[file]!;
      const f = this.#files[file]!;
      try {
        await f.write(line, 0, line.length, at);
      } catch (err) {
        // the torn bytes past `at` are overwritten by the next append (and ignored by a reader: not a line)
        await f.truncate(at).catch(() => undefined);
        throw err;
      }
      this.#offset[file] = at + line.length;
      this.#inFlight[file]!++;
      if (times !== undefined) times.written = performance.now();
      const entry: WrittenLine = { file, at, done: null };
      // the flush runs beside the next writes: the serial queue does not wait for it
      const done = this.#flush(entry, this.#lastDurable, times);
      entry.done = done;
      this.#written.push(entry);
      this.#lastDurable = done;
      done.catch(() => undefined);
      return { done };
    }).then(({ done }) => done);
  }

  /** Flushes a written line; it counts once it and every earlier line are durable (see `append`). */
  async #flush(entry: WrittenLine, before: Promise<unknown>, times?: AppendTimes): Promise<number> {
    let failure: unknown = null;
    try {
      await this.#files[entry.file]!.datasync();
    } catch (err) {
      failure = err;
    }
    if (times !== undefined) times.synced = performance.now();
    try {
      await before;
    } catch (err) {
      failure ??= err;
    }
    this.#inFlight[entry.file]!--;
    if (failure !== null) {
      // this line and every one written after it go: none of them is acknowledged
      await this.#serial(() => this.#cut(entry));
      throw failure;
    }
    this.#written.splice(this.#written.indexOf(entry), 1);
    this.#unflushed[entry.file]!++;
    return entry.file;
  }

  /**
   * Truncates the journal where `entry` began and drops every line written after it (in either file); run in
   * the serial queue, so no write is in progress. A line already cut is left alone.
   */
  async #cut(entry: WrittenLine): Promise<void> {
    const i = this.#written.indexOf(entry);
    if (i < 0) return;
    const gone = this.#written.splice(i);
    for (const file of [0, 1]) {
      const from = gone.filter((e) => e.file === file).map((e) => e.at);
      if (from.length === 0) continue;
      const at = Math.min(...from);
      await this.#files[file]!.truncate(at).catch(() => undefined);
      this.#offset[file] = at;
    }
    // lines written from now on wait for the last line kept, not for the ones cut
    this.#lastDurable = this.#written.at(-1)?.done ?? Promise.resolve(0);
  }

  /** Says that an entry appended to `file` is now in the database; a file with nothing left is truncated. */
  release(file: number): void {
    this.#unflushed[file]!--;
    if (this.#unflushed[file] !== 0) return;
    void this.#serial(async () => {
      // checked again when it runs: an append queued meanwhile may be going to this file
      if (
        this.#unflushed[file] !== 0 ||
        this.#inFlight[file] !== 0 ||
        (file === this.#active && this.#queued > 0)
      )
        return;
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
 * Every complete entry of a database's journal files with its text, ordered by their first session (a file may
 * be missing: nothing to recover). A line that is not complete JSON is the torn last write of a crash and is
 * skipped; a complete line of another format is refused (acknowledged sessions are never dropped unread).
 */
export async function readJournal(dbPath: string): Promise<{ entry: JournalEntry; text: string }[]> {
  const entries: { entry: JournalEntry; text: string }[] = [];
  for (const p of journalPaths(dbPath)) {
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    let n = 0;
    for (const line of text.split('\n')) {
      n++;
      if (line === '') continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        // a torn line: its fdatasync never returned, so it was never acknowledged
        continue;
      }
      if (entry?.v !== 2 || !Array.isArray(entry.sessions) || typeof entry.first !== 'number') {
        throw new Error(
          `${p}:${n}: a reward journal line of a format this rlaudit does not read (expected {"v":2,…}); ` +
            'move it in with the rlaudit version that wrote it',
        );
      }
      entries.push({ entry, text: line });
    }
  }
  return entries.sort((a, b) => a.entry.first - b.entry.first);
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
export async function unstoredEntries<T extends { readonly entry: JournalEntry }>(
  entries: readonly T[],
  lastSession: (run: string) => Promise<number | null>,
): Promise<T[]> {
  const last = new Map<string, number>();
  const missing: T[] = [];
  for (const e of entries) {
    const { run, first, after, sessions } = e.entry;
    if (!last.has(run)) last.set(run, (await lastSession(run)) ?? 0);
    if (first <= last.get(run)!) continue;
    // its predecessor (up to session `after`) is neither stored nor in the journal: with two flushes in
    // flight a line can reach the disk before the one before it, but it was then never acknowledged
    if (typeof after === 'number' && after > last.get(run)!) continue;
    missing.push(e);
    last.set(run, Math.max(first, sessions.at(-1)?.session ?? first));
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
