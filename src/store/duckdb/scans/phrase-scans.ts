import { InputError } from '../../../model/errors.ts';
import { phrasePatternRe2 } from '../../../model/phrase-pattern.ts';
import type { WindowSpec } from '../../../model/windows.ts';
import { tokenize } from '../../../stats/tokenize.ts';
import type {
  AnnotationFeatureOptions,
  AnnotationFeatureScan,
  PhraseScans,
  PhraseTarget,
} from '../../scans/phrase-scans.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { duckdbTokensSql } from '../tokens-sql.ts';

/**
 * `normaliseText` of src/model/phrase-pattern.ts in RE2: the same apostrophes become `'`, every run of
 * JavaScript `\s` (with the `u` flag) becomes one space, then the ends are trimmed. RE2's `\s` is ASCII only,
 * so the class lists JavaScript's whitespace explicitly (test/store/scans/phrase-scans.test.ts compares the
 * two over every code point).
 */
const APOSTROPHES = String.raw`[\x{2018}\x{2019}\x{201B}\x{02BC}\x{2032}\x{FF07}]`;
const WHITESPACE = String.raw`[\t\n\x{0B}\f\r \x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]+`;

/** SQL expression: `expr` normalised like `normaliseText`. `expr` is a column or placeholder, never a value. */
export function duckdbNormaliseSql(expr: string): string {
  return `trim(regexp_replace(regexp_replace(${expr}, '${APOSTROPHES}', '''', 'g'), '${WHITESPACE}', ' ', 'g'))`;
}

/** The bound RE2 pattern of a target: a phrase's from src/model/phrase-pattern.ts, a regex as given (case-insensitive). */
export async function targetPattern(client: DuckDbClient, target: PhraseTarget): Promise<string> {
  if ('regex' in target) {
    const pattern = `(?i)${target.regex}`;
    try {
      // compile it once in the engine, so a bad pattern is the user's error, not a failed scan
      await client.query({ sql: "SELECT regexp_matches('', $pat) AS ok", params: { pat: pattern } });
    } catch (err) {
      const why = ((err as { cause?: Error }).cause?.message ?? (err as Error).message).split('\n')[0];
      throw new InputError(`not a valid RE2 regular expression: ${JSON.stringify(target.regex)} (${why})`, {
        field: '--regex',
      });
    }
    return pattern;
  }
  return phrasePatternRe2(target.phrase);
}

function windowIndexSql(spec: WindowSpec): string {
  return spec.by === 'step' ? 'step' : '(session - 1) // $wsize';
}

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
let tempCounter = 0;

