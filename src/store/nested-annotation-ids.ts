import type { SessionRecord } from '../model/schema.ts';
import type { StagedReject } from '../sources/staged.ts';
import type { IngestBatch, Staged } from './store.ts';

/** A stored annotation an id already names: its session and content, and where it was read from. */
export interface HeldAnnotation {
  readonly run: string;
  readonly id: string;
  readonly session: number;
  readonly author: string | null;
  readonly text: string;
  /** `file:line` of the row that stored it, or `the store`. */
  readonly where: string;
}

/** The stored annotations of `run` among `ids`: each engine reads them its own way. */
export type ReadHeldAnnotations = (run: string, ids: readonly string[]) => Promise<readonly HeldAnnotation[]>;

/** The id of the `i`-th nested annotation of a session: its own, else `a-<session>-<i + 1>`. */
const idOf = (s: Staged<SessionRecord>, i: number, id: string | null | undefined) =>
  id ?? `a-${s.record.session}-${i + 1}`;

const key = (run: string, id: string) => `${run}\u0000${id}`;

/**
 * An annotation id names one annotation of a run. A session whose nested annotation reuses an id that another
 * session of the run already holds (stored by an earlier load, or earlier in this batch), or that names a
 * stored annotation with other content, would have its annotation silently left out of the annotations table:
 * instead the session is rejected, naming the field (`annotations.K.id`), the id and where the id is held —
 * nothing is stored of it, and read = accepted + rejected + duplicates still holds.
 * Re-ingesting the same session (same id, session and content) is not a conflict. The rule of every store;
 * `readHeld` is the engine's read of the stored ids (asked once per run of the batch, only when a nested
 * annotation carries an id of its own).
 */
export async function rejectNestedAnnotationIdConflicts(
  batch: IngestBatch,
  readHeld: ReadHeldAnnotations,
): Promise<IngestBatch> {
  const withIds = batch.sessions.filter((s) => (s.record.annotations ?? []).some((a) => a.id != null));
  if (withIds.length === 0) return batch;
  const held = new Map<string, Omit<HeldAnnotation, 'run' | 'id'>>();
  const byRun = new Map<string, Set<string>>();
  for (const s of withIds) {
    const ids = byRun.get(s.run) ?? new Set<string>();
    for (const [i, a] of (s.record.annotations ?? []).entries()) ids.add(idOf(s, i, a.id));
    byRun.set(s.run, ids);
  }
  for (const [run, ids] of byRun) {
    for (const h of await readHeld(run, [...ids])) held.set(key(h.run, h.id), h);
  }
  const rejects: StagedReject[] = [];
  const kept: Staged<SessionRecord>[] = [];
  for (const s of batch.sessions) {
    const anns = s.record.annotations ?? [];
    let bad: StagedReject | null = null;
    for (const [i, a] of anns.entries()) {
      const id = idOf(s, i, a.id);
      const h = held.get(key(s.run, id));
      if (!h) continue;
      const same =
        h.session === s.record.session && h.text === a.text && (h.author ?? null) === (a.author ?? null);
      if (same) continue;
      bad = {
        run: s.run,
        line: s.line,
        recordType: 'session',
        field: `annotations.${i}.id`,
        expected:
          h.session === s.record.session
            ? 'an annotation id whose stored annotation has the same content (a conflict: the stored copy is kept)'
            : 'an annotation id not used by another session of the run',
        got: `annotation ${id}, held by session ${h.session} (${h.where})`,
      };
      break;
    }
    if (bad) {
      rejects.push(bad);
      continue;
    }
    kept.push(s);
    for (const [i, a] of anns.entries()) {
      const id = idOf(s, i, a.id);
      if (!held.has(key(s.run, id))) {
        held.set(key(s.run, id), {
          session: s.record.session,
          author: a.author ?? null,
          text: a.text,
          where: `${batch.sourceFile}:${s.line}`,
        });
      }
    }
  }
  if (rejects.length === 0) return batch;
  return { ...batch, sessions: kept, rejects: [...batch.rejects, ...rejects] };
}
