import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { alertsLogPath } from '../../model/alerts.ts';
import { checkBind } from '../http/bind.ts';
import { AlertsFollower } from './alerts-follower.ts';
import { dashboardApp } from './app.ts';
import { type OpenReadHandle, StoreLease, type StoreLeaseOptions } from './store-lease.ts';

export interface DashboardOptions {
  /** The database file: its alerts log is `alertsLogPath(dbPath)`. */
  readonly dbPath: string;
  /** Opens the database read-only (the CLI passes the DuckDB store's). */
  readonly open: OpenReadHandle;
  readonly host: string;
  readonly port: number;
  readonly token?: string | undefined;
  readonly webRoot?: string | undefined;
  readonly lease?: StoreLeaseOptions;
  readonly alertsPollMs?: number;
}

export interface RunningDashboard {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts `rlaudit serve`: checks the binding rule (a non-loopback host needs a token), follows the store's
 * alerts log, and serves the API and the SPA until `close`.
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  checkBind('rlaudit serve', options);
  const lease = new StoreLease(options.open, options.lease);
  const alerts = new AlertsFollower(alertsLogPath(options.dbPath), options.alertsPollMs);
  alerts.start();
  const app = dashboardApp({ lease, alerts, token: options.token, webRoot: options.webRoot });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    port: address.port,
    async close() {
      alerts.stop();
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await lease.close();
    },
  };
}
