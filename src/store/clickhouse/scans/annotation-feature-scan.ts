import { z } from 'zod';
import type { AnnotationFeatureOptions, AnnotationFeatureScan } from '../../scans/phrase-scans.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { type SqlFragment, sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { float, int, text } from '../decode.ts';
import { TEXT_TOKENS } from '../derived-columns.ts';
import { quantileCont } from './reward-scans.ts';
import { leftChars, textList } from './scan-sql.ts';
import { trainingAnnotations } from './training-annotations.ts';

const ProfileRow = rowDecoder(
  'annotationProfiles',
  z.object({
    author: text,
    n: int,
    med: float,
    mad: float,
    fps: float,
    afs: float,
  }),
);
const FieldShareRow = rowDecoder(
  'annotationFieldShares',
  z.object({ author: text, field: text, share: float }),
);
const CandidateRow = rowDecoder(
  'annotationCandidates',
  z.object({
    id: text,
    session: int,
    author: text,
    ntok: int,
    fp: textList,
    af: textList,
    fields: textList,
    text: text,
  }),
);
const CountRow = rowDecoder('annotationCandidatesTotal', z.object({ n: int }));

/** A field label: a capitalised word before a colon (the capture is the word), as the DuckDB twin's. */
const FIELD_LABEL = String.raw`(\p{Lu}\p{L}*):`;

/** Per annotation: tokens, first-person and affect words (in text order, repeated), field labels. */
function features(run: string, o: AnnotationFeatureOptions): SqlFragment {
  return sql`(SELECT id, session, author, text, length(tk) AS ntok,
        arrayFilter(x -> has(${[...o.lexicon.firstPerson]}, x), tk) AS fp,
        arrayFilter(x -> has(${[...o.lexicon.affect]}, x), tk) AS af,
        arrayDistinct(extractAll(text, ${FIELD_LABEL})) AS fields
      FROM (SELECT id, session, ifNull(author, '(unknown)') AS author, text,
                   ${TEXT_TOKENS} AS tk
            FROM ${trainingAnnotations(run, [TEXT_TOKENS])}))`;
}

/** Per author: size, median tokens and their MAD (interpolated, as DuckDB's `median`), register shares. */
function profiles(f: SqlFragment): SqlFragment {
  // the deviations are a lambda's arguments (med repeated), never a captured column: 18.16 evaluates a
  // captured array or alias wrongly
  return sql`(SELECT author, n, med, ${quantileCont(sql`arraySort(arrayMap((x, m) -> abs(x - m), a, arrayResize([med], length(a), med)))`, 0.5)} AS mad, fps, afs
      FROM (SELECT author, n, a, ${quantileCont(sql`a`, 0.5)} AS med, fps, afs
            FROM (SELECT author, count() AS n, arraySort(groupArray(toFloat64(ntok))) AS a,
                         avg(length(fp) > 0) AS fps, avg(length(af) > 0) AS afs
                  FROM ${f} GROUP BY author)))`;
}

/** Per author and field label: the share of the author's annotations that have it. */
function fieldShares(f: SqlFragment): SqlFragment {
  // per author: every annotation's distinct labels in one array; a label's count is its occurrences there
  return sql`(SELECT author, field, countEqual(labels, field) / n AS share
      FROM (SELECT author, count() AS n, groupArrayArray(fields) AS labels FROM ${f} GROUP BY author)
      ARRAY JOIN arrayDistinct(labels) AS field)`;
}

/**
 * Annotation format features, the twin of src/store/duckdb/scans/annotation-feature-scan.ts: per author the
 * median token count, its MAD, each field label's share and the first-person and affect shares; then the
 * annotations passing the prefilter (any first-person or affect word, a length beyond the threshold, or a
 * missing standard field). The features are recomputed by each query (no temporary tables over HTTP).
 */
export async function annotationFeatureScan(
  client: ClickHouseClient,
  run: string,
  o: AnnotationFeatureOptions,
): Promise<AnnotationFeatureScan> {
  const f = features(run, o);
  const authors = await client.query(sql`SELECT * FROM ${profiles(f)} ORDER BY author`, ProfileRow);
  const shares = await client.query(sql`SELECT * FROM ${fieldShares(f)}`, FieldShareRow);
  const byAuthor = new Map<string, { field: string; share: number }[]>();
  for (const s of shares) {
    const list = byAuthor.get(s.author) ?? [];
    list.push({ field: s.field, share: s.share });
    byAuthor.set(s.author, list);
  }
  const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  for (const list of byAuthor.values()) list.sort((a, b) => b.share - a.share || bytes(a.field, b.field));
  // the prefilter, with each author's median, MAD and standard fields (share ≥ standardFieldShare)
  const std = sql`(SELECT author, groupArrayIf(field, share >= ${o.standardFieldShare}) AS std FROM ${fieldShares(f)} GROUP BY author)`;
  const cond = sql`length(fp) > 0 OR length(af) > 0 OR abs(ntok - med) > ${o.lengthZ} * greatest(1.4826 * mad, 1)
      OR NOT hasAll(fields, std)`;
  const joined = sql`(SELECT * FROM (SELECT * FROM ${f} ANY INNER JOIN ${profiles(f)} USING author)
      ANY LEFT JOIN ${std} USING author)`;
  const candidates = await client.query(
    sql`SELECT id, session, author, ntok, fp, af, fields, ${leftChars(sql`text`, o.textChars)} AS text
          FROM ${joined} WHERE ${cond} ORDER BY session, id LIMIT ${o.limit}`,
    CandidateRow,
  );
  const [total] = await client.query(sql`SELECT count() AS n FROM ${joined} WHERE ${cond}`, CountRow);
  return {
    profiles: authors.map((r) => ({
      author: r.author,
      annotations: r.n,
      medianTokens: r.med,
      madTokens: r.mad,
      fields: (byAuthor.get(r.author) ?? []).slice(0, 10),
      firstPersonShare: r.fps,
      affectShare: r.afs,
    })),
    candidates: candidates.map((r) => ({
      id: r.id,
      session: r.session,
      author: r.author,
      tokens: r.ntok,
      firstPerson: r.fp,
      affect: r.af,
      fields: r.fields,
      text: r.text,
    })),
    candidatesTotal: total?.n ?? 0,
  };
}
