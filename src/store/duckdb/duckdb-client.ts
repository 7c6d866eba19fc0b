import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { InputError, QueryError } from '../../model/errors.ts';
import type { Query } from '../query.ts';

/** Timing of each statement, for the auditor's own operations log. */
export interface QueryTiming {
  readonly sql: string;
  readonly ms: number;
  readonly rows: number;
}

/**
 * The one place DuckDB SQL runs: it owns timing, error wrapping (`QueryError` carrying the SQL) and
 * parameter binding. User values always travel in `params`, never in the SQL text.
 */
export class DuckDbClient {
  private constructor(
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  onQuery: ((t: QueryTiming) => void) | undefined;

  static async open(path: string): Promise<DuckDbClient> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (err) {
      const msg = (err as Error).message;
      if (/lock/i.test(msg)) {
        throw new InputError('database is in use by another rlaudit process (DuckDB allows one writer)', {
          file: path,
        });
      }
      throw new InputError(`cannot open database (${msg.split('\n')[0]})`, { file: path }, { cause: err });
    }
    const connection = await instance.connect();
    return new DuckDbClient(instance, connection, path);
  }

  /** Runs a statement; returns row objects with JS values (BIGINT as bigint). */
  async query<T = Record<string, unknown>>(q: Query): Promise<T[]> {
    const start = performance.now();
    try {
      const reader = await this.connection.runAndReadAll(
        q.sql,
        q.params as Record<string, DuckDBValue> | undefined,
      );
      const rows = reader.getRowObjectsJS() as T[];
      this.onQuery?.({ sql: q.sql, ms: performance.now() - start, rows: rows.length });
      return rows;
    } catch (err) {
      throw new QueryError(`DuckDB query failed: ${(err as Error).message.split('\n')[0]}`, q.sql, 'duckdb', {
        cause: err,
      });
    }
  }

  /** Runs a statement for its effect. */
  async exec(q: Query | string): Promise<void> {
    const query = typeof q === 'string' ? { sql: q } : q;
    await this.query(query);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
