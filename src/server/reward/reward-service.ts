import { rm } from 'node:fs/promises';
import type { Detector } from '../../analyses/unsolicited/unsolicited-detector.ts';
import type { CalibrationEvent } from '../../calibration/calibration-event.ts';
import { Calibrator } from '../../calibration/calibrator.ts';
import { protocolFingerprint } from '../../calibration/calibrator-state.ts';
import type { Protocol } from '../../calibration/protocol.ts';
import { ConfigError, InputError } from '../../model/errors.ts';
import { DEFAULT_PHASE, type EventRecord, type SessionRecord } from '../../model/schema.ts';
import { stableStringify } from '../../model/stable-stringify.ts';
import type { SourceItem } from '../../sources/source-item.ts';
import { stageItems } from '../../sources/validated-batches.ts';
import {
  type AppendTimes,
  type JournaledText,
  journalEntry,
  journaledText,
  journalPaths,
  RewardJournal,
} from '../../store/reward-journal.ts';
import type { LedgerSession, RewardLedger } from '../../store/reward-ledger.ts';
import { emptyCounts, type IngestCounts, type Staged, type Store } from '../../store/store.ts';
import { BatchError, type BatchItem, DETECTOR_META_KEY } from './session-batch.ts';

/** The service's answer for one session: what training uses, and the events that took effect at it. */
export interface SessionAnswer {
  readonly session: number;
  readonly adjusted_reward: number;
  readonly differential_pct: number | null;
  readonly compliance_trajectory_index: number;
  readonly classification: 'compliant' | 'non_compliant';
  /** As stored: a number for an integer category (`3`, `'3'`), else its label; null when compliant. */
  readonly category: number | string | null;
  readonly events: readonly CalibrationEvent[];
}

/**
 * Where a batch's time went inside the service: `performance.now()` marks, filled in as the batch goes through
 * (the HTTP layer sends them as a `Server-Timing` header; docs/integrations.md). A mark is absent when the step
 * did not happen (a resend answered from the store is never encoded or written).
 */
export interface BatchTimes {
  /** `submit` was called. */
  submitted?: number;
  /** Its calibration began (before: waiting for its `after`, for the batch before it, or for a flush slot). */
  calibrating?: number;
  /** Calibrated and validated. */
  calibrated?: number;
  /** Its group's journal line was serialised (its group may hold batches calibrated after it). */
  encoded?: number;
  /** Its group's line was written to the journal file (after every line queued before it). */
  written?: number;
  /** Its group's own `fdatasync` returned. */
  synced?: number;
  /** Durable: its own and every earlier line's flush returned (or, without a journal, the commit returned). */
  durable?: number;
}

/** The answer to one batch, in the batch's order. */
export interface BatchAnswer {
  readonly run: string;
  readonly sessions: readonly SessionAnswer[];
  /** Sessions of the batch stored by this request. */
  readonly stored: number;
  /** Sessions of the batch already stored (a resend), answered from the store. */
  readonly duplicates: number;
}

export interface RewardServiceOptions {
  readonly store: Store;
  readonly ledger: RewardLedger;
  readonly protocol: Protocol;
  readonly run: string;
  /** Classifies sessions sent without a classification; null refuses them. */
  readonly detector: Detector | null;
  /** Sessions read per page when the calibrator is resumed from the store. */
  readonly replayPage?: number;
  /** How long a batch whose `after` is ahead of the run waits for the batches before it (default 10 s). */
  readonly holdMs?: number;
  /**
   * Answer once a batch is in the write-ahead journal beside the database (`src/store/reward-journal.ts`),
   * and move it into the database behind the answers (default: true for a database file, false for
   * `:memory:`); false: answer once it is committed to the database.
   */
  readonly journal?: boolean;
  /**
   * The journal's base path (its files: `<base>.reward-journal-{0,1}`): by default the database file's; a store
   * that is no file (ClickHouse) names one (src/store/reward-journal.ts `remoteJournalBase`).
   */
  readonly journalBase?: string;
}

