import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { alertsLogPath } from '../../model/alerts.ts';
import { checkBind } from '../http/bind.ts';
import { AlertsFollower } from './alerts-follower.ts';
import { dashboardApp } from './app.ts';
import { duckDbFileVersion, ResponseCache } from './response-cache.ts';
import { type OpenReadHandle, StoreLease, type StoreLeaseOptions } from './store-lease.ts';

export interface DashboardOptions {
  /**
   * The database file: its alerts log is `alertsLogPath(dbPath)`, its version (which the response cache is
   * keyed by) the file's (`duckDbFileVersion`). A store without a file (ClickHouse) gives `alertsPath` and
   * `version` instead.
   */
  readonly dbPath?: string;
  /** The alerts log `rlaudit watch` appends to (default `alertsLogPath(dbPath)`). */
  readonly alertsPath?: string;
  /** The store's current version (default the DuckDB file's); null keeps no answer. */
  readonly version?: () => string | null | Promise<string | null>;
  /** Opens the database read-only (the CLI passes the DuckDB store's). */
  readonly open: OpenReadHandle;
  readonly host: string;
  readonly port: number;
  readonly token?: string | undefined;
  readonly webRoot?: string | undefined;
  readonly lease?: StoreLeaseOptions;
  readonly alertsPollMs?: number;
  /**
   * Prepare the overview of the first `warmRuns` runs (their counts, curves and findings) at start, so that
   * the first page a user opens is answered from the cache (default 4; 0 prepares nothing).
   */
  readonly warmRuns?: number;
}

export interface RunningDashboard {
  readonly url: string;
  readonly port: number;
  /** Resolves once the start's preparation (`warmRuns`) is done; it never rejects. */
  readonly warmed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts `rlaudit serve`: checks the binding rule (a non-loopback host needs a token), follows the store's
 * alerts log, and serves the API and the SPA until `close`.
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  checkBind('rlaudit serve', options);
  const alertsPath = options.alertsPath ?? (options.dbPath ? alertsLogPath(options.dbPath) : undefined);
  const version = options.version ?? (options.dbPath ? duckDbFileVersion(options.dbPath) : undefined);
  if (alertsPath === undefined || version === undefined) {
    throw new TypeError('startDashboard: give dbPath, or alertsPath and version');
  }
  const lease = new StoreLease(options.open, options.lease);
  const alerts = new AlertsFollower(alertsPath, options.alertsPollMs);
  alerts.start();
  const cache = new ResponseCache(version);
  const app = dashboardApp({ lease, alerts, token: options.token, webRoot: options.webRoot, cache });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const stop = { stopped: false };
  const warmed = warm(app, options.token, options.warmRuns ?? 4, stop);
  return {
    url: `http://${host}:${address.port}/`,
    port: address.port,
    warmed,
    async close() {
      // the preparation stops after the read in flight, which must finish before the database closes
      stop.stopped = true;
      await warmed;
      alerts.stop();
      // no new connection; the requests in flight finish their reads and are answered before the database
      // closes (a request arriving on an open connection meanwhile gets 503), then what is left open (the
      // alerts' event streams, idle keep-alive connections) is closed
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const s = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
      s.closeIdleConnections?.();
      await lease.close();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 200))]);
      s.closeAllConnections?.();
      await closed;
    },
  };
}

/**
 * Asks the app, as the web app will, for the runs and for the overview reads of the first `runs` of them, so
 * that they are in the response cache before a browser asks. A failure (a writer holds the database, a run
 * without an audit) only means that answer is computed when asked for.
 */
async function warm(
  app: ReturnType<typeof dashboardApp>,
  token: string | undefined,
  runs: number,
  stop: { readonly stopped: boolean },
): Promise<void> {
  if (runs <= 0) return;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const get = async (path: string): Promise<unknown> => {
    if (stop.stopped) return null;
    try {
      const res = await app.request(path, { headers });
      return res.ok ? await res.json() : null;
    } catch {
      return null;
    }
  };
  const list = (await get('/api/runs?limit=100&offset=0')) as { runs?: { run: string }[] } | null;
  for (const { run } of (list?.runs ?? []).slice(0, runs)) {
    const seg = encodeURIComponent(run);
    const head = (await get(`/api/runs/${seg}`)) as { lastAudit?: unknown } | null;
    await get(`/api/runs/${seg}/series`);
    if (head?.lastAudit) await get(`/api/runs/${seg}/findings`);
  }
}
