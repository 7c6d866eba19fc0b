import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../model/errors.ts';
import type { DashboardOptions } from '../../server/dashboard/server.ts';
import type { ReadHandle } from '../../server/dashboard/store-lease.ts';
import { DEFAULT_CLICKHOUSE_LOG_DIR } from '../../store/clickhouse/log-path.ts';
import type { ClickHouseTarget } from '../../store/clickhouse/store-url.ts';
import { intOption } from '../context.ts';
import { resolveStore, type StoreOptions } from '../db-path.ts';

interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly token?: string;
  readonly logDir: string;
}

/** Opens the DuckDB store read-only with the dashboard's reads. */
async function openDuckDbReadOnly(path: string): Promise<ReadHandle> {
  const { DuckDbStore } = await import('../../store/duckdb/duckdb-store.ts');
  const { duckDbDashboardReads } = await import('../../store/duckdb/duckdb-dashboard.ts');
  const store = await DuckDbStore.open(path, { readOnly: true });
  return { store, reads: duckDbDashboardReads(store.client) };
}

/** What the dashboard needs of its store, and how the start-up line names it. */
interface ServedStore {
  readonly dashboard: Pick<DashboardOptions, 'dbPath' | 'alertsPath' | 'version' | 'open' | 'lease'>;
  readonly describe: string;
  close(): Promise<void>;
}

/** A DuckDB file: opened read-only per request and released when idle, so writers can open it between. */
async function duckDbServed(path: string): Promise<ServedStore> {
  if (!existsSync(path)) {
    throw new InputError(
      'no database here: add a run first (rlaudit ingest FILE, rlaudit simulate, or rlaudit demo), or point --db or RLAUDIT_DB at an existing one',
      { file: path },
    );
  }
  // fail now, not at the first request, on a file that is not a current rlaudit database
  await (await openDuckDbReadOnly(path)).store.close();
  return {
    dashboard: { dbPath: path, open: () => openDuckDbReadOnly(path) },
    describe: `database ${path}, read-only; opened per request and released when idle`,
    close: async () => {},
  };
}

/**
 * A ClickHouse database: the same start-up checks as every command (unreachable server, refused user, missing
 * database or cluster, tables of another schema version: exit 2 naming the URL, never the password); the
 * response cache keyed by the servers' part metadata (src/store/clickhouse/store-version.ts); the alerts log
 * that `rlaudit watch --store URL --log-dir D` writes. Only reads are sent: a read-only user is enough.
 */
async function clickHouseServed(url: string, logDir: string): Promise<ServedStore> {
  const { ClickHouseStore } = await import('../../store/clickhouse/clickhouse-store.ts');
  const { parseClickHouseUrl } = await import('../../store/clickhouse/store-url.ts');
  const { clickHouseLogBase } = await import('../../store/clickhouse/log-path.ts');
  const { clickHouseStoreVersion } = await import('../../store/clickhouse/store-version.ts');
  const { alertsLogPath } = await import('../../model/alerts.ts');
  const target = parseClickHouseUrl(url);
  const open = await clickHouseReadOpener(target);
  // the start-up check, and the connection the cache's version is asked on (kept for the server's life)
  const versionStore = await ClickHouseStore.open(target);
  return {
    dashboard: {
      open,
      alertsPath: alertsLogPath(clickHouseLogBase(target, logDir)),
      version: () => clickHouseStoreVersion(versionStore.client, target.database, target.cluster),
      // nothing to release for a writer (ClickHouse has no file lock): the connection is kept longer
      lease: { idleMs: 60_000 },
    },
    describe: `ClickHouse ${target.display}, read-only; alerts from ${alertsLogPath(clickHouseLogBase(target, logDir))}`,
    close: () => versionStore.close(),
  };
}

/**
 * Opens the ClickHouse store with the dashboard's reads, for the requests after the start. The store passed
 * its checks at the start, so a failure to open it now (the server stopped, a shard is down, the network) is
 * the store being unavailable: marked so, the API answers 503 naming the URL, not 400 as a bad request.
 */
export async function clickHouseReadOpener(target: ClickHouseTarget): Promise<() => Promise<ReadHandle>> {
  const { ClickHouseStore } = await import('../../store/clickhouse/clickhouse-store.ts');
  const { clickHouseDashboardReads } = await import('../../store/clickhouse/clickhouse-dashboard.ts');
  const { markStoreUnavailable } = await import('../../model/errors.ts');
  return async () => {
    try {
      const store = await ClickHouseStore.open(target);
      return { store, reads: clickHouseDashboardReads(store.client) };
    } catch (err) {
      throw err instanceof Error ? markStoreUnavailable(err) : err;
    }
  };
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
    .option(
      '--log-dir <dir>',
      'on a ClickHouse store: the --log-dir of rlaudit watch, whose alert log the dashboard follows (a DuckDB file keeps it beside itself)',
      DEFAULT_CLICKHOUSE_LOG_DIR,
    )
    .action(async (opts: ServeOptions, cmd: Command) => {
      const choice = resolveStore(cmd.optsWithGlobals<StoreOptions>());
      const token = opts.token ?? process.env.RLAUDIT_TOKEN ?? undefined;
      const { checkBind } = await import('../../server/http/bind.ts');
      checkBind('serve', { host: opts.host, port: opts.port, token });
      const served =
        choice.kind === 'clickhouse'
          ? await clickHouseServed(choice.url, opts.logDir)
          : await duckDbServed(choice.path);
      const { startDashboard } = await import('../../server/dashboard/server.ts');
      let server: Awaited<ReturnType<typeof startDashboard>>;
      try {
        server = await startDashboard({ ...served.dashboard, host: opts.host, port: opts.port, token });
      } catch (err) {
        await served.close();
        throw err;
      }
      process.stdout.write(
        `rlaudit serve: ${server.url} (${served.describe})\n` +
          `${token ? 'every request must send "Authorization: Bearer <token>"\n' : ''}press Ctrl-C to stop\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server
            .close()
            .then(() => served.close())
            .then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