/** A group of batches committed together: in the journal (or being written to it), not yet in the database. */
interface JournalGroup {
  /** Its journal line: the text written, which the database then parses itself (`appendJournaled`). */
  readonly line: JournaledText;
  /** The journal file it went to; null while its write is in progress. */
  file: number | null;
}

/**
 * Most rows moved from the journal into the database in one transaction. The move's one cost on the event loop
 * is binding the lines' text (~10 ns a byte, ~5 ms for 1,024 rows of the benchmark's sessions): kept small so
 * that no answer waits behind it for long; DuckDB parses and stores the rows on its own threads.
 */
const FLUSH_ROWS = 1024;

/**
 * Groups whose journal flush may be in progress at once: a group that arrives while one is flushed is
 * calibrated, written and flushed without waiting for it (its answer still waits for both flushes).
 */
const MAX_FLUSHES_IN_FLIGHT = 2;

interface Pending {
  readonly items: readonly BatchItem[];
  /** The run's last session the client expects before this batch (0: none), or undefined: no expectation. */
  readonly after: number | undefined;
  readonly resolve: (answer: BatchAnswer) => void;
  readonly reject: (err: unknown) => void;
  timer: ReturnType<typeof setTimeout> | null;
  readonly times: BatchTimes | undefined;
}

/** When a group's steps finished (copied into each of its batches' `BatchTimes`). */
type GroupTimes = AppendTimes & { encoded?: number };

/** A batch calibrated and ready to store: its answers, and the staged sessions and events it adds. */
interface Prepared {
  readonly answers: readonly SessionAnswer[];
  readonly sessions: readonly Staged<SessionRecord>[];
  readonly events: readonly Staged<EventRecord>[];
}

/** What `GET /v1/runs/{run}` shows. */
export interface RunStateView {
  readonly run: string;
  readonly protocol: string;
  readonly protocol_fingerprint: string;
  readonly detector: string | null;
  readonly sessions: number;
  readonly last_session: number | null;
  readonly events: number;
  readonly compliance_differential: number;
  readonly category_differentials: Readonly<Record<string, number>>;
  readonly rules: readonly {
    readonly id: string;
    readonly firings: number;
    readonly matches_in_window: number;
  }[];
  readonly resumed_from_store: {
    readonly sessions: number;
    /** Stored sessions of a phase after training, kept but not replayed. */
    readonly after_training: number;
    /** Sessions a killed service had acknowledged that were still in its journal, moved into the database. */
    readonly from_journal: number;
    readonly events: number;
    readonly seconds: number;
  };
  readonly since_start: { readonly requests: number; readonly stored: number; readonly duplicates: number };
}

const SERVICE_FORMAT = 'reward-service';

/**
 * The answer for a session the ledger already holds (calibrated: its reward columns are set), with the events
 * among `events` that took effect at it: what a resend is answered with.
 */
export function storedAnswer(s: LedgerSession, events: readonly EventRecord[]): SessionAnswer {
  return {
    session: s.session,
    adjusted_reward: s.adjustedReward!,
    differential_pct: s.differentialPct,
    compliance_trajectory_index: s.complianceTrajectoryIndex!,
    classification: s.classification as 'compliant' | 'non_compliant',
    category: s.category,
    events: events.filter((e) => e.session === s.session) as CalibrationEvent[],
  };
}

/** The category as the store gives it back: integer text is a number. */
function storedCategory(c: number | string | null): number | string | null {
  if (c === null) return null;
  return /^-?\d+$/.test(String(c)) ? Number(c) : String(c);
}

/**
 * The calibration engine as a service (docs/integrations.md): batches of sessions in, adjusted rewards and
 * calibration events out, exactly as `rlaudit calibrate` computes them on the same sessions in the same order.
 *
 * - Durable: a batch's new sessions and events are appended in one store transaction before the answer.
 * - Idempotent: a session already stored is answered from the store when it is sent again with identical
 *   content (the ingest identity: run + session; identical = a duplicate, different = a conflict, 409).
 * - Resumable: `open` replays the run's stored sessions through a fresh calibrator and checks that it
 *   reproduces every stored reward and event, so a restarted service continues exactly where it stopped.
 * - Serial: batches are calibrated and stored one at a time, in arrival order.
 */
