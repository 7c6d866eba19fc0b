import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { InputError, QueryError } from '../../model/errors.ts';
import type { Query } from '../query.ts';
import { compile } from '../sql/dialect.ts';
import { decodeRows, type RowDecoder } from '../sql/row-decoder.ts';
import { SqlFragment } from '../sql/sql.ts';
import { duckDbDialect } from './duckdb-dialect.ts';

/** Timing of each statement, for the auditor's own operations log. */
export interface QueryTiming {
  /** The query's name (its decoder's), or undefined for a statement run for its effect. */
  readonly name: string | undefined;
  readonly sql: string;
  readonly ms: number;
  readonly rows: number;
}

type Row = Record<string, unknown>;

/** `RLAUDIT_TRACE=sql` prints every statement's name, time and row count to stderr. */
const TRACE = (process.env.RLAUDIT_TRACE ?? '').split(',').includes('sql');

/**
 * The one place DuckDB SQL runs: it compiles fragments with the DuckDB dialect (every value a bound
 * parameter), owns timing, tracing, error wrapping (`QueryError` carrying the SQL, the backend and the
 * query's name) and decoding (a `RowDecoder` checks every row once). DuckDB runs in-process, so there is no
 * transient (network) failure to retry: every error is final.
 *
 * @example
 * const client = await DuckDbClient.open(':memory:');
 * const rows = await client.query(sql`SELECT ${2} + 2 AS n`, rowDecoder('four', z.object({ n: number })));
 */
export class DuckDbClient {
  private constructor(
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  onQuery: ((t: QueryTiming) => void) | undefined;

  /**
   * `writes: false` says the caller only reads: a database locked by another process is then explained
   * without the word "writer" (DuckDB locks a database file for the one process that opens it).
   */
  static async open(
    path: string,
    options: { readonly writes?: boolean; readonly readOnly?: boolean } = {},
  ): Promise<DuckDbClient> {
    let instance: DuckDBInstance;
    try {
      // read-only: several readers may share the file, but no process may write it meanwhile
      instance = await DuckDBInstance.create(
        path,
        options.readOnly ? { access_mode: 'READ_ONLY' } : undefined,
      );
    } catch (err) {
      const msg = (err as Error).message;
      if (/lock/i.test(msg)) {
        throw new InputError(
          options.writes === false
            ? 'database is in use by another rlaudit process; this command only reads it: run it again when that process has finished'
            : 'database is in use: another rlaudit process is writing to it or has it open (DuckDB allows one writer); run this again when it has finished',
          { file: path },
        );
      }
      throw new InputError(`cannot open database (${msg.split('\n')[0]})`, { file: path }, { cause: err });
    }
    const connection = await instance.connect();
    return new DuckDbClient(instance, connection, path);
  }

  /** A fragment as the SQL text and bound parameters DuckDB will run. */
  compile(q: SqlFragment | Query): Query {
    return q instanceof SqlFragment ? compile(q, duckDbDialect) : q;
  }

  /**
   * Runs a statement and returns its rows, decoded by `decoder` (a `QueryError` naming the query and the
   * field when a row does not fit). Without a decoder the rows are the client's JS values (BIGINT as bigint),
   * cast unchecked to `T`: for ad-hoc queries in tests only; store code always passes a decoder.
   */
  async query<T>(q: SqlFragment | Query, decoder: RowDecoder<T>): Promise<T[]>;
  async query<T = Row>(q: SqlFragment | Query): Promise<T[]>;
  async query<T>(q: SqlFragment | Query, decoder?: RowDecoder<T>): Promise<T[]> {
    const { sql: text, params } = this.compile(q);
    const start = performance.now();
    let rows: Row[];
    try {
      const reader = await this.connection.runAndReadAll(
        text,
        params as Record<string, DuckDBValue> | undefined,
      );
      rows = reader.getRowObjectsJS() as Row[];
    } catch (err) {
      const first = (err as Error).message.split('\n')[0];
      throw new QueryError(
        `DuckDB query${decoder ? ` ${decoder.name}` : ''} failed: ${first}`,
        text,
        duckDbDialect.name,
        { cause: err, ...(decoder ? { query: decoder.name } : {}) },
      );
    }
    const ms = performance.now() - start;
    this.onQuery?.({ name: decoder?.name, sql: text, ms, rows: rows.length });
    if (TRACE) {
      const head = text.trim().split('\n')[0]!.slice(0, 100);
      process.stderr.write(`sql ${decoder?.name ?? '-'} ${ms.toFixed(1)} ms ${rows.length} rows: ${head}\n`);
    }
    return decoder ? decodeRows(decoder, rows, text, duckDbDialect.name) : (rows as T[]);
  }

  /** Runs a statement for its effect. */
  async exec(q: SqlFragment | Query): Promise<void> {
    await this.query(q);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
