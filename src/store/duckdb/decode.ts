import { z } from 'zod';

/**
 * Column coercions for rows coming back from DuckDB through `@duckdb/node-api`'s `getRowObjectsJS()`.
 * Every row decoder of the DuckDB backend is a `z.object` of these; the engine's quirks live here, once:
 *
 * - INTEGER, SMALLINT, TINYINT, FLOAT, DOUBLE arrive as `number`; DECIMAL as a `number` (converted to a
 *   double by the client: a numeric literal like `1.5` is DECIMAL, and so is `avg` of one).
 * - BIGINT (`count(*)`, `session`, `step`) and HUGEINT (`sum` of BIGINT) arrive as `bigint`; they become
 *   numbers only within ±2^53 — beyond, a JS number would silently round, so decoding fails instead.
 * - SQL NULL arrives as `null` in every type; an aggregate over no rows (`sum`, `max`, `avg`) is NULL.
 * - LIST arrives as a JS array (of the element's JS type), STRUCT as a plain object.
 * - JSON columns are cast to VARCHAR in the queries and arrive as text.
 * - TIMESTAMPTZ arrives as a `Date`.
 * - NaN and ±Infinity are DOUBLE values (`0.0 / 0.0`): they are kept, not refused.
 *
 * @example
 * const Row = rowDecoder('countRejects', z.object({ n: number, first: nullableNumber }));
 */

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

const isNumeric = (v: unknown): v is number | bigint =>
  typeof v === 'number' || (typeof v === 'bigint' && v <= MAX && v >= -MAX);

/** A non-NULL number: INTEGER/DOUBLE/DECIMAL as is, BIGINT/HUGEINT (bigint) when exact as a JS number. */
export const number = z
  .custom<number | bigint>(isNumeric, {
    message: 'expected a number, or a bigint (BIGINT/HUGEINT) within ±2^53',
  })
  .transform(Number);

/** A number or SQL NULL (null stays null: "no value", e.g. the first session of an empty run). */
export const nullableNumber = number.nullable();

/** A number where SQL NULL means zero: an aggregate (`sum`, `max`, `count` of a LEFT JOIN) over no rows. */
export const numberOrZero = nullableNumber.transform((v) => v ?? 0);

/** VARCHAR, not NULL. */
export const text = z.string();

/** VARCHAR or NULL. */
export const nullableText = z.string().nullable();

/** VARCHAR where NULL means the empty text (e.g. `left(output, n)` of a missing output). */
export const textOrEmpty = nullableText.transform((v) => v ?? '');

/** BOOLEAN, not NULL. */
export const boolean = z.boolean();

/** A LIST whose NULL (no rows to list, or a NULL column) means the empty list. */
export function listOf<T>(item: z.ZodType<T>) {
  return z
    .array(item)
    .nullable()
    .transform((v): T[] => v ?? []);
}

/** JSON cast to VARCHAR in the query: parsed; NULL stays null. Text that is not JSON fails decoding. */
export const jsonText = nullableText.transform((v, ctx): unknown => {
  if (v === null) return null;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    ctx.addIssue('expected JSON text');
    return z.NEVER;
  }
});

/** JSON text of an object (`target`, `trigger`, `meta`), or null. */
export const jsonObject = jsonText.pipe(
  // checked, not rebuilt: a rebuilt record would drop a key named `__proto__`
  z.custom<Record<string, unknown> | null>(
    (v) => v === null || (typeof v === 'object' && !Array.isArray(v)),
    'expected a JSON object',
  ),
);

/** TIMESTAMPTZ (a `Date`) as ISO-8601 text; NULL stays null. */
export const isoTimestamp = z
  .date()
  .nullable()
  .transform((v) => (v === null ? null : v.toISOString()));
