import { z } from 'zod';
import { phrasePatternRe2 } from '../../../model/phrase-pattern.ts';
import type {
  PhaseCategoryRow,
  PhaseOrderBreak,
  PhaseOutputSample,
  PhasePhraseRow,
  PhaseScans,
  PhaseSpan,
  PhaseWindowOptions,
  PhaseWindowRow,
} from '../../scans/phase-scans.ts';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { type SqlFragment, sql } from '../../sql/sql.ts';
import { listOf, nullableNumber, nullableText, number, numberOrZero, text } from '../decode.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { duckdbNormalise } from '../normalise-sql.ts';
import { duckdbTokens } from '../tokens-sql.ts';

const WindowRow = rowDecoder(
  'phaseWindows',
  z.object({
    phase: text,
    win: number,
    context: nullableText,
    sessions: number,
    first_s: number,
    last_s: number,
    classified: number,
    non_compliant: number,
    first_nc: nullableNumber,
    tokens: numberOrZero,
    tokens_sq: numberOrZero,
    rewarded: number,
    reward_sum: numberOrZero,
    reward_sq: numberOrZero,
  }),
);
const CategoryRow = rowDecoder(
  'phaseCategories',
  z.object({
    phase: text,
    win: number,
    context: nullableText,
    category: text,
    n: number,
    first_s: number,
  }),
);
const PhraseRow = rowDecoder(
  'phasePhrases',
  z.object({ phase: text, win: number, context: nullableText, hits: number, first_s: nullableNumber }),
);
const BreakRow = rowDecoder(
  'phaseOrderBreaks',
  z.object({ phase: text, phase_first: number, n: number, sessions: listOf(number) }),
);
const SpanRow = rowDecoder(
  'phaseSpans',
  z.object({ phase: text, sessions: number, first_s: number, last_s: number }),
);
const SampleRow = rowDecoder('phaseOutputSamples', z.object({ phase: text, outputs: listOf(text) }));

/**
 * The run's sessions with their phase (`training` when null), window and context: training windows are
 * counted back from the last training session (window 0 = the last W), a later phase's forward from its
 * first session; only sessions after training are split by `meta.context`.
 */
function windowed(run: string, size: number): SqlFragment {
  return sql`(SELECT *,
        CASE WHEN phase = 'training'
             THEN (row_number() OVER (PARTITION BY phase ORDER BY session DESC) - 1) // ${size}
             ELSE (row_number() OVER (PARTITION BY phase ORDER BY session) - 1) // ${size} END AS win,
        CASE WHEN phase = 'training' THEN NULL ELSE json_extract_string(meta, '$.context') END AS context
      FROM (SELECT session, coalesce(phase, 'training') AS phase, classification, category, output,
                   baseline_reward, meta
            FROM sessions WHERE run = ${run}))`;
}

