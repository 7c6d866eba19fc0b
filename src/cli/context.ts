import { type Command, InvalidArgumentError } from 'commander';
import { DuckDbStore } from '../store/duckdb/duckdb-store.ts';
import type { Store } from '../store/store.ts';
import { resolveDbPath } from './db-path.ts';

/** Opens the store named by the global `--db` option for the duration of `fn`, and always closes it. */
export async function withStore<T>(cmd: Command, fn: (store: Store) => Promise<T>): Promise<T> {
  const globals = cmd.optsWithGlobals<{ db?: string }>();
  const store = await DuckDbStore.open(resolveDbPath(globals.db));
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

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
