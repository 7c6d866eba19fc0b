import { InputError } from '../../model/errors.ts';

/**
 * Where a ClickHouse store lives, from `--store clickhouse://user@host:port/database[?cluster=NAME]` or
 * `RLAUDIT_STORE`. The port is the server's HTTP port (8123 by default). The password never travels in the
 * URL (it would show in `ps` and in shell history): it comes from `RLAUDIT_CLICKHOUSE_PASSWORD`.
 */
export interface ClickHouseTarget {
  /** The HTTP endpoint, `http://host:port`. */
  readonly endpoint: string;
  readonly user: string;
  readonly database: string;
  /** The cluster of `remote_servers` whose shards hold the tables; null for a single server. */
  readonly cluster: string | null;
  /** The URL as the user should see it in messages: never with a password. */
  readonly display: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when a `--store` value names a ClickHouse store rather than a DuckDB file. */
export function isClickHouseUrl(text: string): boolean {
  return /^clickhouse:\/\//i.test(text);
}

/**
 * Parses a ClickHouse store URL, or throws an `InputError` naming `--store` and the expected form.
 *
 * @example parseClickHouseUrl('clickhouse://default@127.0.0.1:8123/rlaudit?cluster=c2')
 * // { endpoint: 'http://127.0.0.1:8123', user: 'default', database: 'rlaudit', cluster: 'c2', display: … }
 */
export function parseClickHouseUrl(text: string): ClickHouseTarget {
  const form = 'expected clickhouse://user@host:port/database[?cluster=NAME]';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`${JSON.stringify(text)} is not a URL: ${form}`, { field: '--store' });
  }
  if (url.protocol !== 'clickhouse:') {
    throw new InputError(`${JSON.stringify(url.protocol)} is not clickhouse:: ${form}`, { field: '--store' });
  }
  if (url.password !== '') {
    // say so without echoing the URL, which holds the password
    throw new InputError(
      'the store URL holds a password: leave it out and set RLAUDIT_CLICKHOUSE_PASSWORD instead',
      { field: '--store' },
    );
  }
  const user = decodeURIComponent(url.username) || 'default';
  const host = url.hostname;
  if (host === '') throw new InputError(`no host in ${JSON.stringify(text)}: ${form}`, { field: '--store' });
  const port = url.port === '' ? 8123 : Number(url.port);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!NAME.test(database)) {
    throw new InputError(
      `${database === '' ? 'no database' : `database ${JSON.stringify(database)} is not a plain name`} in ${JSON.stringify(text)}: ${form}`,
      { field: '--store' },
    );
  }
  let cluster: string | null = null;
  for (const [key, value] of url.searchParams) {
    if (key !== 'cluster') {
      throw new InputError(`unknown option ${JSON.stringify(key)} in the store URL: ${form}`, {
        field: '--store',
      });
    }
    if (!NAME.test(value)) {
      throw new InputError(`cluster ${JSON.stringify(value)} is not a plain name: ${form}`, {
        field: '--store',
      });
    }
    cluster = value;
  }
  if (url.hash !== '') throw new InputError(`a store URL has no #fragment: ${form}`, { field: '--store' });
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    endpoint: `http://${hostPart}:${port}`,
    user,
    database,
    cluster,
    display: `clickhouse://${encodeURIComponent(user)}@${hostPart}:${port}/${database}${cluster ? `?cluster=${cluster}` : ''}`,
  };
}
