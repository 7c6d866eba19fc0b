import type { z } from 'zod';
import { QueryError } from '../../model/errors.ts';

/**
 * The typed form of the rows one query returns, checked once where they cross from the engine into
 * TypeScript. Build it with {@link rowDecoder} from a zod object whose fields are the engine's coercions
 * (src/store/duckdb/decode.ts for DuckDB), and pass it to the client's `query`.
 */
export interface RowDecoder<T> {
  /** Names the query in errors (`rewardWindows`, `listRuns`). */
  readonly name: string;
  readonly schema: z.ZodType<T>;
}

/**
 * A decoder named after its query.
 *
 * @example
 * const CountRow = rowDecoder('countRejects', z.object({ n: d.count }));
 * const [row] = await client.query(sql`SELECT count(*) AS n FROM rejects`, CountRow); // row.n: number
 */
export function rowDecoder<T>(name: string, schema: z.ZodType<T>): RowDecoder<T> {
  return { name, schema };
}

const MAX_SHOWN = 60;

/** A short, single-line description of a value for an error message (never a whole output text). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (no such column)';
  if (typeof value === 'bigint') return `bigint ${value}`;
  if (typeof value === 'string') {
    const s = JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
    return `string ${s}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  if (Array.isArray(value)) return `array of ${value.length}`;
  if (value instanceof Date) return `date ${Number.isNaN(value.getTime()) ? 'Invalid' : value.toISOString()}`;
  return typeof value;
}

function valueAt(row: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = row;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * Decodes every row, or throws a `QueryError` naming the query, the row and the field — never a silent NaN.
 *
 * @example decodeRows(CountRow, [{ n: 3n }], 'SELECT …', 'duckdb') // [{ n: 3 }]
 */
export function decodeRows<T>(
  decoder: RowDecoder<T>,
  rows: readonly unknown[],
  sqlText: string,
  backend: string,
): T[] {
  const out: T[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = decoder.schema.safeParse(rows[i]);
    if (r.success) {
      out[i] = r.data;
      continue;
    }
    const issue = r.error.issues[0];
    const path = issue?.path ?? [];
    const field = path.map(String).join('.') || '(row)';
    throw new QueryError(
      `query ${decoder.name}: row ${i + 1}, field ${field}: ${issue?.message ?? 'does not decode'} ` +
        `(got ${describe(valueAt(rows[i], path))})`,
      sqlText,
      backend,
      { query: decoder.name, field },
    );
  }
  return out;
}
