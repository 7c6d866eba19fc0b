import { type DuckDBValue, listValue } from '@duckdb/node-api';
import { quoteIdent } from '../query.ts';
import type { SqlDialect } from '../sql/dialect.ts';
import type { SqlValue } from '../sql/sql.ts';

/**
 * A value as DuckDB binds it. Scalars go as they are (the client infers INTEGER/BIGINT/DOUBLE for a number,
 * HUGEINT for a bigint, VARCHAR for a string); an array becomes a LIST value, typed by its first item, so an
 * empty array, which has no element type, is refused.
 */
function duckDbValue(v: SqlValue): DuckDBValue {
  if (!Array.isArray(v)) return v as Exclude<SqlValue, readonly SqlValue[]>;
  if (v.length === 0) {
    throw new RangeError('DuckDB cannot bind an empty list (no element type): test for it before the query');
  }
  return listValue(v.map(duckDbValue));
}

/**
 * DuckDB: every value is a bound, named parameter `$p1`, `$p2`, … (the Query's `params` record); identifiers
 * are double-quoted with `"` doubled.
 *
 * @example compile(sql`SELECT ${1} AS one, ${ident('a"b')}`, duckDbDialect)
 * // { sql: 'SELECT $p1 AS one, "a""b"', params: { p1: 1 } }
 */
export const duckDbDialect: SqlDialect = {
  name: 'duckdb',
  quoteIdent,
  value(value, index) {
    const name = `p${index + 1}`;
    return { text: `$${name}`, param: { name, value: duckDbValue(value) } };
  },
};
