import { join, type SqlFragment, sql } from '../../sql/sql.ts';

/**
 * The run's annotations that the training analyses read (the twin of
 * src/store/duckdb/scans/training-annotations.ts): all but those on a stored session of a phase after
 * training, with the `derived` columns the query reads (src/store/clickhouse/derived-columns.ts). 18.16 has
 * no correlated subquery: the later-phase sessions are one `GLOBAL NOT IN` set.
 */
export function trainingAnnotations(run: string, derived: readonly SqlFragment[] = []): SqlFragment {
  return sql`(SELECT ${join([sql`*`, ...derived])} FROM annotations FINAL WHERE run = ${run} AND session GLOBAL NOT IN (
      SELECT session FROM sessions FINAL WHERE run = ${run} AND phase IS NOT NULL AND phase <> 'training'))`;
}
