import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { InputError } from '../model/errors.ts';
import type { Store } from '../store/store.ts';
import { resolveStore, type StoreOptions } from './db-path.ts';

/**
 * Opens the store named by the global `--store` / `--db` options (src/cli/db-path.ts) for the duration of
 * `fn`, and always closes it. Only commands that write runs (`create: true`) may create a new database file
 * (or, on a single ClickHouse server, the tables); the others refuse a store that does not exist, so a
 * mistyped --db is reported instead of silently making an empty database. On ClickHouse, a command the store
 * does not support yet is refused before anything is opened.
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
  const choice = resolveStore(cmd.optsWithGlobals<StoreOptions>());
  if (choice.kind === 'clickhouse') return useStore(await openClickHouse(cmd, choice.url, options), fn);
  const path = choice.path;
  if (!options.create && path !== ':memory:' && !existsSync(path)) {
    throw new InputError(
      'no database here: add a run first (rlaudit ingest FILE, rlaudit simulate, or rlaudit demo), or point --db or RLAUDIT_DB at an existing one',
      { file: path },
    );
  }
  // DuckDB is imported here, when a command opens the store, so that --help and --version start fast
  const { DuckDbStore } = await import('../store/duckdb/duckdb-store.ts');
  return useStore(await DuckDbStore.open(path, { writes: options.writes ?? true }), fn);
}

/**
 * Opens the store a `--from` / `--to` option names (`duckdb:PATH`, a plain path, or a ClickHouse URL) for the
 * duration of `fn` (`rlaudit copy`). `create` lets it create a new DuckDB file (or tables on one ClickHouse
 * server); otherwise a DuckDB file that does not exist is refused, naming the option.
 */
export async function withStoreAt<T>(
  text: string,
  option: string,
  fn: (store: Store) => Promise<T>,
  options: { readonly create?: boolean } = {},
): Promise<T> {
  const choice = resolveStore({ store: text });
  if (choice.kind === 'clickhouse') {
    const { ClickHouseStore } = await import('../store/clickhouse/clickhouse-store.ts');
    return useStore(await ClickHouseStore.open(choice.url, { create: options.create ?? false }), fn);
  }
  if (!options.create && choice.path !== ':memory:' && !existsSync(choice.path)) {
    throw new InputError(`no database here (${option})`, { file: choice.path, field: option });
  }
  const { DuckDbStore } = await import('../store/duckdb/duckdb-store.ts');
  return useStore(await DuckDbStore.open(choice.path, { writes: options.create ?? false }), fn);
}

async function useStore<T>(store: Store, fn: (store: Store) => Promise<T>): Promise<T> {
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The top-level command (`analyze` for `analyze convergence`). */
function topCommand(cmd: Command): Command {
  let c = cmd;
  while (c.parent?.parent) c = c.parent;
  return c;
}

async function openClickHouse(cmd: Command, url: string, options: { readonly create?: boolean }) {
  const { CLICKHOUSE_COMMANDS, notOnClickHouse } = await import('../store/clickhouse/supported.ts');
  const name = topCommand(cmd).name();
  if (!CLICKHOUSE_COMMANDS.has(name)) throw notOnClickHouse(`rlaudit ${name}`);
  const { ClickHouseStore } = await import('../store/clickhouse/clickhouse-store.ts');
  return ClickHouseStore.open(url, { create: options.create ?? false });
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

/** Parses a positive integer option (a window size, a row limit: 0 means nothing there), with a usage error naming it. */
export function positiveIntOption(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
      throw new InvalidArgumentError(`${name} expects a positive integer.`);
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
