import { InputError } from '../model/errors.ts';

/** The database file: `--db PATH`, else `$RLAUDIT_DB`, else `./.rlaudit/rlaudit.duckdb`. */
export const DEFAULT_DB_PATH = '.rlaudit/rlaudit.duckdb';

/** Which store a command opens: a DuckDB file (the default) or a ClickHouse database. */
export type StoreChoice =
  | { readonly kind: 'duckdb'; readonly path: string }
  | { readonly kind: 'clickhouse'; readonly url: string };

/** The global options that choose the store. */
export interface StoreOptions {
  readonly db?: string;
  readonly store?: string;
}

function fromStoreText(text: string): StoreChoice {
  if (/^clickhouse:\/\//i.test(text)) return { kind: 'clickhouse', url: text };
  return { kind: 'duckdb', path: text.replace(/^duckdb:/i, '') };
}

/**
 * The store: `--store URL` or `--db PATH` (not both), else `$RLAUDIT_STORE`, else `$RLAUDIT_DB`, else the
 * default DuckDB file. A store URL is `clickhouse://user@host:port/database[?cluster=NAME]`, or `duckdb:PATH`
 * (or a plain path) for a DuckDB file.
 */
export function resolveStore(globals: StoreOptions): StoreChoice {
  if (globals.store !== undefined && globals.db !== undefined) {
    throw new InputError('--store and --db both name the store: give one', { field: '--store' });
  }
  if (globals.store !== undefined) return fromStoreText(globals.store);
  if (globals.db !== undefined) return { kind: 'duckdb', path: globals.db };
  const env = process.env.RLAUDIT_STORE;
  if (env !== undefined && env !== '') return fromStoreText(env);
  return { kind: 'duckdb', path: process.env.RLAUDIT_DB ?? DEFAULT_DB_PATH };
}
