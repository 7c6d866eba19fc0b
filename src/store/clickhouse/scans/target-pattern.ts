import { z } from 'zod';
import { phrasePatternRe2 } from '../../../model/phrase-pattern.ts';
import type { PhraseTarget } from '../../scans/phrase-scans.ts';
import { re2Checker } from '../../scans/scan-terms.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { re2Pattern } from '../text-sql.ts';

const CompileRow = rowDecoder('compileRegex', z.object({ ok: z.number() }));

/**
 * Compiles an RE2 pattern once on the server (the twin of src/store/duckdb/scans/target-pattern.ts): a bad
 * pattern is the user's error, an `InputError` naming `field` (exit 2), not a failed scan.
 */
export const checkRe2 = re2Checker<ClickHouseClient>(
  // unwrapped: `re2Pattern` puts it in a group, where `a)|(b` would compile
  (client, pattern) => client.query(sql`SELECT match('', ${pattern}) AS ok`, CompileRow),
  (err) => String((err as Error).message),
);

/** The RE2 pattern of a target, as DuckDB's (a phrase's from src/model/phrase-pattern.ts, a regex as given). */
export async function targetPattern(client: ClickHouseClient, target: PhraseTarget): Promise<string> {
  if ('regex' in target) {
    const pattern = `(?i)${target.regex}`;
    await checkRe2(client, pattern, target.regex, { field: '--regex' });
    return re2Pattern(pattern);
  }
  return re2Pattern(phrasePatternRe2(target.phrase));
}