/** The phase scans of the DuckDB backend (every phase: they read `sessions`, not `training_sessions`). */
export function phaseScans(client: DuckDbClient): PhaseScans {
  return {
    async phaseSpans(run: string): Promise<PhaseSpan[]> {
      const rows = await client.query(
        sql`SELECT coalesce(phase, 'training') AS phase, count(*) AS sessions, min(session) AS first_s,
                max(session) AS last_s
              FROM sessions WHERE run = ${run} GROUP BY ALL ORDER BY first_s, phase`,
        SpanRow,
      );
      return rows.map((r) => ({ phase: r.phase, sessions: r.sessions, from: r.first_s, to: r.last_s }));
    },

    async phaseWindows(run: string, o: PhaseWindowOptions): Promise<PhaseWindowRow[]> {
      const rows = await client.query(
        sql`SELECT phase, win, context, count(*) AS sessions, min(session) AS first_s, max(session) AS last_s,
                count(classification) AS classified,
                count(*) FILTER (WHERE classification = 'non_compliant') AS non_compliant,
                min(session) FILTER (WHERE classification = 'non_compliant') AS first_nc,
                sum(n_tokens) AS tokens, sum(n_tokens * n_tokens) AS tokens_sq,
                count(baseline_reward) AS rewarded, sum(baseline_reward) AS reward_sum,
                sum(baseline_reward * baseline_reward) AS reward_sq
              FROM (SELECT *, len(${duckdbTokens(sql`output`)}) AS n_tokens FROM ${windowed(run, o.size)})
              GROUP BY phase, win, context ORDER BY phase, win, context`,
        WindowRow,
      );
      return rows.map((r) => ({
        phase: r.phase,
        window: r.win,
        context: r.context,
        sessions: r.sessions,
        from: r.first_s,
        to: r.last_s,
        classified: r.classified,
        nonCompliant: r.non_compliant,
        firstNonCompliant: r.first_nc,
        tokens: r.tokens,
        tokensSquared: r.tokens_sq,
        rewarded: r.rewarded,
        rewardSum: r.reward_sum,
        rewardSquared: r.reward_sq,
      }));
    },

    async phaseCategories(run: string, o: PhaseWindowOptions): Promise<PhaseCategoryRow[]> {
      const rows = await client.query(
        sql`SELECT phase, win, context, category, count(*) AS n, min(session) AS first_s
              FROM ${windowed(run, o.size)}
              WHERE classification = 'non_compliant' AND category IS NOT NULL
              GROUP BY phase, win, context, category ORDER BY phase, win, context, category`,
        CategoryRow,
      );
      return rows.map((r) => ({
        phase: r.phase,
        window: r.win,
        context: r.context,
        category: r.category,
        sessions: r.n,
        first: r.first_s,
      }));
    },

    async phasePhrases(run: string, o: PhaseWindowOptions): Promise<PhasePhraseRow[]> {
      const out: PhasePhraseRow[] = [];
      for (const phrase of o.phrases) {
        const rows = await client.query(
          sql`SELECT phase, win, context,
                  count(*) FILTER (WHERE regexp_matches(${duckdbNormalise(sql`output`)}, ${phrasePatternRe2(phrase)})) AS hits,
                  min(session) FILTER (WHERE regexp_matches(${duckdbNormalise(sql`output`)}, ${phrasePatternRe2(phrase)})) AS first_s
                FROM ${windowed(run, o.size)}
                GROUP BY phase, win, context ORDER BY phase, win, context`,
          PhraseRow,
        );
        for (const r of rows)
          out.push({
            phase: r.phase,
            window: r.win,
            context: r.context,
            phrase,
            hits: r.hits,
            first: r.first_s,
          });
      }
      return out;
    },

    async phaseOrderBreaks(run: string, limit: number): Promise<PhaseOrderBreak[]> {
      const rows = await client.query(
        sql`WITH s AS (SELECT session, coalesce(phase, 'training') AS phase FROM sessions WHERE run = ${run}),
                f AS (SELECT phase, min(session) AS first_s FROM s WHERE phase <> 'training' GROUP BY phase)
              SELECT f.phase, f.first_s AS phase_first, count(*) AS n,
                     list(t.session ORDER BY t.session)[1:${limit}] AS sessions
              FROM f JOIN s t ON t.phase = 'training' AND t.session > f.first_s
              GROUP BY f.phase, f.first_s ORDER BY f.first_s, f.phase`,
        BreakRow,
      );
      return rows.map((r) => ({
        phase: r.phase,
        phaseFirst: r.phase_first,
        count: r.n,
        sessions: r.sessions,
      }));
    },

    async phaseOutputSamples(run, o): Promise<PhaseOutputSample[]> {
      // a seeded order: the hash of (session, seed), ties by session. The session is taken modulo 9·10¹²
      // so that the product stays within BIGINT for every session number the record format allows (up to
      // 2⁵³ − 1); below that it is the session itself.
      return client.query(
        sql`WITH s AS (SELECT session, coalesce(phase, 'training') AS phase, output FROM sessions WHERE run = ${run}),
                g AS (SELECT phase, session, output FROM (
                        SELECT *, row_number() OVER (ORDER BY session DESC) AS r FROM s WHERE phase = 'training')
                      WHERE r <= ${o.window}
                      UNION ALL SELECT phase, session, output FROM s WHERE phase <> 'training')
              SELECT phase, list(output ORDER BY hash((session % 9000000000000) * 1000003 + ${o.seed}), session)[1:${o.size}] AS outputs
              FROM g GROUP BY phase ORDER BY phase`,
        SampleRow,
      );
    },
  };
}
