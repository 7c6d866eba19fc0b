import { z } from 'zod';
import { jsonObject } from '../../duckdb/decode.ts';
import type { PhraseScans } from '../../scans/phrase-scans.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { int, nullableText, text } from '../decode.ts';
import { annotationFeatureScan } from './annotation-feature-scan.ts';
import { discoverNgramsScan, ngramWindowSharesScan } from './ngram-scans.ts';
import { paraphraseWindowsScan } from './paraphrase-scan.ts';
import { phraseSeriesScan } from './phrase-series-scan.ts';
import { nullableFloat } from './scan-sql.ts';

const EventListRow = rowDecoder(
  'listEvents',
  z.object({
    id: text,
    session: int,
    kind: text,
    parameter: text,
    target: jsonObject,
    from_value: nullableFloat,
    to_value: nullableFloat,
    change_pct: nullableFloat,
    trigger: jsonObject,
    recommended_by: nullableText,
    note: nullableText,
  }),
);

/** ClickHouse implementation of {@link PhraseScans} (the twin of src/store/duckdb/scans/phrase-scans.ts). */
export function phraseScans(client: ClickHouseClient): PhraseScans {
  return {
    phraseSeries: (run, target, o) => phraseSeriesScan(client, run, target, o),
    discoverNgrams: (run, o) => discoverNgramsScan(client, run, o),
    ngramWindowShares: (run, ngrams, window) => ngramWindowSharesScan(client, run, ngrams, window),
    paraphraseWindows: (run, phrase, o) => paraphraseWindowsScan(client, run, phrase, o),

    async listEvents(run, limit = 10_000) {
      const rows = await client.query(
        sql`SELECT id, session, kind, parameter, target, from_value, to_value, change_pct, trigger,
              recommended_by, note
            FROM events FINAL WHERE run = ${run} ORDER BY session, id LIMIT ${limit}`,
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
