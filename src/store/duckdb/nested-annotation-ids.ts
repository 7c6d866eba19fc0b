import { z } from 'zod';
import {
  type HeldAnnotation,
  rejectNestedAnnotationIdConflicts as reject,
} from '../nested-annotation-ids.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { list, sql } from '../sql/sql.ts';
import type { IngestBatch } from '../store.ts';
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

/**
 * The nested-annotation id rule of every store (src/store/nested-annotation-ids.ts) with the stored ids read
 * from the DuckDB file: a session whose nested annotation reuses an id another session holds, or names a
 * stored annotation with other content, is rejected naming `annotations.K.id`.
 */
export function rejectNestedAnnotationIdConflicts(
  client: DuckDbClient,
  batch: IngestBatch,
): Promise<IngestBatch> {
  return reject(batch, async (run, ids): Promise<HeldAnnotation[]> => {
    const rows = await client.query(
      sql`SELECT a.run, a.id, a.session, a.author, a.text, l.abs_path AS load_file, a.source_line
            FROM annotations a LEFT JOIN loads l ON l.load_id = a.load_id
           WHERE a.run = ${run} AND a.id IN (${list([...ids])})`,
      StoredAnnotationRow,
    );
    return rows.map((r) => ({
      run: r.run,
      id: r.id,
      session: r.session,
      author: r.author,
      text: r.text,
      where: r.load_file ? `${r.load_file}${r.source_line !== null ? `:${r.source_line}` : ''}` : 'the store',
    }));
  });
}
