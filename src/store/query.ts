/** A query crosses the store boundary as a value: SQL text plus named, bound parameters. */
export interface Query {
  readonly sql: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Quotes an identifier (table or column name) for SQL; the only way identifiers enter SQL text. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
