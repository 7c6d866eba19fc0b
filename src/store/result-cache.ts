/**
 * Analysis results kept in the store, keyed by what they were computed from: the run's content (its
 * fingerprint changes with every load that adds, changes or removes rows of the run), the rlaudit code, and
 * the analysis with its parameters and windows. `rlaudit analyze` after an audit, and a second audit, read
 * them instead of scanning the run again; an ingest into the run makes them unreachable.
 */
export interface ResultCache {
  /**
   * The run's content fingerprint: the loads whose rows (sessions, annotations, events, the run record)
   * the run holds, and the row counts. Cheap (one pass over integer columns).
   */
  fingerprint(run: string): Promise<string>;
  /** The stored value of `key` when it was stored under the same fingerprint, else null. */
  get(run: string, fingerprint: string, key: string): Promise<string | null>;
  /** Stores `value` (JSON text) under `key`, replacing an older entry of the run with that key. */
  put(run: string, fingerprint: string, key: string, value: string): Promise<void>;
  /** Forgets every entry of a run (or of all runs). */
  clear(run?: string): Promise<void>;
}
