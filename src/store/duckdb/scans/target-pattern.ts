import { z } from 'zod';
import { phrasePatternRe2 } from '../../../model/phrase-pattern.ts';
import type { PhraseTarget } from '../../scans/phrase-scans.ts';
import { re2Checker } from '../../scans/scan-terms.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { sql } from '../../sql/sql.ts';
import type { DuckDbClient } from '../duckdb-client.ts';

const CompileRow = rowDecoder('compileRegex', z.object({ ok: z.boolean() }));

/**
 * Compiles an RE2 pattern once in the engine, so that a bad pattern is the user's error — an `InputError`
 * naming `field` (CLI exit 2) — and not a failed scan (a `QueryError`, exit 3).
 *
 * @example await checkRe2(client, '(?i)never\\s+again', 'never\\s+again', { field: '--regex' })
 */
export const checkRe2 = re2Checker<DuckDbClient>(
  (client, pattern) => client.query(sql`SELECT regexp_matches('', ${pattern}) AS ok`, CompileRow),
  (err) => (err as { cause?: Error }).cause?.message ?? (err as Error).message,
);

/**
 * The bound RE2 pattern of a target: a phrase's from src/model/phrase-pattern.ts, a regex as given
 * (case-insensitive, checked by {@link checkRe2} as the `--regex` flag).
 *
 * @example await targetPattern(client, { regex: 'never\\s+again' }) // '(?i)never\s+again'
 */
export async function targetPattern(client: DuckDbClient, target: PhraseTarget): Promise<string> {
  if ('regex' in target) {
    const pattern = `(?i)${target.regex}`;
    await checkRe2(client, pattern, target.regex, { field: '--regex' });
    return pattern;
  }
  return phrasePatternRe2(target.phrase);
}
