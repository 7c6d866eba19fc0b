import { z } from 'zod';
import type { SessionRecord } from '../../model/schema.ts';
import type { StagedReject } from '../../sources/staged.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { list, sql } from '../sql/sql.ts';
import type { IngestBatch, Staged } from '../store.ts';
import { nullableText, number, text } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';

const StoredAnnotationRow = rowDecoder(
  'storedAnnotationIds',
  z.object({
    run: text,
    id: text,
    session: number,
    author: nullableText,
    text: text,
    load_file: nullableText,
    source_line: z.union([number, z.null()]),
  }),
);

interface Holder {
  readonly session: number;
  readonly author: string | null;
  readonly text: string;
  readonly where: string;
}

const idOf = (s: Staged<SessionRecord>, i: number, id: string | null | undefined) =>
  id ?? `a-${s.record.session}-${i + 1}`;

/**
 * An annotation id names one annotation of a run. A session whose nested annotation reuses an id that another
 * session of the run already holds (stored by an earlier load, or earlier in this batch), or that names a
 * stored annotation with other content, would have its annotation silently left out of the annotations table:
 * instead the session is rejected, naming the field (`annotations.K.id`), the id and where the id is held —
 * nothing is stored of it, and read = accepted + rejected + duplicates still holds.
 * Re-ingesting the same session (same id, session and content) is not a conflict.
 */
export async function rejectNestedAnnotationIdConflicts(
  client: DuckDbClient,
  batch: IngestBatch,
): Promise<IngestBatch> {
  const withIds = batch.sessions.filter((s) => (s.record.annotations ?? []).some((a) => a.id != null));
  if (withIds.length === 0) return batch;
  const held = new Map<string, Holder>();
  const key = (run: string, id: string) => `${run}\u0000${id}`;
  const byRun = new Map<string, Set<string>>();
  for (const s of withIds) {
    const ids = byRun.get(s.run) ?? new Set<string>();
    for (const [i, a] of (s.record.annotations ?? []).entries()) ids.add(idOf(s, i, a.id));
    byRun.set(s.run, ids);
  }
  for (const [run, ids] of byRun) {
    const rows = await client.query(
      sql`SELECT a.run, a.id, a.session, a.author, a.text, l.abs_path AS load_file, a.source_line
            FROM annotations a LEFT JOIN loads l ON l.load_id = a.load_id
           WHERE a.run = ${run} AND a.id IN (${list([...ids])})`,
      StoredAnnotationRow,
    );
    for (const r of rows) {
      const where = r.load_file
        ? `${r.load_file}${r.source_line !== null ? `:${r.source_line}` : ''}`
        : 'the store';
      held.set(key(r.run, r.id), { session: r.session, author: r.author, text: r.text, where });
    }
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
