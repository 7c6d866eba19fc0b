import type { StoredRun } from '../sources/importers/run-cursors.ts';

/** One step of one stored run: its sessions in session order, and the index each records within the step. */
export interface StoredStep {
  readonly run: string;
  readonly step: number | null;
  readonly sessions: readonly number[];
  /** Aligned with `sessions`: the stored meta `rlaudit_index_in_step`, or null where a session has none. */
  readonly indexes: readonly (number | null)[];
}

/**
 * What a run and its `-part<n>` runs hold, from each engine's read of their steps (`storedSessions` of
 * either store; the rule of src/sources/importers/run-cursors.ts): only the run itself and its numbered
 * parts (`<run>-part2`, not `<run>-partial`); a step whose every session records its index within the step
 * is matched by index, other steps by position.
 */
export function storedRuns(baseRun: string, steps: Iterable<StoredStep>): StoredRun[] {
  const prefix = `${baseRun}-part`;
  const byRun = new Map<
    string,
    {
      steps: Map<number | null, readonly number[]>;
      indexed: Map<number | null, Map<number, number>>;
      lastSession: number | null;
      lastStep: number | null;
    }
  >();
  for (const r of steps) {
    if (r.run !== baseRun && !(r.run.startsWith(prefix) && /^\d+$/.test(r.run.slice(prefix.length))))
      continue;
    let e = byRun.get(r.run);
    if (e === undefined) {
      e = { steps: new Map(), indexed: new Map(), lastSession: null, lastStep: null };
      byRun.set(r.run, e);
    }
    e.steps.set(r.step, r.sessions);
    if (r.indexes.every((i) => i !== null)) {
      e.indexed.set(r.step, new Map(r.indexes.map((i, k) => [i as number, r.sessions[k]!])));
    }
    for (const s of r.sessions) if (e.lastSession === null || s > e.lastSession) e.lastSession = s;
    if (r.step !== null && (e.lastStep === null || r.step > e.lastStep)) e.lastStep = r.step;
  }
  return [...byRun.entries()].map(([run, e]) => ({ run, ...e }));
}
