import type { EventRecord, SessionRecord } from '../model/schema.ts';
import type { JournaledText } from './reward-journal.ts';
import type { StoredEventColumns } from './session-detail.ts';
import type { Staged } from './store.ts';

/**
 * The store side of the reward service (`rlaudit serve-reward`, src/server/reward/): the few reads and the one
 * write the service needs, beside the general `Store`. A service batch is appended in ONE transaction, so every
 * session and event of it is stored (and durable through the engine's write-ahead log) or none is.
 */

/** A stored session as the service reads it back: what was sent, and what the calibrator answered. */
export interface LedgerSession {
  readonly session: number;
  readonly step: number | null;
  readonly promptId: string | null;
  readonly prompt: string | null;
  readonly output: string;
  readonly classification: string | null;
  /** A number when it is integer text (`3`), else its label. */
  readonly category: string | number | null;
  readonly baselineReward: number | null;
  readonly adjustedReward: number | null;
  readonly differentialPct: number | null;
  readonly complianceTrajectoryIndex: number | null;
  /** The stored meta as parsed JSON, or null. */
  readonly meta: Readonly<Record<string, unknown>> | null;
  /** The phase the session comes from: `training` (the service's own) or a phase after training. */
  readonly phase: string;
}

/** One service batch to store: its sessions and the calibration events at them, for one load. */
export interface LedgerBatch {
  readonly loadId: number;
  readonly sessions: readonly Staged<SessionRecord>[];
  readonly events: readonly Staged<EventRecord>[];
}

/** A run's size as the service sees it. */
export interface LedgerRunState {
  readonly sessions: number;
  readonly lastSession: number | null;
  readonly events: number;
}

export interface RewardLedger {
  /**
   * Most rows the service moves from its journal in one `appendJournaled` (default: the service's own, 1,024,
   * which keeps a DuckDB move's binding short); a store whose every write costs round trips takes more.
   */
  readonly moveRows?: number;
  /** Sessions, last session and events of a run (zeros and null for a run not stored). */
  runState(run: string): Promise<LedgerRunState>;
  /** The stored sessions with `after < session`, in session order, at most `limit` of them. */
  sessionsAfter(run: string, after: number, limit: number): Promise<LedgerSession[]>;
  /** The stored sessions among `sessions` (any order), in session order. */
  sessionsAmong(run: string, sessions: readonly number[]): Promise<LedgerSession[]>;
  /** The stored events at sessions in [from, to], in firing order (by the number of their `e-<n>` id). */
  eventsBetween(run: string, from: number, to: number): Promise<EventRecord[]>;
  /**
   * The run's record meta, `undefined` when the run is not stored, null when it has no run record.
   */
  runMeta(run: string): Promise<Readonly<Record<string, unknown>> | null | undefined>;
  /** Writes the run record of a new run (load `loadId`); refuses a run that exists. */
  createRun(
    run: string,
    record: { readonly description: string; readonly meta: Record<string, unknown> },
    loadId: number,
  ): Promise<void>;
  /** Appends a batch in one transaction: all of it is stored when this resolves, nothing when it rejects. */
  append(batch: LedgerBatch): Promise<void>;
  /**
   * Appends journal lines (src/store/reward-journal.ts) in one transaction, the engine parsing their text (no
   * per-row work in this process): all of them are stored when this resolves, nothing when it rejects. Stores
   * exactly what `append` stores for the same batches.
   */
  appendJournaled(lines: readonly JournaledText[]): Promise<void>;
}

/** A stored calibration event's columns as both ledgers read them back (`eventsBetween`): `show`'s, with its run. */
export type LedgerEventColumns = Omit<StoredEventColumns, 'kind' | 'time'> & {
  readonly run: string;
  readonly session: number;
  readonly kind: EventRecord['kind'];
};

/**
 * The event record a ledger gives back to the calibrator's replay: nulls kept as nulls (the replay compares
 * them with the events it computes, which carry them), unlike `eventRecord` of run-records.ts, which drops them
 * for `rlaudit copy`.
 */
export function ledgerEvent(e: LedgerEventColumns): EventRecord {
  return {
    type: 'event',
    run: e.run,
    session: e.session,
    id: e.id,
    kind: e.kind,
    parameter: e.parameter,
    target: e.target as EventRecord['target'],
    from: e.from_value,
    to: e.to_value,
    change_pct: e.change_pct,
    trigger: e.trigger as EventRecord['trigger'],
    recommended_by: e.recommended_by,
    note: e.note,
  };
}

/** A stored session's columns as both ledgers read them back (`SESSION_COLUMNS` of each engine). */
export interface LedgerSessionColumns {
  readonly session: number;
  readonly step: number | null;
  readonly prompt_id: string | null;
  readonly prompt: string | null;
  readonly output: string;
  readonly classification: string | null;
  readonly category: string | null;
  readonly baseline_reward: number | null;
  readonly adjusted_reward: number | null;
  readonly differential_pct: number | null;
  readonly compliance_trajectory_index: number | null;
  readonly meta: Readonly<Record<string, unknown>> | null;
  readonly phase: string;
}

/** The session a ledger gives back to the service; categories stored as text come back as sent (`3` → 3). */
export function ledgerSession(r: LedgerSessionColumns): LedgerSession {
  return {
    session: r.session,
    step: r.step,
    promptId: r.prompt_id,
    prompt: r.prompt,
    output: r.output,
    classification: r.classification,
    // categories are stored as text; integer text is the number it was sent as (as `scanSessions` reads it)
    category: r.category !== null && /^-?\d+$/.test(r.category) ? Number(r.category) : r.category,
    baselineReward: r.baseline_reward,
    adjustedReward: r.adjusted_reward,
    differentialPct: r.differential_pct,
    complianceTrajectoryIndex: r.compliance_trajectory_index,
    meta: r.meta,
    phase: r.phase,
  };
}