export class RewardService {
  readonly #o: RewardServiceOptions;
  readonly #fingerprint: string;
  readonly #detectorRules: readonly { readonly id: string; readonly re: RegExp }[];
  #calibrator: Calibrator;
  #ingestId = 0;
  #loadId = 0;
  #line = 0;
  #sessions = 0;
  /** Stored sessions of a phase after training (not the service's; never calibrated). */
  #afterTraining = 0;
  #events = 0;
  #lastSession: number | null = null;
  #committedLast: number | null = null;
  #pending: Pending[] = [];
  #draining = false;
  /** Groups being made durable (written, their flush not yet returned). */
  #inFlight = 0;
  /** Bumped when a group fails: groups calibrated before that failure and failing with it restore nothing. */
  #generation = 0;
  readonly #holdMs: number;
  #resumed = { sessions: 0, after_training: 0, from_journal: 0, events: 0, seconds: 0 };
  readonly #since = { requests: 0, stored: 0, duplicates: 0 };
  readonly #counts: IngestCounts = emptyCounts();
  #journal: RewardJournal | null = null;
  /** Groups acknowledged (or being written to the journal) and not yet in the database, in session order. */
  readonly #unstored: JournalGroup[] = [];
  #storing: Promise<void> | null = null;
  #storeError: unknown = null;
  /** Acknowledged sessions a killed service had left in the journal, moved into the database at open. */
  #recovered = 0;

