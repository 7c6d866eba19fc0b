import { createHash } from 'node:crypto';
import { InputError } from '../model/errors.ts';
import { stableStringify } from '../model/stable-stringify.ts';
import { ingestRecords } from './ingest.ts';
import type { IngestCounts, Store } from './store.ts';

/** What a store holds of one run, for reconciling a copy: counts and a content hash. */
export interface RunDigest {
  readonly sessions: number;
  readonly annotations: number;
  readonly events: number;
  /**
   * SHA-256 over the run record, then every session as a record in session order, then the standalone
   * annotations and the events by id, each as canonical JSON (`stableStringify`) on a line of its own: the
   * same for two stores exactly when they return the same run through the Store interface.
   */
  readonly sha256: string;
}

/** One run's copy: what was written, and the digests of both sides after it. */
export interface CopiedRun extends IngestCounts {
  readonly run: string;
  readonly from: RunDigest;
  readonly to: RunDigest;
  readonly matches: boolean;
}

/** The records of a run, in the order the digest reads them (bounded memory: pages of the stores' scans). */
async function* runRecords(store: Store, run: string): AsyncGenerator<unknown> {
  const record = await store.getRun(run);
  if (record) yield record;
  for await (const page of store.scanSessions(run)) yield* page;
  for await (const page of store.scanRunRecords(run)) yield* page;
}

/** Counts and content hash of one run in a store (streamed: one page at a time). */
export async function digestRun(store: Store, run: string): Promise<RunDigest> {
  const hash = createHash('sha256');
  const n = { session: 0, annotation: 0, event: 0 };
  for await (const r of runRecords(store, run)) {
    hash.update(stableStringify(r));
    hash.update('\n');
    const type = (r as { type?: string }).type;
    if (type === 'session' || type === 'annotation' || type === 'event') n[type]++;
  }
  return { sessions: n.session, annotations: n.annotation, events: n.event, sha256: hash.digest('hex') };
}

/**
 * Copies runs from one store to another (`rlaudit copy`): each run's record, sessions (with their nested
 * annotations), standalone annotations and events are read page by page from `from` and ingested into `to`
 * as records, with the ingest's rules — so a second copy adds nothing (every row a duplicate) and a run that
 * already differs in `to` keeps its rows (conflicts, listed by `rlaudit rejects` of `to`). Then both sides
 * are digested and compared. Rejected rows of the source are not copied (they are no part of a run's record).
 *
 * @example const copied = await copyRuns(duck, house, { run: 'grpo-7' }); // copied[0].matches
 */
export async function copyRuns(
  from: Store,
  to: Store,
  options: { readonly run?: string } = {},
): Promise<CopiedRun[]> {
  const runs =
    options.run !== undefined
      ? [options.run]
      : (await from.listRuns())
          .filter((r) => r.sessions + r.events + r.annotations > 0 || r.model !== null)
          .map((r) => r.run);
  if (options.run !== undefined && !(await from.hasRun(options.run))) {
    throw new InputError(`no run '${options.run}' in ${from.location}`, { field: '--run' });
  }
  const out: CopiedRun[] = [];
  for (const run of runs) {
    const summary = await ingestRecords(to, runRecords(from, run), { name: `copy:${from.location}` });
    if (summary.errors.length > 0) throw new InputError(`copying run '${run}': ${summary.errors[0]}`);
    const [a, b] = [await digestRun(from, run), await digestRun(to, run)];
    out.push({
      run,
      read: summary.read,
      accepted: summary.accepted,
      rejected: summary.rejected,
      duplicates: summary.duplicates,
      conflicts: summary.conflicts,
      from: a,
      to: b,
      matches:
        a.sha256 === b.sha256 &&
        a.sessions === b.sessions &&
        a.annotations === b.annotations &&
        a.events === b.events,
    });
  }
  return out;
}
