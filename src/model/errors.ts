/**
 * The three error classes of rlaudit. Each carries enough context to act on; wrap once, where an error
 * crosses a layer, and keep the original as `cause`.
 *
 * - `InputError`: bad user input (a file, a flag, a row). CLI exit code 2, HTTP 400.
 * - `QueryError`: a query failed inside an engine; carries the SQL and the backend.
 * - `ConfigError`: a configuration (protocol, template, environment) is invalid.
 */
export interface InputLocation {
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
}

export class InputError extends Error {
  override readonly name = 'InputError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(message: string, where: InputLocation = {}, options?: { cause?: unknown }) {
    super(formatLocated(message, where), options);
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }
}

/** Where in a query an engine failure or a row that does not decode was found. */
export interface QueryErrorOptions {
  readonly cause?: unknown;
  /** The query's name (its decoder's, e.g. `rewardWindows`), when it has one. */
  readonly query?: string;
  /** The column of a returned row that did not decode. */
  readonly field?: string;
}

export class QueryError extends Error {
  override readonly name = 'QueryError';
  readonly query: string | undefined;
  readonly field: string | undefined;
  constructor(
    message: string,
    readonly sql: string,
    readonly backend: string,
    options?: QueryErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.query = options?.query;
    this.field = options?.field;
  }
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const UNAVAILABLE = Symbol.for('rlaudit.storeUnavailable');

/**
 * Marks `err` (an `InputError` or a `QueryError` of a store backend) as the store, or a part of it (a
 * shard), no longer answering — a refused connection, a reset, a cluster's "all connection tries failed" —
 * rather than a query that is wrong. A tracked audit stops at such an error instead of running every later
 * section into it, and says how to resume. Returns `err`.
 */
export function markStoreUnavailable<E extends Error>(err: E): E {
  Object.defineProperty(err, UNAVAILABLE, { value: true, enumerable: false });
  return err;
}

/** Whether `err` was marked by {@link markStoreUnavailable}. */
export function isStoreUnavailable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[UNAVAILABLE] === true;
}

/** `file:line: field: message`, leaving out the parts that are unknown. */
export function formatLocated(message: string, where: InputLocation): string {
  let prefix = where.file ?? '';
  if (where.line !== undefined) prefix += `${prefix ? ':' : 'line '}${where.line}`;
  if (where.field) prefix += `${prefix ? ': ' : ''}${where.field}`;
  return prefix ? `${prefix}: ${message}` : message;
}