  private constructor(o: RewardServiceOptions) {
    this.#o = o;
    this.#fingerprint = protocolFingerprint(o.protocol);
    this.#calibrator = new Calibrator(o.protocol, o.run);
    this.#holdMs = o.holdMs ?? 10_000;
    this.#detectorRules = (o.detector?.rules ?? []).map((r) => ({
      id: r.id,
      re: new RegExp(r.pattern, r.caseSensitive ? 'u' : 'iu'),
    }));
  }

  /**
   * Opens the service on a store: refuses a run that another source or another protocol wrote, resumes the
   * calibrator from the run's stored sessions, and opens the load that this service's batches belong to.
   */
  static async open(o: RewardServiceOptions): Promise<RewardService> {
    const service = new RewardService(o);
    await service.#resume();
    return service;
  }

  /** Where the journal's files go: beside the database file, or the base the options name. */
  get #journalBase(): string {
    return this.#o.journalBase ?? this.#o.store.location;
  }

  get run(): string {
    return this.#o.run;
  }

  async #resume(): Promise<void> {
    const { ledger, run, protocol, store } = this.#o;
    const started = performance.now();
    // what a killed service left in its journal was moved into the database when the store was opened
    // (src/store/duckdb/journal-recovery.ts): any writing open of the file does it, this one included
    this.#recovered = store.journalRecovery?.sessions ?? 0;
    const meta = await ledger.runMeta(run);
    const mine = (meta?.reward_service ?? null) as { protocol_fingerprint?: unknown } | null;
    if (meta !== undefined && mine?.protocol_fingerprint !== this.#fingerprint) {
      throw new ConfigError(
        mine === null
          ? `run '${run}' exists in ${store.location} and was not written by serve-reward; serve a new run (--run NAME)`
          : `run '${run}' was served under another protocol (fingerprint ${String(mine.protocol_fingerprint)}, ` +
              `not ${protocol.protocol} ${this.#fingerprint}); serve it with its own protocol or choose a new --run`,
      );
    }
    if ((this.#o.journal ?? true) && (this.#o.journalBase !== undefined || store.location !== ':memory:')) {
      this.#journal = await RewardJournal.open(this.#journalBase);
    }
    this.#ingestId = await store.beginIngest(run);
    this.#loadId = await store.beginLoad({
      ingestId: this.#ingestId,
      path: `serve-reward:${run}`,
      absPath: `serve-reward:${run}`,
      format: SERVICE_FORMAT,
      bytes: 0,
    });
    if (meta === undefined) {
      await ledger.createRun(
        run,
        {
          description: `Rewards computed live by rlaudit serve-reward under protocol ${protocol.protocol}`,
          meta: {
            reward_service: {
              protocol: protocol.protocol,
              protocol_fingerprint: this.#fingerprint,
              detector: this.#o.detector?.name ?? null,
            },
          },
        },
        this.#loadId,
      );
      return;
    }
    const replayed: CalibrationEvent[] = [];
    let after = 0;
    const page = this.#o.replayPage ?? 10_000;
    for (;;) {
      const rows = await ledger.sessionsAfter(run, after, page);
      for (const s of rows) {
        // a session of a phase after training (deployment samples ingested into the run once training
        // stopped) was never rewarded by this service: it is kept, and never steps the calibrator, exactly as
        // `rlaudit calibrate` copies it (src/calibration/calibrate-run.ts)
        if (s.phase !== DEFAULT_PHASE) {
          this.#afterTraining++;
          continue;
        }
        const step = this.#calibrator.step({
          session: s.session,
          classification: s.classification as 'compliant' | 'non_compliant',
          category: s.category,
          baselineReward: s.baselineReward!,
          output: s.output,
        });
        const same =
          step.adjustedReward === s.adjustedReward &&
          step.differentialPct === s.differentialPct &&
          step.complianceTrajectoryIndex === s.complianceTrajectoryIndex;
        if (!same) {
          throw new ConfigError(
            `run '${run}': the stored rewards of session ${s.session} (adjusted ${s.adjustedReward}) are not what ` +
              `protocol ${protocol.protocol} gives on replay (${step.adjustedReward}); the store was changed outside the service`,
          );
        }
        replayed.push(...step.events);
        this.#sessions++;
      }
      if (rows.length < page) break;
      after = rows[rows.length - 1]!.session;
    }
    const stored = await ledger.eventsBetween(run, 1, Number.MAX_SAFE_INTEGER);
    if (stableStringify(stored) !== stableStringify(replayed)) {
      throw new ConfigError(
        `run '${run}': its ${stored.length} stored events differ from the ${replayed.length} that a replay of its ` +
          'stored sessions gives; the store was changed outside the service',
      );
    }
    this.#events = replayed.length;
    // new sessions come after every stored one, whatever its phase (a run's session numbers are one sequence)
    this.#lastSession = (await ledger.runState(run)).lastSession;
    this.#committedLast = this.#lastSession;
    this.#resumed = {
      sessions: this.#sessions,
      after_training: this.#afterTraining,
      from_journal: this.#recovered,
      events: this.#events,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /**
   * Calibrates and stores one batch (already checked by `parseBatch`). Batches are calibrated one at a time in
   * arrival order; batches that queue while a write is in progress are written together in one transaction
   * (group commit), and each is answered when that transaction has committed. Throws `BatchError` (400/409)
   * with nothing of the batch stored when an item cannot be taken.
   *
   * `after` (optional) is the run's last session the client expects before this batch (null: none). A batch
   * whose `after` is ahead of the run waits (up to `holdMs`) for the batches before it, so a client may keep
   * several batches in flight and still have them calibrated in its order.
   */
  submit(items: readonly BatchItem[], after?: number | null, times?: BatchTimes): Promise<BatchAnswer> {
    if (times !== undefined) times.submitted = performance.now();
    return new Promise<BatchAnswer>((resolve, reject) => {
      const p: Pending = {
        items,
        after: after === undefined ? undefined : (after ?? 0),
        resolve,
        reject,
        timer: null,
        times,
      };
      if (p.after !== undefined && p.after > (this.#lastSession ?? 0)) {
        p.timer = setTimeout(() => {
          const at = this.#pending.indexOf(p);
          if (at < 0) return;
          this.#pending.splice(at, 1);
          reject(
            new BatchError(
              409,
              null,
              items[0]!.session,
              'after',
              `the run to reach session ${p.after} within ${(this.#holdMs / 1000).toFixed(0)} s`,
              `the run's last session is ${this.#lastSession ?? 'none'}`,
              `the batch before this one (up to session ${p.after}) did not arrive within ${(this.#holdMs / 1000).toFixed(0)} s: ` +
                `the run's last session is ${this.#lastSession ?? 'none'}; send that batch first`,
            ),
          );
        }, this.#holdMs);
      }
      this.#pending.push(p);
      void this.#drain();
    });
  }

  /** Whether a queued batch can be calibrated now: its `after` is reached, and it resends nothing uncommitted. */
  #runnable(p: Pending): boolean {
    const last = this.#lastSession ?? 0;
    if (p.after !== undefined && p.after > last) return false;
    // a resend of sessions not yet committed waits for the next group, where the store has them
    return !(p.items[0]!.session <= last && last !== (this.#committedLast ?? 0));
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      // with the journal, a group is calibrated and written while the one before it is still being flushed
      // (two flushes in flight: RewardJournal.append); without it, one database commit at a time
      const maxInFlight = this.#journal === null ? 1 : MAX_FLUSHES_IN_FLIGHT;
      while (this.#inFlight < maxInFlight) {
        const groupSnapshot = this.#calibrator.serialize();
        const groupAfter = this.#lastSession ?? 0;
        const generation = this.#generation;
        const group: { p: Pending; prepared: Prepared }[] = [];
        for (let i = 0; i < this.#pending.length; ) {
          const p = this.#pending[i]!;
          if (!this.#runnable(p)) {
            i++;
            continue;
          }
          this.#pending.splice(i, 1);
          if (p.timer !== null) clearTimeout(p.timer);
          try {
            if (p.times !== undefined) p.times.calibrating = performance.now();
            group.push({ p, prepared: await this.#prepare(p.items) });
            if (p.times !== undefined) p.times.calibrated = performance.now();
          } catch (err) {
            p.reject(err);
          }
          i = 0; // the run moved on: earlier batches waiting for it may be runnable now
        }
        if (group.length === 0) return;
        const groupLast = this.#lastSession;
        const fresh = group.filter((g) => g.prepared.sessions.length > 0);
        this.#inFlight++;
        const groupTimes: GroupTimes = {};
        const committed =
          fresh.length > 0
            ? this.#commit(
                fresh.flatMap((g) => g.prepared.sessions),
                fresh.flatMap((g) => g.prepared.events),
                groupAfter,
                groupTimes,
              )
            : Promise.resolve();
        // groups are settled in the order they were written: the journal acknowledges a line only after every
        // earlier line, and fails it when an earlier one failed
        void committed.then(
          () => {
            const durable = performance.now();
            for (const { p } of fresh) {
              if (p.times !== undefined) Object.assign(p.times, groupTimes, { durable });
            }
            this.#inFlight--;
            this.#committedLast = groupLast;
            this.#answer(group);
            void this.#drain();
          },
          (err: unknown) => {
            this.#inFlight--;
            if (generation === this.#generation) {
              // the first group that failed: the calibrator goes back to where it was before it; the groups
              // calibrated after it fail with it (their lines are cut from the journal with its line)
              this.#generation++;
              this.#calibrator = Calibrator.resume(this.#o.protocol, groupSnapshot);
              this.#lastSession = this.#committedLast;
            }
            for (const g of group) g.p.reject(err);
            void this.#drain();
          },
        );
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Answers the batches of a group whose sessions are durable. */
  #answer(group: readonly { p: Pending; prepared: Prepared }[]): void {
    for (const { p, prepared } of group) {
      const stored = prepared.sessions.length;
      const duplicates = p.items.length - stored;
      this.#sessions += stored;
      this.#events += prepared.events.length;
      this.#since.requests++;
      this.#since.stored += stored;
      this.#since.duplicates += duplicates;
      this.#counts.read += p.items.length + prepared.events.length;
      this.#counts.accepted += stored + prepared.events.length;
      this.#counts.duplicates += duplicates;
      p.resolve({ run: this.#o.run, sessions: prepared.answers, stored, duplicates });
    }
  }

  /**
   * Makes a group durable: appended to the journal and flushed to the disk (then moved into the database in
   * the background), or, without a journal, committed to the database. Rejects with nothing of it kept.
   */
  async #commit(
    sessions: readonly Staged<SessionRecord>[],
    events: readonly Staged<EventRecord>[],
    after: number,
    times: GroupTimes,
  ): Promise<void> {
    const journal = this.#journal;
    if (journal === null) {
      await this.#o.ledger.append({ loadId: this.#loadId, sessions, events });
      return;
    }
    // the group as rows of the record tables, serialised once: the journal writes this text and the database
    // parses the same text when the group is moved in (no per-row work on the event loop for the move)
    const group: JournalGroup = {
      line: journaledText(journalEntry({ loadId: this.#loadId, sessions, events }, after)),
      file: null,
    };
    times.encoded = performance.now();
    this.#unstored.push(group);
    try {
      group.file = await journal.append(group.line.text, times);
    } catch (err) {
      this.#unstored.splice(this.#unstored.indexOf(group), 1);
      throw err;
    }
    this.#kickStore();
  }

  /** Starts moving journaled groups into the database unless that is under way. */
  #kickStore(): void {
    if (this.#storing !== null) return;
    this.#storing = this.#storeJournaled().finally(() => {
      this.#storing = null;
    });
  }

  /**
   * Moves the journaled groups into the database, oldest first, in transactions of up to `FLUSH_ROWS` rows
   * (or the ledger's `moveRows`),
   * until none is left. A failed transaction leaves them in the journal (and in memory): it is retried at the
   * next group, and a restart recovers them from the journal.
   */
  async #storeJournaled(): Promise<void> {
    for (;;) {
      const take: JournalGroup[] = [];
      let rows = 0;
      for (const g of this.#unstored) {
        if (
          g.file === null ||
          (take.length > 0 && rows + g.line.rows > (this.#o.ledger.moveRows ?? FLUSH_ROWS))
        )
          break;
        take.push(g);
        rows += g.line.rows;
      }
      if (take.length === 0) return;
      try {
        await this.#o.ledger.appendJournaled(take.map((g) => g.line));
        this.#storeError = null;
      } catch (err) {
        this.#storeError = err;
        return;
      }
      this.#unstored.splice(0, take.length);
      for (const g of take) this.#journal!.release(g.file!);
    }
  }

  /** Waits until every acknowledged group is in the database; throws when moving them failed. */
  async #stored(): Promise<void> {
    while (this.#unstored.some((g) => g.file !== null)) {
      this.#kickStore();
      await this.#storing;
      if (this.#storeError !== null) {
        throw new Error(
          `could not move acknowledged sessions from the journal into the database (they stay in the journal, ` +
            `recovered when the service starts again): ${(this.#storeError as Error).message}`,
        );
      }
    }
  }

  /** Answers the resent part of a batch from the store and calibrates the new part (not yet stored). */
  async #prepare(items: readonly BatchItem[]): Promise<Prepared> {
    const last = this.#lastSession;
    const firstNew = last === null ? 0 : items.findIndex((i) => i.session > last);
    const nResent = firstNew === -1 ? items.length : firstNew;
    const answers = await this.#answerResent(items.slice(0, nResent));
    const fresh = items.slice(nResent);
    if (fresh.length === 0) return { answers, sessions: [], events: [] };
    const calibrated = this.#calibrate(fresh, nResent);
    return {
      answers: [...answers, ...calibrated.answers],
      sessions: calibrated.sessions,
      events: calibrated.events,
    };
  }

  /** Sessions at or before the run's last stored one: answered from the store when identical, else 409. */
  async #answerResent(items: readonly BatchItem[]): Promise<SessionAnswer[]> {
    if (items.length === 0) return [];
    await this.#stored(); // a resend is answered from the database, which must hold every acknowledged group
    const { ledger, run } = this.#o;
    const stored = new Map(
      (
        await ledger.sessionsAmong(
          run,
          items.map((i) => i.session),
        )
      ).map((s) => [s.session, s]),
    );
    const events = await ledger.eventsBetween(run, items[0]!.session, items[items.length - 1]!.session);
    return items.map((item, i) => {
      const s = stored.get(item.session);
      if (s === undefined) {
        throw new BatchError(
          409,
          i,
          item.session,
          'session',
          `a session after ${this.#lastSession} (the run's last stored session), or one stored before`,
          String(item.session),
          `session ${item.session} comes before the run's last stored session ${this.#lastSession} and was never ` +
            'stored: sessions must increase along the run',
        );
      }
      if (s.phase !== DEFAULT_PHASE) {
        throw new BatchError(
          409,
          i,
          item.session,
          'session',
          `a session after ${this.#lastSession} (the run's last stored session)`,
          String(item.session),
          `session ${item.session} is stored as a ${s.phase} session of the run (added after training): ` +
            `training sessions must come after session ${this.#lastSession}`,
        );
      }
      this.#checkSame(item, s, i);
      return storedAnswer(s, events);
    });
  }

  /** A resent session must be the stored one field by field (the ingest's duplicate rule), else 409. */
  #checkSame(item: BatchItem, s: LedgerSession, i: number): void {
    const { classification, category } = this.#classify(item, i);
    const storedMeta = { ...(s.meta ?? {}) };
    delete storedMeta[DETECTOR_META_KEY];
    const pairs: [string, unknown, unknown][] = [
      ['output', item.output, s.output],
      ['baseline_reward', item.baselineReward, s.baselineReward],
      ['classification', classification, s.classification],
      ['category', storedCategory(category), s.category],
      ['step', item.step, s.step],
      ['prompt_id', item.promptId, s.promptId],
      ['prompt', item.prompt, s.prompt],
      ['meta', stableStringify(item.meta ?? {}), stableStringify(storedMeta)],
    ];
    for (const [field, sent, kept] of pairs) {
      if (sent !== kept) {
        throw new BatchError(
          409,
          i,
          item.session,
          field,
          'the value stored for this session (a resent session must be identical)',
          JSON.stringify(sent)?.slice(0, 120) ?? String(sent),
          `session ${item.session} is stored with a different ${field}: a resent session must be identical, ` +
            'and a stored session is never overwritten (a conflict, as in ingest)',
        );
      }
    }
  }

  /** The classification the session is calibrated with: its own, or the detector's verdict. */
  #classify(
    item: BatchItem,
    i: number,
  ): {
    classification: 'compliant' | 'non_compliant';
    category: number | string | null;
    matched: string[] | null;
  } {
    if (item.classification !== null) {
      return {
        classification: item.classification,
        category: item.classification === 'compliant' ? null : item.category,
        matched: null,
      };
    }
    if (this.#o.detector === null) {
      throw new BatchError(
        400,
        i,
        item.session,
        'classification',
        "'compliant' or 'non_compliant' (this service runs without a detector: --detector none)",
        'null',
      );
    }
    const matched = this.#detectorRules.filter((r) => r.re.test(item.output)).map((r) => r.id);
    return matched.length > 0
      ? { classification: 'non_compliant', category: null, matched }
      : { classification: 'compliant', category: null, matched };
  }

  /** Calibrates new sessions; on any error the calibrator is put back as it was before the batch. */
  #calibrate(
    items: readonly BatchItem[],
    offset: number,
  ): Omit<Prepared, 'answers'> & { answers: SessionAnswer[] } {
    const { run, protocol } = this.#o;
    const snapshot = this.#calibrator.serialize();
    const rows: SourceItem[] = [];
    const answers: SessionAnswer[] = [];
    try {
      items.forEach((item, k) => {
        const i = offset + k;
        const { classification, category, matched } = this.#classify(item, i);
        let step: ReturnType<Calibrator['step']>;
        try {
          step = this.#calibrator.step({
            session: item.session,
            classification,
            category,
            baselineReward: item.baselineReward,
            output: item.output,
          });
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          if (err.field === 'category') {
            const known = protocol.categories.map((c) => c.id).join(', ');
            throw new BatchError(
              400,
              i,
              item.session,
              'category',
              `a category that protocol ${protocol.protocol} defines (${known}), or null`,
              JSON.stringify(item.category),
            );
          }
          const field = err.field === 'baselineReward' ? 'baseline_reward' : (err.field ?? '(item)');
          throw new BatchError(
            400,
            i,
            item.session,
            field,
            'a session the protocol can calibrate',
            '',
            err.message,
          );
        }
        const meta =
          matched === null
            ? item.meta
            : { ...(item.meta ?? {}), [DETECTOR_META_KEY]: { name: this.#o.detector!.name, rules: matched } };
        rows.push({
          kind: 'row',
          line: ++this.#line,
          value: {
            type: 'session',
            run,
            session: item.session,
            step: item.step,
            prompt_id: item.promptId,
            prompt: item.prompt,
            output: item.output,
            classification,
            category,
            baseline_reward: item.baselineReward,
            adjusted_reward: step.adjustedReward,
            differential_pct: step.differentialPct,
            compliance_trajectory_index: step.complianceTrajectoryIndex,
            ...(meta === null ? {} : { meta }),
          },
        });
        for (const e of step.events) rows.push({ kind: 'row', line: ++this.#line, value: { ...e } });
        answers.push({
          session: item.session,
          adjusted_reward: step.adjustedReward,
          differential_pct: step.differentialPct,
          compliance_trajectory_index: step.complianceTrajectoryIndex,
          classification,
          category: storedCategory(category),
          events: step.events,
        });
      });
      // validated exactly as ingest validates a row; a reject here stores nothing
      const staged = stageItems(rows, { forcedRun: run, fileRun: run });
      const reject = staged.rejects[0];
      if (reject !== undefined) {
        const row = rows.find((r) => r.line === reject.line);
        const session = (row?.kind === 'row' ? (row.value as { session?: number }).session : null) ?? null;
        const i = session === null ? null : offset + items.findIndex((it) => it.session === session);
        throw new BatchError(400, i, session, reject.field, reject.expected, reject.got);
      }
      this.#lastSession = items[items.length - 1]!.session;
      return { answers, sessions: staged.sessions, events: staged.events };
    } catch (err) {
      this.#calibrator = Calibrator.resume(protocol, snapshot);
      throw err;
    }
  }

  /** The run's state: sizes, parameters in force, rule windows, and what this process has done. */
  state(): RunStateView {
    const s = this.#calibrator.serialize();
    return {
      run: this.#o.run,
      protocol: this.#o.protocol.protocol,
      protocol_fingerprint: this.#fingerprint,
      detector: this.#o.detector?.name ?? null,
      sessions: this.#sessions,
      last_session: this.#lastSession,
      events: this.#events,
      compliance_differential: s.complianceDifferential,
      category_differentials: s.categoryDifferentials,
      rules: s.rules.map((r) => ({
        id: r.id,
        firings: r.firings,
        matches_in_window: [...r.recent].filter((b) => b === '1').length,
      })),
      resumed_from_store: this.#resumed,
      since_start: { ...this.#since },
    };
  }

  /** Waits for the batch in progress, then records this service's load and ingest as complete. */
  async close(): Promise<void> {
    while (this.#draining || this.#inFlight > 0 || this.#pending.some((p) => this.#runnable(p))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    try {
      await this.#stored();
    } catch (err) {
      // what could not be moved stays in the journal's files, for the next start to recover
      await this.#journal?.close();
      this.#journal = null;
      throw err;
    }
    if (this.#journal !== null) {
      await this.#journal.close();
      // everything is in the database: the journal's files go (a new service creates them again)
      for (const p of journalPaths(this.#journalBase)) await rm(p, { force: true });
      this.#journal = null;
    }
    const { store, run } = this.#o;
    await store.finishLoad(this.#loadId, this.#counts, null, 'complete', run);
    await store.finishIngest(this.#ingestId, this.#counts, 'complete');
  }
}
