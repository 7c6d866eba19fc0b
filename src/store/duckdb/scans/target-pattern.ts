import { z } from 'zod';
import { InputError } from '../../../model/errors.ts';
import { phrasePatternRe2 } from '../../../model/phrase-pattern.ts';
import type { PhraseTarget } from '../../scans/phrase-scans.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { sql } from '../../sql/sql.ts';
import type { DuckDbClient } from '../duckdb-client.ts';

const CompileRow = rowDecoder('compileRegex', z.object({ ok: z.boolean() }));

/** Patterns each connection has already compiled: a scan asked many times checks its pattern once. */
const compiled = new WeakMap<DuckDbClient, Set<string>>();

/**
 * Compiles an RE2 pattern once in the engine, so that a bad pattern is the user's error — an `InputError`
 * naming `field` (CLI exit 2) — and not a failed scan (a `QueryError`, exit 3).
 *
 * @example await checkRe2(client, '(?i)never\\s+again', 'never\\s+again', { field: '--regex' })
 */
export async function checkRe2(
  client: DuckDbClient,
  pattern: string,
  shown: string,
  where: { readonly field: string; readonly label?: string },
): Promise<void> {
  const known = compiled.get(client) ?? new Set<string>();
  compiled.set(client, known);
  if (known.has(pattern)) return;
  try {
    await client.query(sql`SELECT regexp_matches('', ${pattern}) AS ok`, CompileRow);
  } catch (err) {
    const why = ((err as { cause?: Error }).cause?.message ?? (err as Error).message).split('\n')[0];
    const label = where.label ? `${where.label}: ` : '';
    throw new InputError(`${label}not a valid RE2 regular expression: ${JSON.stringify(shown)} (${why})`, {
      field: where.field,
    });
  }
  known.add(pattern);
}

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
