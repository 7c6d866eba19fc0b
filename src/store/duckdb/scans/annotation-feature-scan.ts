import type { AnnotationFeatureOptions, AnnotationFeatureScan } from '../../scans/phrase-scans.ts';
import { ident, type SqlFragment, sql } from '../../sql/sql.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { duckdbNormalise } from '../normalise-sql.ts';
import { duckdbTokens } from '../tokens-sql.ts';
import * as rows from './phrase-rows.ts';
import { trainingAnnotations } from './training-annotations.ts';

let tempCounter = 0;

/** Per author: size, median tokens and their MAD, standard fields (share ≥ `share`), first-person and affect shares. */
function profiles(t: SqlFragment, share: number): SqlFragment {
  return sql`WITH m AS (SELECT author, count(*) AS n, median(ntok) AS med, avg((len(fp) > 0)::INT) AS fps,
          avg((len(af) > 0)::INT) AS afs FROM ${t} GROUP BY author),
        d AS (SELECT author, median(abs(ntok - med)) AS mad FROM ${t} JOIN m USING (author) GROUP BY author),
        fs AS (SELECT author, field, count(*) / any_value(n) AS share
               FROM (SELECT author, unnest(fields) AS field FROM ${t}) JOIN m USING (author) GROUP BY author, field),
        std AS (SELECT author, list(field) FILTER (WHERE share >= ${share}) AS std,
                  list({'field': field, 'share': share} ORDER BY share DESC, field)[1:10] AS fl FROM fs GROUP BY author),
        prof AS (SELECT m.*, d.mad, coalesce(std.std, []) AS std, coalesce(std.fl, []) AS fl
                 FROM m JOIN d USING (author) LEFT JOIN std USING (author))`;
}

/**
 * Annotation format features: per author the median token count, its MAD, the share of annotations with
 * each field label (a capitalised word followed by a colon, "Classification:"), and the shares using
 * first-person or affect words; then the annotations passing a prefilter that is a superset of every
 * departure rule of src/analyses/crossref/crossref.ts (any first-person or affect word, a length beyond the
 * threshold, or a missing field held by ≥ standardFieldShare of the author's annotations).
 */
export async function annotationFeatureScan(
  client: DuckDbClient,
  run: string,
  o: AnnotationFeatureOptions,
): Promise<AnnotationFeatureScan> {
  // Our own name (never a user value), quoted as an identifier: one temp table per call.
  const t = ident(`rlaudit_annotation_features_${++tempCounter}`);
  // the lexicons travel as bound space-separated texts (their words never hold a space: they are tokens)
  await client.exec(
    sql`CREATE TEMP TABLE ${t} AS
      SELECT id, session, coalesce(author, '(unknown)') AS author, text, len(tk) AS ntok,
        list_filter(tk, x -> list_contains(string_split(${o.lexicon.firstPerson.join(' ')}, ' '), x)) AS fp,
        list_filter(tk, x -> list_contains(string_split(${o.lexicon.affect.join(' ')}, ' '), x)) AS af,
        list_distinct(regexp_extract_all(text, '(\\p{Lu}\\p{L}*):', 1)) AS fields
      FROM (SELECT *, ${duckdbTokens(duckdbNormalise(sql`text`))} AS tk FROM ${trainingAnnotations(run)})`,
  );
  try {
    const authors = await client.query(
      sql`${profiles(t, o.standardFieldShare)} SELECT * FROM prof ORDER BY author`,
      rows.AuthorProfileRow,
    );
    const cond = sql`len(fp) > 0 OR len(af) > 0 OR abs(ntok - med) > ${o.lengthZ} * greatest(1.4826 * mad, 1)
      OR NOT list_has_all(fields, std)`;
    const cands = await client.query(
      sql`${profiles(t, o.standardFieldShare)} SELECT id, session, author, ntok, fp, af, fields, left(text, ${o.textChars}) AS text,
          count(*) OVER () AS total
        FROM ${t} JOIN prof USING (author) WHERE ${cond} ORDER BY session, id LIMIT ${o.limit}`,
      rows.AnnotationCandidateRow,
    );
    return {
      profiles: authors.map((r) => ({
        author: r.author,
        annotations: r.n,
        medianTokens: r.med,
        madTokens: r.mad,
        fields: r.fl,
        firstPersonShare: r.fps,
        affectShare: r.afs,
      })),
      candidates: cands.map((r) => ({
        id: r.id,
        session: r.session,
        author: r.author,
        tokens: r.ntok,
        firstPerson: r.fp,
        affect: r.af,
        fields: r.fields,
        text: r.text,
      })),
      candidatesTotal: cands[0]?.total ?? 0,
    };
  } finally {
    await client.exec(sql`DROP TABLE IF EXISTS ${t}`);
  }
}
