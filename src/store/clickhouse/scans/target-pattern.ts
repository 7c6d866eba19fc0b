import { z } from 'zod';
import { InputError } from '../../../model/errors.ts';
import { phrasePatternRe2 } from '../../../model/phrase-pattern.ts';
import type { PhraseTarget } from '../../scans/phrase-scans.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { re2Pattern } from '../text-sql.ts';

const CompileRow = rowDecoder('compileRegex', z.object({ ok: z.number() }));

/** Patterns each connection has already compiled. */
const compiled = new WeakMap<ClickHouseClient, Set<string>>();

/**
 * Compiles an RE2 pattern once on the server (the twin of src/store/duckdb/scans/target-pattern.ts): a bad
 * pattern is the user's error, an `InputError` naming `field` (exit 2), not a failed scan.
 */
export async function checkRe2(
  client: ClickHouseClient,
  pattern: string,
  shown: string,
  where: { readonly field: string; readonly label?: string },
): Promise<void> {
  const known = compiled.get(client) ?? new Set<string>();
  compiled.set(client, known);
  if (known.has(pattern)) return;
  try {
    // unwrapped: `re2Pattern` puts it in a group, where `a)|(b` would compile
    await client.query(sql`SELECT match('', ${pattern}) AS ok`, CompileRow);
  } catch (err) {
    const why = String((err as Error).message).split('\n')[0];
    const label = where.label ? `${where.label}: ` : '';
    throw new InputError(`${label}not a valid RE2 regular expression: ${JSON.stringify(shown)} (${why})`, {
      field: where.field,
    });
  }
  known.add(pattern);
}

/** The RE2 pattern of a target, as DuckDB's (a phrase's from src/model/phrase-pattern.ts, a regex as given). */
export async function targetPattern(client: ClickHouseClient, target: PhraseTarget): Promise<string> {
  if ('regex' in target) {
    const pattern = `(?i)${target.regex}`;
    await checkRe2(client, pattern, target.regex, { field: '--regex' });
    return re2Pattern(pattern);
  }
  return re2Pattern(phrasePatternRe2(target.phrase));
}