export function phraseScans(client: DuckDbClient): PhraseScans {
  return {
    async phraseSeries(run, target, o) {
      const pat = await targetPattern(client, target);
      // Our own name (never a user value): one temp table per call, dropped in `finally`.
      const t = `rlaudit_phrase_hits_${++tempCounter}`;
      await client.exec({
        sql: `CREATE TEMP TABLE ${t} AS
          SELECT session, step, occ, occ > 0 AS hit,
            sum((occ > 0)::INT) OVER (ORDER BY session ROWS BETWEEN $lag PRECEDING AND CURRENT ROW) AS k,
            CASE WHEN occ > 0 THEN lead(session) OVER (PARTITION BY occ > 0 ORDER BY session) END AS next_hit
          FROM (SELECT session, step, len(regexp_extract_all(${duckdbNormaliseSql('output')}, $pat)) AS occ
                FROM sessions WHERE run = $run)`,
        params: { run, pat, lag: o.recentWindow - 1 },
      });
      try {
        const [tot] = await client.query<Record<string, unknown>>({
          sql: `SELECT count(*) AS n, count(*) FILTER (WHERE hit) AS hits, sum(occ) AS occ,
              min(session) FILTER (WHERE hit) AS first, max(session) FILTER (WHERE hit) AS last,
              min(session) FILTER (WHERE hit AND (next_hit IS NULL OR next_hit - session > $gap)) AS stop,
              max(k) AS maxk, arg_min(session, -k * 1e15 + session) AS maxk_session,
              count(*) FILTER (WHERE k >= $thr) AS at_thr
            FROM ${t}`,
          params: { gap: o.stopGap, thr: o.threshold },
        });
        const wparams = o.window.by === 'session' ? { wsize: o.window.size } : {};
        const windows = await client.query<Record<string, unknown>>({
          sql: `SELECT w, min(session) AS f, max(session) AS l, count(*) AS n, count(*) FILTER (WHERE hit) AS hits,
              sum(occ) AS occ, max(k) AS maxk, min(session) FILTER (WHERE k = wmax) AS maxk_session
            FROM (SELECT *, ${windowIndexSql(o.window)} AS w, max(k) OVER (PARTITION BY ${windowIndexSql(o.window)}) AS wmax
                  FROM ${t}) WHERE w IS NOT NULL GROUP BY w ORDER BY w`,
          params: wparams,
        });
        const episodes = await client.query<Record<string, unknown>>({
          sql: `SELECT min(session) AS f, max(session) AS l, max(k) AS peak, arg_min(session, -k * 1e15 + session) AS ps,
              count(*) OVER () AS total
            FROM (SELECT session, k, rn - row_number() OVER (ORDER BY session) AS g
                  FROM (SELECT session, k, row_number() OVER (ORDER BY session) AS rn FROM ${t}) WHERE k >= $thr)
            GROUP BY g ORDER BY f LIMIT $lim`,
          params: { thr: o.threshold, lim: o.maxEpisodes },
        });
        const ev = o.eventSessions.join(',');
        const around =
          ev === ''
            ? []
            : await client.query<Record<string, unknown>>({
                sql: `SELECT DISTINCT session, k, hit FROM ${t}
                  SEMI JOIN (SELECT unnest(string_split($ev, ','))::BIGINT AS e) ON session BETWEEN e - $a AND e + $a
                  ORDER BY session`,
                params: { ev, a: o.around },
              });
        const events =
          ev === ''
            ? []
            : await client.query<Record<string, unknown>>({
                sql: `SELECT e, any_value(k) FILTER (WHERE session = e) AS kat,
                    count(*) FILTER (WHERE hit AND session < e) AS hb, count(*) FILTER (WHERE session < e) AS sb,
                    count(*) FILTER (WHERE hit AND session > e) AS ha, count(*) FILTER (WHERE session > e) AS sa,
                    min(session) FILTER (WHERE hit AND session > e) AS fa
                  FROM (SELECT DISTINCT unnest(string_split($ev, ','))::BIGINT AS e)
                  LEFT JOIN ${t} ON session BETWEEN e - $m AND e + $m GROUP BY e ORDER BY e`,
                params: { ev, m: o.after },
              });
        const eventRows = new Map(events.map((r) => [num(r.e), r]));
        return {
          target,
          sessions: num(tot?.n),
          hitSessions: num(tot?.hits),
          occurrences: num(tot?.occ),
          firstSession: numOrNull(tot?.first),
          lastSession: numOrNull(tot?.last),
          stopSession: numOrNull(tot?.stop),
          maxK: num(tot?.maxk),
          maxKSession: numOrNull(tot?.maxk_session),
          sessionsAtThreshold: num(tot?.at_thr),
          episodesTotal: num(episodes[0]?.total),
          episodes: episodes.map((r) => ({
            from: num(r.f),
            to: num(r.l),
            peakK: num(r.peak),
            peakSession: num(r.ps),
          })),
          windows: windows.map((r) => ({
            index: num(r.w),
            from: num(r.f),
            to: num(r.l),
            sessions: num(r.n),
            hitSessions: num(r.hits),
            occurrences: num(r.occ),
            maxK: num(r.maxk),
            maxKSession: numOrNull(r.maxk_session),
          })),
          aroundEvents: around.map((r) => ({ session: num(r.session), k: num(r.k), hit: r.hit === true })),
          events: o.eventSessions.map((s) => {
            const r = eventRows.get(s);
            return {
              session: s,
              kAt: numOrNull(r?.kat),
              hitsBefore: num(r?.hb),
              sessionsBefore: num(r?.sb),
              hitsAfter: num(r?.ha),
              sessionsAfter: num(r?.sa),
              firstHitAfter: numOrNull(r?.fa),
            };
          }),
        };
      } finally {
        await client.exec(`DROP TABLE IF EXISTS ${t}`);
      }
    },

    async discoverNgrams(run, o) {
      const tokens = duckdbTokensSql(duckdbNormaliseSql('output'));
      const z = 1.959963984540054;
      // Wilson bounds (Wilson 1927, no continuity correction) of x of n, in SQL.
      const wl = (x: string, n: string) =>
        `((${x} + ${z ** 2 / 2} - ${z} * sqrt(${x} * (${n} - ${x}) / ${n} + ${z ** 2 / 4})) / (${n} + ${z ** 2}))`;
      const wu = (x: string, n: string) =>
        `((${x} + ${z ** 2 / 2} + ${z} * sqrt(${x} * (${n} - ${x}) / ${n} + ${z ** 2 / 4})) / (${n} + ${z ** 2}))`;
      const parts = `WITH r AS (SELECT session, output, row_number() OVER (ORDER BY session) AS rn, count(*) OVER () AS total
                  FROM sessions WHERE run = $run),
        p AS (SELECT session, output, CASE WHEN rn <= ceil(total * $frac) THEN 'first'
                  WHEN rn > total - ceil(total * $frac) THEN 'last' END AS part FROM r),
        s AS (SELECT session, output, part,
                  row_number() OVER (PARTITION BY part ORDER BY hash(session), session) <= $cap AS sampled
              FROM p WHERE part IS NOT NULL)`;
      const params = { run, frac: o.partFraction, cap: o.maxSessionsPerPart };
      const info = await client.query<Record<string, unknown>>({
        sql: `${parts} SELECT part, min(session) AS f, max(session) AS l, count(*) AS n,
            count(*) FILTER (WHERE sampled) AS ns FROM s GROUP BY part`,
        params,
      });
      const partOf = (name: string) => {
        const r = info.find((x) => x.part === name);
        return { from: num(r?.f), to: num(r?.l), sessions: num(r?.n), sampled: num(r?.ns) };
      };
      const first = partOf('first');
      const last = partOf('last');
      if (first.sampled === 0 || last.sampled === 0) return { first, last, candidates: [] };
      const rows = await client.query<Record<string, unknown>>({
        sql: `${parts},
          tok AS (SELECT session, part, ${tokens} AS t FROM s WHERE sampled),
          g AS (SELECT DISTINCT session, part, n,
                  unnest(list_transform(range(1, len(t) - n + 2), i -> array_to_string(t[i:i + n - 1], ' '))) AS g
                FROM tok CROSS JOIN range($minN, $maxN + 1) AS ns(n)),
          c AS (SELECT g, n, (count(*) FILTER (WHERE part = 'first'))::DOUBLE AS fc,
                  (count(*) FILTER (WHERE part = 'last'))::DOUBLE AS lc FROM g GROUP BY g, n HAVING greatest(fc, lc) >= $minSupport),
          sc AS (SELECT *, ${wl('lc', '$n2::DOUBLE')} - ${wu('fc', '$n1::DOUBLE')} AS rise,
            ${wl('fc', '$n1::DOUBLE')} - ${wu('lc', '$n2::DOUBLE')} AS fall FROM c)
          (SELECT g, n, fc, lc, rise AS score, 'rising' AS dir FROM sc WHERE rise > 0 ORDER BY rise DESC, n DESC, g LIMIT $lim)
          UNION ALL
          (SELECT g, n, fc, lc, fall AS score, 'falling' AS dir FROM sc WHERE fall > 0 ORDER BY fall DESC, n DESC, g LIMIT $lim)`,
        params: {
          ...params,
          minN: o.minN,
          maxN: o.maxN,
          minSupport: o.minSupport,
          n1: first.sampled,
          n2: last.sampled,
          lim: o.limit,
        },
      });
      return {
        first,
        last,
        candidates: rows.map((r) => ({
          ngram: String(r.g),
          n: num(r.n),
          firstCount: num(r.fc),
          lastCount: num(r.lc),
          firstRate: num(r.fc) / first.sampled,
          lastRate: num(r.lc) / last.sampled,
          score: num(r.score),
          direction: r.dir === 'rising' ? 'rising' : 'falling',
        })),
      };
    },

    async ngramWindowShares(run, ngrams, window) {
      const grams = [...new Set(ngrams.map((g) => tokenize(g).join(' ')).filter((g) => g !== ''))];
      if (grams.length === 0) return [];
      const tokens = duckdbTokensSql(duckdbNormaliseSql('output'));
      // Tokens never hold a space or a newline, so containment of ' g ' in ' t ' is token-sequence containment.
      const rows = await client.query<Record<string, unknown>>({
        sql: `WITH t AS (SELECT session, ${windowIndexSql(window)} AS w, ' ' || array_to_string(${tokens}, ' ') || ' ' AS t
                FROM sessions WHERE run = $run),
            g AS (SELECT unnest(string_split($grams, chr(10))) AS g)
          SELECT g, w, min(session) AS f, max(session) AS l, count(*) AS n,
            count(*) FILTER (WHERE contains(t, ' ' || g || ' ')) AS hits
          FROM t CROSS JOIN g WHERE w IS NOT NULL GROUP BY g, w ORDER BY g, w`,
        params: { run, grams: grams.join('\n'), ...(window.by === 'session' ? { wsize: window.size } : {}) },
      });
      return grams.map((ngram) => ({
        ngram,
        windows: rows
          .filter((r) => r.g === ngram)
          .map((r) => ({
            index: num(r.w),
            from: num(r.f),
            to: num(r.l),
            sessions: num(r.n),
            hits: num(r.hits),
          })),
      }));
    },

    async paraphraseWindows(run, phrase, o) {
      const pat = await targetPattern(client, { phrase });
      const norm = duckdbNormaliseSql('output');
      const rows = await client.query<Record<string, unknown>>({
        sql: `WITH ph AS (SELECT ${duckdbTokensSql(duckdbNormaliseSql('$phrase'))} AS pt),
          ps AS (SELECT pt, list_distinct(pt) AS pset, len(pt) AS m FROM ph),
          s AS (SELECT session, session > $from AND session <= $to AS is_after, ${duckdbTokensSql(norm)} AS t
                FROM sessions WHERE run = $run AND NOT regexp_matches(${norm}, $pat)
                  AND ((session > $from AND session <= $to) OR (session > $bfrom AND session <= $bto))),
          w AS (SELECT DISTINCT session, is_after, unnest(list_transform(range(1, len(t) - m + 2), i -> t[i:i + m - 1])) AS win
                FROM s CROSS JOIN ps WHERE m > 0),
          j AS (SELECT session, is_after, win, len(list_intersect(list_distinct(win), pset)) AS inter,
                  len(list_distinct(win)) + len(pset) AS tot FROM w CROSS JOIN ps WHERE win <> pt)
          SELECT array_to_string(win, ' ') AS text, any_value(inter / (tot - inter)) AS jac,
            count(DISTINCT session) FILTER (WHERE is_after) AS after, count(DISTINCT session) FILTER (WHERE NOT is_after) AS base,
            (list(DISTINCT session ORDER BY session) FILTER (WHERE is_after))[1:5] AS ex
          FROM j WHERE inter / (tot - inter) >= $minJ GROUP BY win
          ORDER BY after DESC, jac DESC, text LIMIT $lim`,
        params: {
          run,
          phrase,
          pat,
          from: o.from,
          to: o.to,
          bfrom: o.baselineFrom,
          bto: o.baselineTo,
          minJ: o.minJaccard,
          lim: o.limit,
        },
      });
      const [meta] = await client.query<Record<string, unknown>>({
        sql: `SELECT ${duckdbTokensSql(duckdbNormaliseSql('$phrase'))} AS pt,
            (SELECT count(*) FROM sessions WHERE run = $run AND session > $from AND session <= $to) AS n`,
        params: { run, phrase, from: o.from, to: o.to },
      });
      return {
        phraseTokens: (meta?.pt as string[] | undefined) ?? [],
        sessionsSearched: num(meta?.n),
        candidates: rows.map((r) => ({
          text: String(r.text),
          jaccard: num(r.jac),
          sessionsAfter: num(r.after),
          sessionsBaseline: num(r.base),
          exampleSessions: ((r.ex as unknown[] | null) ?? []).map(num),
        })),
      };
    },

    async listEvents(run, limit = 10_000) {
      const rows = await client.query<Record<string, unknown>>({
        sql: `SELECT id, session, kind, parameter, target::VARCHAR AS target, from_value, to_value, change_pct,
            trigger::VARCHAR AS trigger, recommended_by, note
          FROM events WHERE run = $run ORDER BY session, id LIMIT $limit`,
        params: { run, limit },
      });
      const obj = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : null);
      return rows.map((r) => ({
        id: String(r.id),
        session: num(r.session),
        kind: String(r.kind),
        parameter: String(r.parameter),
        target: obj(r.target) ?? {},
        from: numOrNull(r.from_value),
        to: numOrNull(r.to_value),
        changePct: numOrNull(r.change_pct),
        trigger: obj(r.trigger),
        recommendedBy: (r.recommended_by as string | null) ?? null,
        note: (r.note as string | null) ?? null,
      }));
    },

    annotationFeatures: (run, options) => annotationFeatureScan(client, run, options),
  };
}

