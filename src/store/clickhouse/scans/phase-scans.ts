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
import { ident, join, list, type SqlFragment, sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { int, nullableInt, nullableText, text } from '../decode.ts';
import { OUTPUT_NORM, OUTPUT_TOKENS } from '../derived-columns.ts';
import { re2Pattern } from '../text-sql.ts';
import { allSessions, duckDbHash, floatOrZero, intList, packNullable, unpackNullable } from './scan-sql.ts';

const WindowRow = rowDecoder(
  'phaseWindows',
  z.object({
    ph: text,
    win: int,
    ctx: nullableText,
    sessions: int,
    first_s: int,
    last_s: int,
    classified: int,
    non_compliant: int,
    first_nc: nullableInt,
    tokens_n: int,
    tokens_sq: int,
    rewarded: int,
    reward_sum: floatOrZero,
    reward_sq: floatOrZero,
  }),
);
const CategoryRow = rowDecoder(
  'phaseCategories',
  z.object({ ph: text, win: int, ctx: nullableText, label: text, n: int, first_s: int }),
);
const PhraseRow = rowDecoder(
  'phasePhrases',
  z.object({ ph: text, win: int, ctx: nullableText, hits: int, first_s: nullableInt }),
);
const FirstRow = rowDecoder('phaseFirsts', z.object({ ph: text, first_s: int }));
const BreakRow = rowDecoder('phaseOrderBreaks', z.object({ n: int, sessions: intList }));
const SpanRow = rowDecoder('phaseSpans', z.object({ ph: text, sessions: int, first_s: int, last_s: int }));
const GroupRow = rowDecoder('phaseOutputSamples.groups', z.object({ ph: text, ss: intList }));
const OutputRow = rowDecoder('phaseOutputSamples', z.object({ session: int, output: text }));

/** A per-session column of {@link windowed}: its name and its expression over a `sessions` row. */
interface Column {
  readonly name: string;
  readonly expr: SqlFragment;
}

/**
 * The run's sessions with their phase (`ph`, `training` when null), window (`win`) and context (`ctx`), plus
 * `columns`: training windows count back from the last training session (window 0 = the last W), a later
 * phase's forward from its first session; only sessions after training carry `meta.context`. Ranks without
 * window functions: per phase, one sorted array of (session, columns…) tuples — no text — `ARRAY JOIN`ed
 * with its positions. The columns are computed in the innermost query, the one 18.16 sends to the shards (no
 * text leaves them).
 */
function windowed(run: string, size: number, columns: readonly Column[]): SqlFragment {
  if (!Number.isSafeInteger(size) || size < 1)
    throw new RangeError(`window size must be a positive integer, got ${size}`);
  // (each column as two elements, see packNullable)
  const tuple = join([
    sql`session`,
    packNullable(sql`context`),
    ...columns.map((c) => packNullable(ident(c.name))),
  ]);
  const unpack = columns.map((c, i) => sql`, ${unpackNullable(sql`x`, 2 * i + 4)} AS ${ident(c.name)}`);
  return sql`(SELECT ph, tupleElement(x, 1) AS session,
        toInt64(intDiv(if(ph = 'training', len - idx, idx - 1), ${size})) AS win,
        if(ph = 'training', NULL, ${unpackNullable(sql`x`, 2)}) AS ctx${join(unpack, '')}
      FROM (
        SELECT ph, arraySort(groupArray((${tuple}))) AS a, length(a) AS len
        FROM (SELECT ifNull(phase, 'training') AS ph, session,
                if(ifNull(visitParamHas(meta, 'context'), 0), visitParamExtractString(assumeNotNull(meta), 'context'), NULL) AS context
                ${join(
                  columns.map((c) => sql`, ${c.expr} AS ${ident(c.name)}`),
                  '',
                )}
              FROM sessions FINAL WHERE run = ${run})
        GROUP BY ph)
      ARRAY JOIN a AS x, arrayEnumerate(a) AS idx)`;
}

const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The phase scans of the ClickHouse backend (every phase; the twin of src/store/duckdb/scans/phase-scans.ts). */
export function phaseScans(client: ClickHouseClient): PhaseScans {
  return {
    async phaseSpans(run: string): Promise<PhaseSpan[]> {
      const rows = await client.query(
        sql`SELECT ph, count() AS sessions, min(session) AS first_s, max(session) AS last_s
              FROM (SELECT ifNull(phase, 'training') AS ph, session FROM ${allSessions(run)})
              GROUP BY ph ORDER BY first_s, ph`,
        SpanRow,
      );
      return rows.map((r) => ({ phase: r.ph, sessions: r.sessions, from: r.first_s, to: r.last_s }));
    },

    async phaseWindows(run: string, o: PhaseWindowOptions): Promise<PhaseWindowRow[]> {
      const w = windowed(run, o.size, [
        { name: 'cls', expr: sql`classification` },
        { name: 'nt', expr: sql`toInt64(length(${OUTPUT_TOKENS}))` },
        { name: 'br', expr: sql`baseline_reward` },
      ]);
      const nc = sql`ifNull(cls = 'non_compliant', 0)`;
      const rows = await client.query(
        sql`SELECT ph, win, ctx, count() AS sessions, min(session) AS first_s, max(session) AS last_s,
                count(cls) AS classified, countIf(${nc}) AS non_compliant,
                if(countIf(${nc}) = 0, NULL, minIf(session, ${nc})) AS first_nc,
                sum(nt) AS tokens_n, sum(nt * nt) AS tokens_sq,
                count(br) AS rewarded, sum(br) AS reward_sum, sum(br * br) AS reward_sq
              FROM ${w} GROUP BY ph, win, ctx ORDER BY ph, win, ctx`,
        WindowRow,
      );
      return rows.map((r) => ({
        phase: r.ph,
        window: r.win,
        context: r.ctx,
        sessions: r.sessions,
        from: r.first_s,
        to: r.last_s,
        classified: r.classified,
        nonCompliant: r.non_compliant,
        firstNonCompliant: r.first_nc,
        tokens: r.tokens_n,
        tokensSquared: r.tokens_sq,
        rewarded: r.rewarded,
        rewardSum: r.reward_sum,
        rewardSquared: r.reward_sq,
      }));
    },

    async phaseCategories(run: string, o: PhaseWindowOptions): Promise<PhaseCategoryRow[]> {
      const w = windowed(run, o.size, [
        { name: 'cls', expr: sql`classification` },
        { name: 'cat', expr: sql`category` },
      ]);
      const rows = await client.query(
        // (the alias is not `cat`: a SELECT alias stands for the column of its name in WHERE too)
        sql`SELECT ph, win, ctx, assumeNotNull(cat) AS label, count() AS n, min(session) AS first_s
              FROM ${w} WHERE ifNull(cls = 'non_compliant', 0) AND cat IS NOT NULL
              GROUP BY ph, win, ctx, label ORDER BY ph, win, ctx, label`,
        CategoryRow,
      );
      return rows.map((r) => ({
        phase: r.ph,
        window: r.win,
        context: r.ctx,
        category: r.label,
        sessions: r.n,
        first: r.first_s,
      }));
    },

    async phasePhrases(run: string, o: PhaseWindowOptions): Promise<PhasePhraseRow[]> {
      const out: PhasePhraseRow[] = [];
      for (const phrase of o.phrases) {
        const w = windowed(run, o.size, [
          {
            name: 'hit',
            expr: sql`match(${OUTPUT_NORM}, ${re2Pattern(phrasePatternRe2(phrase))})`,
          },
        ]);
        const rows = await client.query(
          sql`SELECT ph, win, ctx, countIf(hit) AS hits, if(countIf(hit) = 0, NULL, minIf(session, hit)) AS first_s
                FROM ${w} GROUP BY ph, win, ctx ORDER BY ph, win, ctx`,
          PhraseRow,
        );
        for (const r of rows) {
          out.push({ phase: r.ph, window: r.win, context: r.ctx, phrase, hits: r.hits, first: r.first_s });
        }
      }
      return out;
    },

    async phaseOrderBreaks(run: string, limit: number): Promise<PhaseOrderBreak[]> {
      const firsts = await client.query(
        sql`SELECT ph, min(session) AS first_s
              FROM (SELECT ifNull(phase, 'training') AS ph, session FROM ${allSessions(run)})
              WHERE ph != 'training' GROUP BY ph`,
        FirstRow,
      );
      firsts.sort((a, b) => a.first_s - b.first_s || bytes(a.ph, b.ph));
      const out: PhaseOrderBreak[] = [];
      for (const f of firsts) {
        const training = sql`(SELECT session FROM ${allSessions(run)}
          WHERE (phase IS NULL OR phase = 'training') AND session > ${f.first_s})`;
        const [r] = await client.query(
          sql`SELECT (SELECT count() FROM ${training}) AS n,
                (SELECT groupArray(session) FROM (SELECT session FROM ${training} ORDER BY session LIMIT ${limit})) AS sessions`,
          BreakRow,
        );
        if (r && r.n > 0) out.push({ phase: f.ph, phaseFirst: f.first_s, count: r.n, sessions: r.sessions });
      }
      return out;
    },

    /**
     * Up to `size` outputs per group (the final W training sessions, each later phase), in DuckDB's seeded
     * order: `hash((session % 9·10¹²) · 1000003 + seed)` (DuckDB's hash, {@link duckDbHash}), ties by session.
     * The order is taken on session numbers; only the picked outputs are read.
     */
    async phaseOutputSamples(run, o): Promise<PhaseOutputSample[]> {
      const groups = await client.query(
        sql`SELECT ph, arraySlice(arrayMap(x -> tupleElement(x, 2), arraySort(groupArray((${duckDbHash(sql`(session % 9000000000000) * 1000003 + ${o.seed}`)}, session)))), 1, ${o.size}) AS ss
              FROM (
                SELECT 'training' AS ph, session FROM (
                  SELECT session FROM ${allSessions(run)} WHERE phase IS NULL OR phase = 'training'
                  ORDER BY session DESC LIMIT ${o.window})
                UNION ALL
                SELECT assumeNotNull(phase) AS ph, session FROM ${allSessions(run)}
                WHERE phase IS NOT NULL AND phase != 'training')
              GROUP BY ph ORDER BY ph`,
        GroupRow,
      );
      const wanted = groups.flatMap((g) => g.ss);
      if (wanted.length === 0) return [];
      const outputs = await client.query(
        sql`SELECT session, output FROM sessions FINAL WHERE run = ${run} AND session IN (${list(wanted)})`,
        OutputRow,
      );
      const text = new Map(outputs.map((r) => [r.session, r.output]));
      return groups.map((g) => ({ phase: g.ph, outputs: g.ss.map((s) => text.get(s) ?? '') }));
    },
  };
}
