import { createHash } from 'node:crypto';
import { InputError } from '../model/errors.ts';
import { stableStringify } from '../model/stable-stringify.ts';
import { ingestRecords, ingestStepMetricRows } from './ingest.ts';
import { emptyCounts, type IngestCounts, type RunSummary, type Store } from './store.ts';

/** What a store holds of one run, for reconciling a copy: counts and a content hash. */
export interface RunDigest {
  readonly sessions: number;
  readonly annotations: number;
  readonly events: number;
  /** Stored per-step metrics: one per (step, name). */
  readonly stepMetrics: number;
  /**
   * SHA-256 over the run record, then every session as a record in session order, then the standalone
   * annotations and the events by id, then the per-step metrics by step and name (`{"name", "step",
   * "type": "step-metric", "value"}`), each as canonical JSON (`stableStringify`) on a line of its own: the
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
  const metrics = await store.listStepMetrics({ run });
  for (const m of metrics) {
    hash.update(stableStringify({ type: 'step-metric', step: m.step, name: m.name, value: m.value }));
    hash.update('\n');
  }
  return {
    sessions: n.session,
    annotations: n.annotation,
    events: n.event,
    stepMetrics: metrics.length,
    sha256: hash.digest('hex'),
  };
}

/**
 * Copies runs from one store to another (`rlaudit copy`): each run's record, sessions (with their nested
 * annotations), standalone annotations and events are read page by page from `from` and ingested into `to`
 * as records, then its per-step metrics (a small series: steps × names), with the ingest's rules — so a second copy adds nothing (every row a duplicate) and a run that
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
  const holdsRecords = async (r: RunSummary) =>
    r.sessions + r.events + r.annotations > 0 ||
    r.model !== null ||
    (await from.listStepMetrics({ run: r.run })).length > 0;
  const runs: string[] = [];
  if (options.run !== undefined) runs.push(options.run);
  else for (const r of await from.listRuns()) if (await holdsRecords(r)) runs.push(r.run);
  if (options.run !== undefined && !(await from.hasRun(options.run))) {
    throw new InputError(`no run '${options.run}' in ${from.location}`, { field: '--run' });
  }
  const out: CopiedRun[] = [];
  for (const run of runs) {
    const name = `copy:${from.location}`;
    const summary = await ingestRecords(to, runRecords(from, run), { name });
    if (summary.errors.length > 0) throw new InputError(`copying run '${run}': ${summary.errors[0]}`);
    const metrics = await from.listStepMetrics({ run });
    const m = metrics.length > 0 ? await ingestStepMetricRows(to, run, metrics, { name }) : emptyCounts();
    const [a, b] = [await digestRun(from, run), await digestRun(to, run)];
    out.push({
      run,
      read: summary.read + m.read,
      accepted: summary.accepted + m.accepted,
      rejected: summary.rejected + m.rejected,
      duplicates: summary.duplicates + m.duplicates,
      conflicts: summary.conflicts + m.conflicts,
      from: a,
      to: b,
      matches:
        a.sha256 === b.sha256 &&
        a.sessions === b.sessions &&
        a.annotations === b.annotations &&
        a.events === b.events &&
        a.stepMetrics === b.stepMetrics,
    });
  }
  return out;
}
