import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient as Http } from '@clickhouse/client';
import { InputError, markStoreUnavailable, QueryError } from '../../model/errors.ts';
import { compile } from '../sql/dialect.ts';
import { decodeRows, type RowDecoder } from '../sql/row-decoder.ts';
import { ident, join, type SqlFragment, sql } from '../sql/sql.ts';
import { clickHouseDialect } from './clickhouse-dialect.ts';
import { type RowBinaryType, rowBinaryChunks } from './row-binary.ts';
import type { ClickHouseTarget } from './store-url.ts';

/** The server's error code in a failed query (`Code: 81, e.displayText() = …` on 18.16), or null. */
export function serverErrorCode(err: unknown): number | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e && typeof e.code === 'string' && /^\d+$/.test(e.code)) return Number(e.code);
  const m = typeof e?.message === 'string' ? /^Code: (\d+)/.exec(e.message) : null;
  return m ? Number(m[1]) : null;
}

/** The server's message without the 18.16 decorations (`Code: …, e.displayText() = DB::Exception: `). */
function serverMessage(err: unknown): string {
  const text = String((err as Error)?.message ?? err);
  return text
    .replace(/^Code: \d+, e\.displayText\(\) = (DB::Exception: )?/, '')
    .replace(/, e\.what\(\) = DB::Exception\s*$/, '')
    .trim();
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name does not resolve',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'timed out',
};

/**
 * Server error codes that say a server of the cluster stopped answering (the query itself is not wrong):
 * 210 NETWORK_ERROR, 209 SOCKET_TIMEOUT, 279 ALL_CONNECTION_TRIES_FAILED, 1000 a Poco network exception
 * ("Connection refused" from a shard, measured on 18.16 with a shard killed).
 */
const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([209, 210, 279, 1000]);

/** A failure to reach the server the URL names (not a refused user or a missing database). */
function unreachable(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | null;
  return (
    err instanceof ConnectTimeout ||
    (typeof e?.code === 'string' && e.code in NETWORK_CODES) ||
    /timeout|socket hang up/i.test(String(e?.message))
  );
}

/** The server did not answer the connection check in time (`RLAUDIT_CLICKHOUSE_CONNECT_TIMEOUT`). */
export class ConnectTimeout extends Error {
  constructor(readonly seconds: number) {
    super(`no answer within ${seconds} s`);
  }
}

/** Seconds the first query of a connection may take: `RLAUDIT_CLICKHOUSE_CONNECT_TIMEOUT`, default 10. */
function connectTimeout(): number {
  const v = Number(process.env.RLAUDIT_CLICKHOUSE_CONNECT_TIMEOUT ?? 10);
  return Number.isFinite(v) && v > 0 ? v : 10;
}

/**
 * Seconds one statement may run: `RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT`, default 3600. A scan of a 10M-session run
 * can run past 10 minutes on a small cluster (the former fixed 600 s ended the 10M audit, docs/benchmarks.md).
 */
export function queryTimeout(): number {
  const v = Number(process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT ?? 3600);
  return Number.isFinite(v) && v > 0 ? v : 3600;
}

/**
 * Why a server cannot be used, as an `InputError` (exit 2) naming the store URL (never the password) and
 * what to do; null when the failure is not one of those (a failed query is a `QueryError`).
 */
