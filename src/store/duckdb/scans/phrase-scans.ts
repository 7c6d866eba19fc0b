import type { PhraseScans } from '../../scans/phrase-scans.ts';
import { sql } from '../../sql/sql.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { annotationFeatureScan } from './annotation-feature-scan.ts';
import { discoverNgramsScan, ngramWindowSharesScan, paraphraseWindowsScan } from './ngram-scans.ts';
import { EventListRow } from './phrase-rows.ts';
import { phraseSeriesScan } from './phrase-series-scan.ts';

/** DuckDB implementation of {@link PhraseScans}: phrases, n-grams, paraphrases, events, annotation format. */
export function phraseScans(client: DuckDbClient): PhraseScans {
  return {
    phraseSeries: (run, target, o) => phraseSeriesScan(client, run, target, o),
    discoverNgrams: (run, o) => discoverNgramsScan(client, run, o),
    ngramWindowShares: (run, ngrams, window) => ngramWindowSharesScan(client, run, ngrams, window),
    paraphraseWindows: (run, phrase, o) => paraphraseWindowsScan(client, run, phrase, o),

    async listEvents(run, limit = 10_000) {
      const rows = await client.query(
        sql`SELECT id, session, kind, parameter, target::VARCHAR AS target, from_value, to_value, change_pct,
            trigger::VARCHAR AS trigger, recommended_by, note
          FROM events WHERE run = ${run} ORDER BY session, id LIMIT ${limit}`,
        EventListRow,
      );
      return rows.map((r) => ({
        id: r.id,
        session: r.session,
        kind: r.kind,
        parameter: r.parameter,
        target: r.target ?? {},
        from: r.from_value,
        to: r.to_value,
        changePct: r.change_pct,
        trigger: r.trigger,
        recommendedBy: r.recommended_by,
        note: r.note,
      }));
    },

    annotationFeatures: (run, options) => annotationFeatureScan(client, run, options),
  };
}
