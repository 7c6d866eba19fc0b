import { InputError } from '../../../model/errors.ts';
import { categoryKey, phrasePatternRe2 } from '../../../model/phrase-pattern.ts';
import type { Query } from '../../query.ts';
import type {
  BehaviourBin,
  BehaviourBinQuery,
  BehaviourOccurrence,
  BehaviourTarget,
  EventScans,
} from '../../scans/event-scans.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { duckdbNormaliseSql } from './phrase-scans.ts';

/** The output normalised like `normaliseText`: one definition, shared with the recurrence scans. */
const NORMALISED_OUTPUT = duckdbNormaliseSql('output');

/** The SQL condition (placeholders only) and parameters that select the sessions showing a behaviour. */
export function behaviourCondition(target: BehaviourTarget): Query {
  switch (target.kind) {
    case 'category':
      return {
        sql: `regexp_replace(trim(category), '(?i)^category[\\s_-]*', '') = $category`,
        params: { category: categoryKey(target.category) },
      };
    case 'phrase':
      return {
        sql: `regexp_matches(${NORMALISED_OUTPUT}, $pattern)`,
        params: { pattern: phrasePatternRe2(target.phrase) },
      };
    case 'regex': {
      const flags = target.flags ?? 'i';
      if (!/^[ims]*$/.test(flags)) throw new InputError(`regex flags '${flags}' may only use i, m, s`);
      const pattern = flags === '' ? target.regex : `(?${flags})${target.regex}`;
      return { sql: `regexp_matches(${NORMALISED_OUTPUT}, $pattern)`, params: { pattern } };
    }
    case 'non_compliant':
      return { sql: `classification = 'non_compliant'`, params: {} };
  }
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function eventScans(client: DuckDbClient): EventScans {
  return {
    async behaviourBins(run: string, q: BehaviourBinQuery): Promise<BehaviourBin[]> {
      if (!Number.isInteger(q.binSize) || q.binSize < 1) throw new RangeError(`bad bin size ${q.binSize}`);
      const cond = behaviourCondition(q.target);
      const rows = await client.query<{ bin: bigint; sessions: bigint; hits: bigint }>({
        sql: `SELECT floor((session - $anchor - 1) / $size)::BIGINT AS bin, count(*) AS sessions,
                count(*) FILTER (WHERE ${cond.sql}) AS hits
              FROM sessions WHERE run = $run AND session BETWEEN $from AND $to
              GROUP BY bin ORDER BY bin`,
        params: { ...cond.params, run, anchor: q.anchor, size: q.binSize, from: q.from, to: q.to },
      });
      return rows.map((r) => {
        const bin = Number(r.bin);
        const from = q.anchor + bin * q.binSize + 1;
        return { bin, from, to: from + q.binSize - 1, sessions: Number(r.sessions), hits: Number(r.hits) };
      });
    },

    async behaviourOccurrence(run: string, target: BehaviourTarget): Promise<BehaviourOccurrence> {
      const cond = behaviourCondition(target);
      const [r] = await client.query<{ last_hit: bigint | null; hits: bigint }>({
        sql: `SELECT max(session) AS last_hit, count(*) AS hits FROM sessions WHERE run = $run AND ${cond.sql}`,
        params: { ...cond.params, run },
      });
      return { lastHit: num(r?.last_hit), hits: Number(r?.hits ?? 0) };
    },
  };
}
