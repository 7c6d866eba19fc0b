import { z } from 'zod';

/**
 * Column coercions for rows coming back from ClickHouse as JSONEachRow. Every row decoder of the ClickHouse
 * backend is a `z.object` of these; the engine's quirks live here, once:
 *
 * - Int64/UInt64 (`count()`, `session`, `load_id`) arrive as JSON strings (`"3"`, the server's
 *   `output_format_json_quote_64bit_integers`); they become numbers only within ±2^53 — beyond, decoding
 *   fails rather than round. Narrower integers and Float64 arrive as JSON numbers.
 * - NULL of a `Nullable` column arrives as `null`.
 * - Strings arrive as JSON strings.
 */

const MAX = Number.MAX_SAFE_INTEGER;

/** An integer (a JSON number, or the quoted 64-bit form) that a JS number holds exactly. */
export const int = z
  .union([z.number(), z.string().regex(/^-?\d+$/, 'expected an integer')])
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n) && Math.abs(n) <= MAX, 'expected an integer within ±2^53');

export const nullableInt = int.nullable();

/** A Float64 (or an integer column read as a number). */
export const float = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number);

export const text = z.string();
export const nullableText = z.string().nullable();
