import { type SqlFragment, sql } from '../../sql/sql.ts';

/**
 * The run's annotations that the training analyses read: all but those on a session of a phase after
 * training (docs/record-format.md#phases), as `training_sessions` is to `sessions`. An annotation whose
 * session is not stored is kept (it was written during training, or names no stored session).
 */
export function trainingAnnotations(run: string): SqlFragment {
  return sql`(SELECT * FROM annotations a WHERE a.run = ${run} AND NOT EXISTS (
      SELECT 1 FROM sessions s WHERE s.run = a.run AND s.session = a.session
        AND s.phase IS NOT NULL AND s.phase <> 'training'))`;
}
