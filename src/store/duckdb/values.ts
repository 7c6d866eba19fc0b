/** A DuckDB numeric value (number, or bigint for BIGINT/HUGEINT) as a JS number; null stays null. */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