export function connectionProblem(err: unknown, target: ClickHouseTarget): InputError | null {
  const e = err as NodeJS.ErrnoException | null;
  const network = typeof e?.code === 'string' ? NETWORK_CODES[e.code] : undefined;
  const where = `ClickHouse at ${target.display}`;
  if (err instanceof ConnectTimeout || (network === undefined && /timeout/i.test(String(e?.message)))) {
    // something accepted the connection (or dropped it silently) but no answer came: not "nothing there"
    if (!(err instanceof ConnectTimeout)) {
      // the connection check passed (it has its own, shorter limit): a statement ran past the query timeout
      return new InputError(
        `${where} timed out: a statement gave no answer within ${queryTimeout()} s. A scan of a large run can ` +
          'take longer: raise RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT (seconds), or check the server answers ' +
          '(curl http://host:port/ping)',
        { field: '--store' },
        { cause: err },
      );
    }
    return new InputError(
      `${where} timed out: no answer within ${err.seconds} s. The server may be overloaded or starting, or a ` +
        'firewall drops the packets; check it answers (curl http://host:port/ping), or raise ' +
        'RLAUDIT_CLICKHOUSE_CONNECT_TIMEOUT (seconds)',
      { field: '--store' },
      { cause: err },
    );
  }
  if (network !== undefined) {
    return new InputError(
      `cannot reach ${where}: ${network}. Start the server (for the project's test cluster: ` +
        'scripts/clickhouse-cluster.sh start), or point --store / RLAUDIT_STORE at a running one',
      { field: '--store' },
      { cause: err },
    );
  }
  const code = serverErrorCode(err);
  // 192 unknown user, 193 wrong password, 516 authentication failed (newer servers)
  if (code === 192 || code === 193 || code === 516) {
    return new InputError(
      `${where} refused user ${JSON.stringify(target.user)}: ${serverMessage(err)}. Set ` +
        'RLAUDIT_CLICKHOUSE_PASSWORD to the password of that user (it is never read from the URL)',
      { field: '--store' },
      { cause: err },
    );
  }
  if (code === 81) {
    const onCluster = target.cluster ? ` ON CLUSTER ${target.cluster}` : '';
    return new InputError(
      `${where}: database ${JSON.stringify(target.database)} does not exist. Create it ` +
        `(CREATE DATABASE ${target.database}${onCluster}) or name an existing one in the URL`,
      { field: '--store' },
      { cause: err },
    );
  }
  return null;
}

/** Every connected client of this process, whose running statements an interrupt cancels. */
const live = new Set<ClickHouseClient>();

/** Seconds an interrupted process waits for its `KILL QUERY` before it exits anyway. */
const KILL_WAIT_SECONDS = 5;

const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/**
 * On SIGINT, SIGTERM or SIGHUP while statements of this process run on a ClickHouse server, cancels them, then
 * exits (130 / 143 / 129). ClickHouse 18.16 does not cancel a statement when its HTTP client goes away: an
 * aggregation sends nothing until it is done, so without this an interrupted audit's scan runs on for as long
 * as it takes (a 10M `textWindowCounts` ran 20 minutes after its audit was killed, docs/benchmarks.md).
 *
 * The handlers are installed only while a statement runs: between statements a signal has its default effect
 * and ends the process at once. A command with a handler of its own for the signal (serve, watch) owns its
 * shutdown: it stops gracefully and its statements finish; this handler then does nothing. It is prepended,
 * so it runs before any other and counts them before a `once` handler removes itself. It removes itself too,
 * so a second signal ends the process (once Node's event loop takes it). SIGKILL cannot be caught: a statement
 * of a killed process ends at `RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT`, sent as its `max_execution_time`.
 */
function interrupted(signal: NodeJS.Signals): void {
  const others = process.listenerCount(signal) - 1;
  removeSignalHandlers();
  if (others > 0) return;
  const clients = [...live];
  const running = clients.reduce((n, c) => n + c.runningStatements, 0);
  const code = SIGNAL_EXIT_CODES[signal] ?? 1;
  if (running === 0) process.exit(code);
  process.stderr.write(
    `rlaudit: ${signal}: cancelling ${running} running ClickHouse statement${running === 1 ? '' : 's'}…\n`,
  );
  exiting = true;
  const timer = setTimeout(() => {
    process.stderr.write(
      `rlaudit: no answer to the cancellation within ${KILL_WAIT_SECONDS} s; the statements end at the server's max_execution_time (${queryTimeout()} s)\n`,
    );
    process.exit(code);
  }, KILL_WAIT_SECONDS * 1000);
  void Promise.allSettled(clients.map((c) => c.cancelRunning())).then((results) => {
    clearTimeout(timer);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      const why = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
      process.stderr.write(
        `rlaudit: could not cancel them (${why.split('\n')[0]}); they end at the server's max_execution_time (${queryTimeout()} s)\n`,
      );
    }
    process.exit(code);
  });
}

/**
 * Set once an interrupt is cancelling this process's statements: a statement that fails from then on (it was
 * cancelled) is not reported to its caller, whose error handler would otherwise print the cancellation as a
 * failure and exit before the interrupt's own exit code; and no new statement is sent.
 */
