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
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { int, nullableInt } from '../decode.ts';
import { OUTPUT_NORM } from '../derived-columns.ts';
import { re2Pattern } from '../text-sql.ts';
import { trainingRows } from './scan-sql.ts';
import { checkRe2 } from './target-pattern.ts';

/** The normalised output, from the derived column (read beside `*`: {@link OUTPUT_NORM}). */
const NORMALISED_OUTPUT = OUTPUT_NORM;

/**
 * The condition selecting the sessions that show a behaviour (the twin of `behaviourCondition` in
 * src/store/duckdb/scans/event-scans.ts); `trim` is DuckDB's (spaces only), written as a regex for 18.16.
 */
export async function behaviourCondition(
  client: ClickHouseClient,
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
      return sql`ifNull(replaceRegexpAll(replaceRegexpAll(category, '^ +| +$', ''), ${re2Pattern('(?i)^category[\\s_-]*')}, '') = ${categoryKey(target.category)}, 0)`;
    case 'phrase':
      return sql`match(${NORMALISED_OUTPUT}, ${re2Pattern(phrasePatternRe2(target.phrase))})`;
    case 'regex':
      return sql`match(${NORMALISED_OUTPUT}, ${re2Pattern(regexPattern(target))})`;
    case 'non_compliant':
      return sql`ifNull(classification = 'non_compliant', 0)`;
  }
}

const BinRow = rowDecoder('behaviourBins', z.object({ bin: int, sessions: int, hits: int }));
const OccurrenceRow = rowDecoder('behaviourOccurrence', z.object({ last_hit: nullableInt, hits: int }));

/** ClickHouse implementation of {@link EventScans}. */
export function eventScans(client: ClickHouseClient): EventScans {
  return {
    async behaviourBins(run: string, q: BehaviourBinQuery): Promise<BehaviourBin[]> {
      if (!Number.isInteger(q.binSize) || q.binSize < 1) throw new RangeError(`bad bin size ${q.binSize}`);
      const cond = await behaviourCondition(client, q.target);
      const rows = await client.query(
        sql`SELECT bin, count() AS sessions, countIf(hit) AS hits
              FROM (SELECT toInt64(floor((session - ${q.anchor} - 1) / ${q.binSize})) AS bin, ${cond} AS hit
                    FROM sessions FINAL WHERE ${trainingRows(run)} AND session >= ${q.from} AND session <= ${q.to})
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
        sql`SELECT if(count() = 0, NULL, max(session)) AS last_hit, count() AS hits
              FROM sessions FINAL WHERE ${trainingRows(run)} AND ${cond}`,
        OccurrenceRow,
      );
      return { lastHit: r?.last_hit ?? null, hits: r?.hits ?? 0 };
    },
  };
}
