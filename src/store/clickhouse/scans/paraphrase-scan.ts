import { z } from 'zod';
import type { ParaphraseScan, ParaphraseScanOptions } from '../../scans/phrase-scans.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { float, int, text } from '../decode.ts';
import { OUTPUT_NORM, OUTPUT_NORM_TOKENS } from '../derived-columns.ts';
import { clickHouseNgrams, clickHouseNormalise, clickHouseTokens } from '../text-sql.ts';
import { intList, textList, trainingRows } from './scan-sql.ts';
import { targetPattern } from './target-pattern.ts';

const MetaRow = rowDecoder('paraphraseMeta', z.object({ pt: textList, n: int }));
const ParaphraseRow = rowDecoder(
  'paraphraseWindows',
  z.object({ text: text, jac_v: float, after_n: int, base_n: int, ex: intList }),
);

/**
 * Token windows of the phrase's length that resemble it (Jaccard of their distinct tokens) in sessions that
 * no longer hold it: the twin of `paraphraseWindowsScan` (src/store/duckdb/scans/ngram-scans.ts). The
 * phrase's tokens are computed by the engine first, then travel as one array literal. (The intersection is
 * `arrayFilter(has(…))`: 18.16's `arrayIntersect` of a split text and an array literal crashes the server.)
 */
export async function paraphraseWindowsScan(
  client: ClickHouseClient,
  run: string,
  phrase: string,
  o: ParaphraseScanOptions,
): Promise<ParaphraseScan> {
  const pat = await targetPattern(client, { phrase });
  const [meta] = await client.query(
    sql`SELECT ${clickHouseTokens(clickHouseNormalise(sql`${phrase}`))} AS pt,
          (SELECT count() FROM sessions FINAL WHERE ${trainingRows(run)} AND session > ${o.from} AND session <= ${o.to}) AS n`,
    MetaRow,
  );
  const pt = meta?.pt ?? [];
  const pset = [...new Set(pt)];
  const m = pt.length;
  const found =
    m === 0
      ? []
      : await client.query(
          sql`SELECT text, any(jac) AS jac_v, uniqExactIf(session, is_after) AS after_n,
                  uniqExactIf(session, NOT is_after) AS base_n,
                  arraySlice(arraySort(groupUniqArrayIf(session, is_after)), 1, 5) AS ex
                FROM (
                  SELECT session, is_after, text, splitByChar(' ', text) AS win,
                    length(arrayFilter(x -> has(${pset}, x), arrayDistinct(win))) AS inter,
                    length(arrayDistinct(win)) + ${pset.length} AS tot, inter / (tot - inter) AS jac
                  FROM (
                    SELECT session, is_after, arrayJoin(arrayDistinct(${clickHouseNgrams(sql`t`, Math.max(m, 1))})) AS text
                    FROM (
                      SELECT session, session > ${o.from} AND session <= ${o.to} AS is_after,
                        ${OUTPUT_NORM_TOKENS} AS t
                      FROM sessions FINAL
                      WHERE ${trainingRows(run)} AND NOT match(${OUTPUT_NORM}, ${pat})
                        AND ((session > ${o.from} AND session <= ${o.to})
                             OR (session > ${o.baselineFrom} AND session <= ${o.baselineTo}))))
                  WHERE text != ${pt.join(' ')})
                WHERE jac >= ${o.minJaccard}
                GROUP BY text ORDER BY after_n DESC, jac_v DESC, text LIMIT ${o.limit}`,
          ParaphraseRow,
        );
  return {
    phraseTokens: pt,
    sessionsSearched: meta?.n ?? 0,
    candidates: found.map((r) => ({
      text: r.text,
      jaccard: r.jac_v,
      sessionsAfter: r.after_n,
      sessionsBaseline: r.base_n,
      exampleSessions: r.ex,
    })),
  };
}