let exiting = false;

const onSigint = () => interrupted('SIGINT');
const onSigterm = () => interrupted('SIGTERM');
const onSighup = () => interrupted('SIGHUP');

/** Statements of this process running now, over every client: the signal handlers are installed while > 0. */
let inFlight = 0;

function removeSignalHandlers(): void {
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  process.off('SIGHUP', onSighup);
}

function statementStarted(): void {
  if (inFlight++ > 0 || exiting) return;
  process.prependListener('SIGINT', onSigint);
  process.prependListener('SIGTERM', onSigterm);
  process.prependListener('SIGHUP', onSighup);
}

function statementEnded(): void {
  if (--inFlight === 0) removeSignalHandlers();
}

/**
 * One ClickHouse server over HTTP (`@clickhouse/client`), speaking SQL fragments: each is compiled by the
 * literal-inlining dialect (src/store/clickhouse/clickhouse-dialect.ts), so nothing here binds parameters,
 * which 18.16 cannot. Rows come back as JSONEachRow and are decoded once, by the query's `RowDecoder`.
 */
export class ClickHouseClient {
  /** The `query_id` of each statement this client has sent and not yet had answered, with its name. */
  private readonly running = new Map<string, string>();

  private constructor(
    private readonly http: Http,
    readonly target: ClickHouseTarget,
    private readonly password: string,
  ) {}

  /** How many statements of this client are running on the server now. */
  get runningStatements(): number {
    return this.running.size;
  }

  /**
   * Cancels every statement of this client still running (`KILL QUERY … ASYNC` on the server it talks to,
   * over a connection of its own, since the client's may all be busy). Killing a query on the initiator of a
   * `Distributed` table cancels its parts on the other shards. Returns how many were asked to stop.
   */
  async cancelRunning(): Promise<number> {
    const ids = [...this.running.keys()];
    if (ids.length === 0) return 0;
    const admin = createClient({
      url: this.target.endpoint,
      username: this.target.user,
      password: this.password,
      database: this.target.database,
      application: 'rlaudit',
      request_timeout: KILL_WAIT_SECONDS * 1000,
      log: { level: ClickHouseLogLevel.OFF },
    });
    try {
      const { sql: text } = compile(
        sql`KILL QUERY WHERE query_id IN (${join(ids.map((id) => sql`${id}`))}) ASYNC`,
        clickHouseDialect,
      );
      await (await admin.query({ query: text, format: 'JSONEachRow' })).json();
    } finally {
      await admin.close();
    }
    return ids.length;
  }

  /** Runs `send` with a fresh `query_id`, counted as running until it is answered. */
  private async tracked<R>(name: string, send: (queryId: string) => Promise<R>): Promise<R> {
    // the process is exiting on an interrupt: send nothing more, and hold the caller until it has exited
    if (exiting) await new Promise<never>(() => {});
    const id = `rlaudit-${randomUUID()}`;
    this.running.set(id, name);
    statementStarted();
    try {
      return await send(id);
    } catch (err) {
      if (exiting) await new Promise<never>(() => {});
      throw err;
    } finally {
      this.running.delete(id);
      statementEnded();
    }
  }

