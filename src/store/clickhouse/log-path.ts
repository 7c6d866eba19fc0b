import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ClickHouseTarget } from './store-url.ts';

/**
 * Where the local logs of a ClickHouse store go (its alerts log and the watch's health log): `logDir/<hash>`,
 * the hash of the store URL as shown (never a password), so `rlaudit watch --store URL --log-dir D` writes the
 * alerts log that `rlaudit serve --store URL --log-dir D` follows. The log's own name is added to it
 * (`alertsLogPath`, src/model/alerts.ts).
 */
export function clickHouseLogBase(target: ClickHouseTarget, logDir: string): string {
  return join(logDir, createHash('sha256').update(target.display).digest('hex').slice(0, 16));
}

/** The default `--log-dir` of watch and serve on a ClickHouse store. */
export const DEFAULT_CLICKHOUSE_LOG_DIR = '.rlaudit/watch';
