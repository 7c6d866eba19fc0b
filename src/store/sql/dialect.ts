import type { Query } from '../query.ts';
import type { SqlFragment, SqlValue } from './sql.ts';

/** How one value enters a statement: SQL text, and (for a dialect with parameters) the parameter to bind. */
export interface DialectValue {
  /** A placeholder (`$p1`) or an escaped literal (`'it''s'`). */
  readonly text: string;
  /** Present when the dialect binds: the parameter name (without `$`) and the engine value. */
  readonly param?: { readonly name: string; readonly value: unknown };
}

/**
 * What differs between engines when a fragment becomes SQL text: identifier quoting and how values travel.
 * The SQL inside the templates is the backend's own (each backend has same-named scan files under
 * `store/<backend>/`); a dialect never rewrites functions or syntax.
 *
 * - A dialect WITH query parameters (DuckDB, src/store/duckdb/duckdb-dialect.ts) returns a placeholder and
 *   the parameter from `value`; the compiled `Query` carries `params`.
 * - A dialect WITHOUT query parameters (ClickHouse 18.16 has none) is a file of the same shape,
 *   `src/store/clickhouse/clickhouse-dialect.ts`, whose `value` returns `{ text: clickHouseLiteral(v) }` and
 *   no `param`: the compiled `Query` then has no `params`, and the value's safety rests on that ONE
 *   literal-escaping function (a string in `'…'` with `\` and `'` backslash-escaped and control characters
 *   (NUL, newline, …) written as escapes; numbers only when finite; `NULL`; arrays as `[…]` of literals),
 *   which gets its own exhaustive tests. Templates stay the same: they never write placeholders, so nothing
 *   else changes when values are inlined.
 *
 * @example
 * const myDialect: SqlDialect = {
 *   name: 'duckdb',
 *   quoteIdent: (n) => `"${n.replaceAll('"', '""')}"`,
 *   value: (v, i) => ({ text: `$p${i + 1}`, param: { name: `p${i + 1}`, value: v } }),
 * };
 */
export interface SqlDialect {
  /** The backend's name, carried by `QueryError`. */
  readonly name: string;
  /** Quotes one name; qualified names are joined with `.` by {@link compile}. */
  quoteIdent(name: string): string;
  /** The SQL text for the `index`-th (0-based) value of a statement. */
  value(value: SqlValue, index: number): DialectValue;
}

/**
 * A fragment as the `Query` value that crosses the store boundary. `params` is left out when there is none,
 * so a statement without values (DDL, a script of several statements) is run as is.
 *
 * @example compile(sql`SELECT * FROM runs WHERE run = ${'wild-7'}`, duckDbDialect)
 * // { sql: 'SELECT * FROM runs WHERE run = $p1', params: { p1: 'wild-7' } }
 */
export function compile(fragment: SqlFragment, dialect: SqlDialect): Query {
  let text = '';
  let index = 0;
  const params: Record<string, unknown> = {};
  let bound = false;
  for (const [i, part] of fragment.parts.entries()) {
    if (part.kind === 'text') text += part.text;
    else if (part.kind === 'ident') text += part.names.map((n) => dialect.quoteIdent(n)).join('.');
    else {
      const v = dialect.value(part.value, index++);
      text += v.text;
      const next = fragment.parts[i + 1];
      // `$p1` followed by `x` would read as the placeholder `$p1x`, a literal as `'a'x`: refuse, not guess
      if (next?.kind === 'text' && /^[\p{L}\p{N}_$]/u.test(next.text)) {
        throw new TypeError(`sql: a value is followed directly by ${JSON.stringify(next.text.slice(0, 10))}`);
      }
      if (v.param) {
        params[v.param.name] = v.param.value;
        bound = true;
      }
    }
  }
  return bound ? { sql: text, params } : { sql: text };
}