  /**
   * Connects and checks the server answers as this user in this database; an unreachable server, a
   * refused user or a missing database is an `InputError` naming the URL and what to do.
   */
  static async connect(
    target: ClickHouseTarget,
    password = process.env.RLAUDIT_CLICKHOUSE_PASSWORD ?? '',
  ): Promise<ClickHouseClient> {
    const http = createClient({
      url: target.endpoint,
      username: target.user,
      password,
      database: target.database,
      application: 'rlaudit',
      request_timeout: queryTimeout() * 1000,
      max_open_connections: 4,
      log: { level: ClickHouseLogLevel.OFF },
      // an INSERT into a Distributed table returns once every shard has its rows, not when they are queued:
      // what was written is what the next read sees
      // max_execution_time: the server, too, ends a statement the client has stopped waiting for (one of a
      // process killed by SIGKILL, which cannot cancel it)
      clickhouse_settings: { insert_distributed_sync: 1, max_execution_time: queryTimeout() },
    });
    const client = new ClickHouseClient(http, target, password);
    try {
      // a query, not a ping: it checks the user, the password and the database in one round trip
      // within the connect timeout, so a server that accepts and never answers is told apart from none there
      const seconds = connectTimeout();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.http.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json()),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new ConnectTimeout(seconds)), seconds * 1000);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (err) {
      await http.close();
      throw connectionProblem(err, target) ?? client.failure(err, 'SELECT 1');
    }
    live.add(client);
    return client;
  }

  /** Runs a query and decodes its rows. */
  async query<T>(fragment: SqlFragment, decoder: RowDecoder<T>): Promise<T[]> {
    const { sql: text } = compile(fragment, clickHouseDialect);
    let rows: unknown[];
    try {
      rows = await this.tracked(decoder.name, async (query_id) =>
        (await this.http.query({ query: text, format: 'JSONEachRow', query_id })).json(),
      );
    } catch (err) {
      throw this.failure(err, text, decoder.name);
    }
    return decodeRows(decoder, rows, text, 'clickhouse');
  }

  /** Runs a statement that returns no rows (DDL, `INSERT … SELECT`). */
  async command(fragment: SqlFragment): Promise<void> {
    const { sql: text } = compile(fragment, clickHouseDialect);
    try {
      await this.tracked('command', (query_id) => this.http.command({ query: text, query_id }));
    } catch (err) {
      throw this.failure(err, text);
    }
  }

  /**
   * Inserts rows as JSONEachRow: the values travel as JSON, not as SQL text. `queued` lets a Distributed
   * table accept the rows while a shard is down (they reach it when it is back). `table` is our own table name
   * (`sessions`, or `sessions_local` of a cluster).
   */
  async insert(
    table: string,
    rows: readonly Record<string, unknown>[],
    options: { readonly queued?: boolean } = {},
  ): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.tracked(`insert ${table}`, (query_id) =>
        this.http.insert({
          query_id,
          table,
          values: rows as Record<string, unknown>[],
          format: 'JSONEachRow',
          // queued: into a Distributed table, the server keeps the rows and sends each shard its part when
          // it answers (also after a shard is restarted); the next read may not see them yet
          ...(options.queued ? { clickhouse_settings: { insert_distributed_sync: 0 } } : {}),
        }),
      );
    } catch (err) {
      throw this.failure(err, `INSERT INTO ${table} FORMAT JSONEachRow (${rows.length} rows)`);
    }
  }

  /**
   * Inserts rows as RowBinary (row-binary.ts) into our own table `table` (a name of clickhouse-schema.ts), the
   * encoded chunks streamed as the request body: binary values, exact floats, no text parsed. Into a
   * Distributed table it is synchronous as every insert here (each shard has its rows when it returns).
   */
  async insertRowBinary(
    table: string,
    columns: readonly { readonly name: string; readonly type: RowBinaryType }[],
    rows: Iterable<Readonly<Record<string, unknown>>>,
    fixed: Readonly<Record<string, unknown>> = {},
  ): Promise<void> {
    const { sql: text } = compile(
      sql`INSERT INTO ${ident(table)} (${join(columns.map((c) => ident(c.name)))}) FORMAT RowBinary`,
      clickHouseDialect,
    );
    try {
      await this.tracked(`insert ${table}`, async (query_id) => {
        const result = await this.http.exec({
          query: text,
          query_id,
          values: Readable.from(rowBinaryChunks(columns, rows, fixed)),
        });
        // the answer is empty; reading it to its end returns the connection to the pool
        for await (const _ of result.stream) {
        }
      });
    } catch (err) {
      throw this.failure(err, text);
    }
  }

  async close(): Promise<void> {
    live.delete(this);
    await this.http.close();
  }

  private failure(err: unknown, text: string, name?: string): Error {
    const problem = connectionProblem(err, this.target);
    if (problem) return unreachable(err) ? markStoreUnavailable(problem) : problem;
    const failed = new QueryError(
      `ClickHouse at ${this.target.display}${name ? `, query ${name}` : ''}: ${serverMessage(err)}`,
      text,
      'clickhouse',
      { cause: err, ...(name ? { query: name } : {}) },
    );
    return UNAVAILABLE_CODES.has(serverErrorCode(err) ?? -1) ? markStoreUnavailable(failed) : failed;
  }
}
