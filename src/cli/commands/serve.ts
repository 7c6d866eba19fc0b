import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../model/errors.ts';
import type { ReadHandle } from '../../server/dashboard/store-lease.ts';
import { intOption } from '../context.ts';
import { resolveDbPath, type StoreOptions } from '../db-path.ts';

interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly token?: string;
}

/** Opens the DuckDB store read-only with the dashboard's reads (the one concrete engine, chosen here). */
async function openReadOnly(path: string): Promise<ReadHandle> {
  const { DuckDbStore } = await import('../../store/duckdb/duckdb-store.ts');
  const { duckDbDashboardReads } = await import('../../store/duckdb/duckdb-dashboard.ts');
  const store = await DuckDbStore.open(path, { readOnly: true });
  return { store, reads: duckDbDashboardReads(store.client) };
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'the dashboard: a read-only web app and JSON API over the store (runs, run overview, session index, ' +
        'session detail, search, compare, report; live alerts of rlaudit watch)',
    )
    .option('--port <n>', 'TCP port (0 picks a free one)', intOption('--port'), 7410)
    .option('--host <host>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option(
      '--token <t>',
      'require "Authorization: Bearer <t>" on every API request (at least 16 characters; default $RLAUDIT_TOKEN)',
    )
    .action(async (opts: ServeOptions, cmd: Command) => {
      const path = resolveDbPath(cmd.optsWithGlobals<StoreOptions>(), 'serve');
      const token = opts.token ?? process.env.RLAUDIT_TOKEN ?? undefined;
      const { checkBind } = await import('../../server/http/bind.ts');
      checkBind('serve', { host: opts.host, port: opts.port, token });
      if (!existsSync(path)) {
        throw new InputError(
          'no database here: add a run first (rlaudit ingest FILE, rlaudit simulate, or rlaudit demo), or point --db or RLAUDIT_DB at an existing one',
          { file: path },
        );
      }
      // fail now, not at the first request, on a file that is not a current rlaudit database
      await (await openReadOnly(path)).store.close();
      const { startDashboard } = await import('../../server/dashboard/server.ts');
      const server = await startDashboard({
        dbPath: path,
        open: () => openReadOnly(path),
        host: opts.host,
        port: opts.port,
        token,
      });
      process.stdout.write(
        `rlaudit serve: ${server.url} (database ${path}, read-only; opened per request and released when idle)\n` +
          `${token ? 'every request must send "Authorization: Bearer <token>"\n' : ''}press Ctrl-C to stop\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
