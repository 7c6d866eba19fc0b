/**
 * A query crosses the store boundary as a value: SQL text plus named, bound parameters. Store code builds
 * it with the `sql` tag (src/store/sql/sql.ts) and a dialect compiles it; a dialect without parameters
 * produces a Query with none.
 */
export interface Query {
  readonly sql: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/**
 * Quotes an identifier (table or column name) the ANSI way, `"` doubled: DuckDB's dialect quotes every
 * `ident()` with it, the only way a name chosen at run time enters SQL text.
 *
 * @example quoteIdent('we"ird') // "we""ird"
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
