import { createHash } from 'node:crypto';
import { stableStringify } from '../model/stable-stringify.ts';

/**
 * The id a record without one gets from its content (its run left out), so that a re-ingest finds the same id:
 * the first 10 hex digits of the SHA-1 of its canonical JSON.
 */
export function contentId(r: object): string {
  const { run: _run, ...rest } = r as Record<string, unknown>;
  return createHash('sha1').update(stableStringify(rest)).digest('hex').slice(0, 10);
}
