import { InputError } from '../../model/errors.ts';

/**
 * The commands that run on a ClickHouse store today. Any other command refuses before it opens the store
 * (src/cli/context.ts), naming what is supported, rather than return a wrong or empty answer. Kept apart from
 * the store so that the CLI can check it without loading the ClickHouse client.
 */
export const CLICKHOUSE_COMMANDS: ReadonlySet<string> = new Set([
  'runs',
  'rejects',
  'ingest',
  'sessions',
  'show',
  'calibrate',
  'copy',
  'simulate',
  'audit',
  'check',
  'analyze',
  'demo',
  'serve',
  // open their stores themselves (src/cli/commands/serve-reward.ts, watch.ts): listed for the others' message
  'serve-reward',
  'watch',
]);

/** The error of a command or store operation the ClickHouse store does not have yet (exit 2). */
export function notOnClickHouse(what: string): InputError {
  return new InputError(
    `${what} is not supported on the ClickHouse store yet (it supports: ` +
      `${[...CLICKHOUSE_COMMANDS].map((c) => `rlaudit ${c}`).join(', ')}; docs/deploy-clickhouse.md). ` +
      'Use the DuckDB store (--db) for it',
    { field: '--store' },
  );
}
