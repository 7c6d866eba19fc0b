import { InputError } from '../../model/errors.ts';
import { raw, type SqlFragment } from '../sql/sql.ts';

const UNITS: Readonly<Record<string, number>> = {
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * DuckDB's memory limit for rlaudit: `RLAUDIT_MEMORY_LIMIT` (e.g. '4GB'), else 1 GB (DuckDB's own default is 80%
 * of RAM; rlaudit keeps its footprint bounded and lets the engine spill to disk instead). The value is checked
 * against a strict pattern (digits, a unit: no quote can pass) before it becomes SQL text.
 */
export function memoryLimit(): { bytes: number; sql: SqlFragment } {
  const limit = process.env.RLAUDIT_MEMORY_LIMIT ?? '1GB';
  const m = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.exec(limit);
  if (m === null) {
    throw new InputError(`RLAUDIT_MEMORY_LIMIT must look like 1GB or 512MiB, got '${limit}'`);
  }
  // SET takes no bound parameter: the one `raw` built from outside text, on purpose, after the pattern above
  return { bytes: Number(m[1]) * UNITS[m[2]!.toLowerCase()]!, sql: raw(`'${limit}'`) };
}
