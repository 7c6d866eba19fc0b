import { z } from 'zod';
import { categoryKey, phrasePatternRe2 } from '../../../model/phrase-pattern.ts';
import type {
  BehaviourBin,
  BehaviourBinQuery,
  BehaviourOccurrence,
  BehaviourTarget,
  EventScans,
} from '../../scans/event-scans.ts';
import { regexPattern } from '../../scans/scan-terms.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { type SqlFragment, sql } from '../../sql/sql.ts';
import { nullableNumber, number } from '../decode.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { duckdbNormalise } from '../normalise-sql.ts';
import { checkRe2 } from './target-pattern.ts';

/** The output normalised like `normaliseText`: one definition, shared with the recurrence scans. */
const NORMALISED_OUTPUT = duckdbNormalise(sql`output`);

/**
 * The SQL condition that selects the sessions showing a behaviour; the category, phrase or regex is bound.
 * A regex target's pattern is compiled in the engine first ({@link checkRe2}): it comes from `--metric
 * regex:…` or from an event's `target.regex` in the record, and a bad one is an input error, not a failed scan.
 */
export async function behaviourCondition(
  client: DuckDbClient,
  target: BehaviourTarget,
): Promise<SqlFragment> {
  if (target.kind === 'regex') {
    await checkRe2(client, regexPattern(target), target.regex, {
      field: 'regex',
      label: "a behaviour's regex (--metric regex:… or an event's target.regex)",
    });
  }
  switch (target.kind) {
    case 'category':
      return sql`regexp_replace(trim(category), '(?i)^category[\\s_-]*', '') = ${categoryKey(target.category)}`;
    case 'phrase':
      return sql`regexp_matches(${NORMALISED_OUTPUT}, ${phrasePatternRe2(target.phrase)})`;
    case 'regex':
      return sql`regexp_matches(${NORMALISED_OUTPUT}, ${regexPattern(target)})`;
    case 'non_compliant':
      return sql`classification = 'non_compliant'`;
  }
}

/** Sessions and hits per bin; `bin` is BIGINT (cast in the query), the counts BIGINT. */
const BinRow = rowDecoder('behaviourBins', z.object({ bin: number, sessions: number, hits: number }));
/** One row always (no GROUP BY); `last_hit` is NULL when the behaviour never shows. */
const OccurrenceRow = rowDecoder('behaviourOccurrence', z.object({ last_hit: nullableNumber, hits: number }));

export function eventScans(client: DuckDbClient): EventScans {
  return {
    async behaviourBins(run: string, q: BehaviourBinQuery): Promise<BehaviourBin[]> {
      if (!Number.isInteger(q.binSize) || q.binSize < 1) throw new RangeError(`bad bin size ${q.binSize}`);
      const cond = await behaviourCondition(client, q.target);
      const rows = await client.query(
        sql`SELECT floor((session - ${q.anchor} - 1) / ${q.binSize})::BIGINT AS bin, count(*) AS sessions,
                count(*) FILTER (WHERE ${cond}) AS hits
              FROM training_sessions WHERE run = ${run} AND session BETWEEN ${q.from} AND ${q.to}
              GROUP BY bin ORDER BY bin`,
        BinRow,
      );
      return rows.map(({ bin, sessions, hits }) => {
        const from = q.anchor + bin * q.binSize + 1;
        return { bin, from, to: from + q.binSize - 1, sessions, hits };
      });
    },

    async behaviourOccurrence(run: string, target: BehaviourTarget): Promise<BehaviourOccurrence> {
      const cond = await behaviourCondition(client, target);
      const [r] = await client.query(
        sql`SELECT max(session) AS last_hit, count(*) AS hits FROM training_sessions WHERE run = ${run} AND ${cond}`,
        OccurrenceRow,
      );
      return { lastHit: r?.last_hit ?? null, hits: r?.hits ?? 0 };
    },
  };
}
