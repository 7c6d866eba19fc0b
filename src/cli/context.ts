import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { InputError } from '../model/errors.ts';
import type { Store } from '../store/store.ts';
import { resolveDbPath } from './db-path.ts';

/**
 * Opens the store named by the global `--db` option for the duration of `fn`, and always closes it.
 * Only commands that write runs (`create: true`) may create a new database file; the others refuse a path
 * that does not exist, so a mistyped --db is reported instead of silently making an empty database.
 */
export async function withStore<T>(
  cmd: Command,
  fn: (store: Store) => Promise<T>,
  options: {
    readonly create?: boolean;
    /** False for commands that only read (runs, sessions, show, rejects): their "in use" message says so. */
    readonly writes?: boolean;
  } = {},
): Promise<T> {
  const globals = cmd.optsWithGlobals<{ db?: string }>();
  const path = resolveDbPath(globals.db);
  if (!options.create && path !== ':memory:' && !existsSync(path)) {
    throw new InputError(
      'no database here: add a run first (rlaudit ingest FILE, rlaudit simulate, or rlaudit demo), or point --db or RLAUDIT_DB at an existing one',
      { file: path },
    );
  }
  // DuckDB is imported here, when a command opens the store, so that --help and --version start fast
  const { DuckDbStore } = await import('../store/duckdb/duckdb-store.ts');
  const store = await DuckDbStore.open(path, { writes: options.writes ?? true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Parses a non-negative integer option, with a usage error naming the option. */
export function intOption(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(`${name} expects a non-negative integer.`);
    }
    return Number(value);
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `withStore` for commands that only read: a locked database is explained without the word "writer". */
export function withStoreReading<T>(cmd: Command, fn: (store: Store) => Promise<T>): Promise<T> {
  return withStore(cmd, fn, { writes: false });
}