/**
 * Annotation format features: per author the median token count, its MAD, the share of annotations with
 * each field label (a capitalised word followed by a colon, "Classification:"), and the shares using
 * first-person or affect words; then the annotations passing a prefilter that is a superset of every
 * departure rule of src/analyses/crossref/crossref.ts (any first-person or affect word, a length beyond the
 * threshold, or a missing field held by ≥ standardFieldShare of the author's annotations).
 */
async function annotationFeatureScan(
  client: DuckDbClient,
  run: string,
  o: AnnotationFeatureOptions,
): Promise<AnnotationFeatureScan> {
  const t = `rlaudit_annotation_features_${++tempCounter}`;
  await client.exec({
    sql: `CREATE TEMP TABLE ${t} AS
      SELECT id, session, coalesce(author, '(unknown)') AS author, text, len(tk) AS ntok,
        list_filter(tk, x -> list_contains(string_split($fp, ' '), x)) AS fp,
        list_filter(tk, x -> list_contains(string_split($af, ' '), x)) AS af,
        list_distinct(regexp_extract_all(text, '(\\p{Lu}\\p{L}*):', 1)) AS fields
      FROM (SELECT *, ${duckdbTokensSql(duckdbNormaliseSql('text'))} AS tk FROM annotations WHERE run = $run)`,
    params: { run, fp: o.lexicon.firstPerson.join(' '), af: o.lexicon.affect.join(' ') },
  });
  try {
    const prof = `WITH m AS (SELECT author, count(*) AS n, median(ntok) AS med, avg((len(fp) > 0)::INT) AS fps,
          avg((len(af) > 0)::INT) AS afs FROM ${t} GROUP BY author),
        d AS (SELECT author, median(abs(ntok - med)) AS mad FROM ${t} JOIN m USING (author) GROUP BY author),
        fs AS (SELECT author, field, count(*) / any_value(n) AS share
               FROM (SELECT author, unnest(fields) AS field FROM ${t}) JOIN m USING (author) GROUP BY author, field),
        std AS (SELECT author, list(field) FILTER (WHERE share >= $share) AS std,
                  list({'field': field, 'share': share} ORDER BY share DESC, field)[1:10] AS fl FROM fs GROUP BY author),
        prof AS (SELECT m.*, d.mad, coalesce(std.std, []) AS std, coalesce(std.fl, []) AS fl
                 FROM m JOIN d USING (author) LEFT JOIN std USING (author))`;
    const profiles = await client.query<Record<string, unknown>>({
      sql: `${prof} SELECT * FROM prof ORDER BY author`,
      params: { share: o.standardFieldShare },
    });
    const cond = `len(fp) > 0 OR len(af) > 0 OR abs(ntok - med) > $z * greatest(1.4826 * mad, 1)
      OR NOT list_has_all(fields, std)`;
    const cands = await client.query<Record<string, unknown>>({
      sql: `${prof} SELECT id, session, author, ntok, fp, af, fields, left(text, $chars) AS text,
          count(*) OVER () AS total
        FROM ${t} JOIN prof USING (author) WHERE ${cond} ORDER BY session, id LIMIT $lim`,
      params: { share: o.standardFieldShare, z: o.lengthZ, chars: o.textChars, lim: o.limit },
    });
    const strs = (v: unknown) => ((v as unknown[] | null) ?? []).map(String);
    return {
      profiles: profiles.map((r) => ({
        author: String(r.author),
        annotations: num(r.n),
        medianTokens: num(r.med),
        madTokens: num(r.mad),
        fields: ((r.fl as { field: string; share: number }[] | null) ?? []).map((f) => ({
          field: String(f.field),
          share: num(f.share),
        })),
        firstPersonShare: num(r.fps),
        affectShare: num(r.afs),
      })),
      candidates: cands.map((r) => ({
        id: String(r.id),
        session: num(r.session),
        author: String(r.author),
        tokens: num(r.ntok),
        firstPerson: strs(r.fp),
        affect: strs(r.af),
        fields: strs(r.fields),
        text: String(r.text),
      })),
      candidatesTotal: num(cands[0]?.total),
    };
  } finally {
    await client.exec(`DROP TABLE IF EXISTS ${t}`);
  }
}
