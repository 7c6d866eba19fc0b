import { compile } from '../sql/dialect.ts';
import { type SqlFragment, sql } from '../sql/sql.ts';
import { clickHouseDialect } from './clickhouse-dialect.ts';
import { APOSTROPHE_CLASS, clickHouseNormalise, clickHouseTokens } from './text-sql.ts';

/**
 * Text the server derives once, when a row is written (schema version 3): the tokens and the normalised text
 * of a session's output, and the tokens of an annotation's normalised text; since version 4 also the tokens
 * of the normalised output of the (few) outputs where they differ from the output's own tokens. The audit
 * reads them many times (token counts, n-grams, phrase matching); computing them at insert instead of in
 * every scan is what brings the ClickHouse audit toward its single-scan floor (docs/benchmarks.md,
 * "clickhouse-scans").
 *
 * - On a shard's local table (and on a single server) each is a `MATERIALIZED` column: the server computes
 *   it from the row's own columns when the part is written; an insert never names it, `SELECT *` does not
 *   return it, and a part written before the column existed computes it when read (so a store upgraded with
 *   `ALTER TABLE … ADD COLUMN` answers the same, only slower, until its parts merge).
 * - On a cluster's `Distributed` table it is an `ALIAS` with the same expression. 18.16 forwards every
 *   column of a Distributed table it holds, MATERIALIZED ones included, to the shards on insert, which
 *   refuse them ("Cannot insert column …, because it is MATERIALIZED column" — measured); an ALIAS is not
 *   stored, so an insert forwards only the row, and a read of the name is sent to the shards as the name,
 *   where the local table's stored column answers (measured on 18.16). A server that expands the alias on
 *   the initiator instead computes the same value from `output`: slower, never different.
 *
 * Each expression is the DuckDB-identical one of text-sql.ts, inlined by the ClickHouse dialect.
 */
export interface DerivedColumn {
  readonly name: string;
  /** The schema version that added it (an upgrade from an earlier version adds it). */
  readonly since: number;
  readonly type: string;
  /** What it holds, as the docs show it in place of the (long) expression. */
  readonly label: string;
  readonly expr: SqlFragment;
}

/** The derived columns of each record table that has some. */
export const DERIVED_COLUMNS: Readonly<Record<string, readonly DerivedColumn[]>> = {
  sessions: [
    {
      name: 'output_tokens',
      since: 3,
      type: 'Array(String)',
      label: 'tokens(output)',
      expr: clickHouseTokens(sql`output`),
    },
    {
      name: 'output_norm',
      since: 3,
      type: 'String',
      label: 'normalise(output)',
      expr: clickHouseNormalise(sql`output`),
    },
    {
      // schema version 4: the tokens of the normalised output where they differ from output_tokens (see
      // OUTPUT_NORM_TOKENS); empty for every other output, so it costs a few bytes of offsets a row
      name: 'output_apostrophe_tokens',
      since: 4,
      type: 'Array(String)',
      label: 'tokens(normalise(output)) if output has an apostrophe variant, else []',
      expr: clickHouseTokens(
        sql`if(match(output, ${APOSTROPHE_CLASS}), ${clickHouseNormalise(sql`output`)}, '')`,
      ),
    },
  ],
  annotations: [
    {
      name: 'text_tokens',
      since: 3,
      type: 'Array(String)',
      label: 'tokens(normalise(text))',
      expr: clickHouseTokens(clickHouseNormalise(sql`text`)),
    },
  ],
};

/** The column definition `name type KIND expr` (the expression inlined; `abbreviated`: its label in braces). */
export function derivedColumnDdl(
  c: DerivedColumn,
  kind: 'MATERIALIZED' | 'ALIAS',
  abbreviated = false,
): string {
  const expr = abbreviated ? `{${c.label}}` : compile(c.expr, clickHouseDialect).sql;
  return `${c.name} ${c.type} ${kind} ${expr}`;
}

/** A session's output tokens (`tokens(output)`), read from the stored column. */
export const OUTPUT_TOKENS = sql`output_tokens`;

/** A session's normalised output (`normalise(output)`), read from the stored column. */
export const OUTPUT_NORM = sql`output_norm`;

/** The derived columns of the tables of schema version `version` (the version that added each at most). */
export function derivedColumnsOf(table: string, version: number): readonly DerivedColumn[] {
  return (DERIVED_COLUMNS[table] ?? []).filter((c) => c.since <= version);
}

/**
 * The tokens of the normalised output, `tokens(normalise(output))`, from the stored columns: normalising
 * changes a token only where it turns an apostrophe variant into `'` (a token character); its other changes
 * (whitespace runs to one space, the ends trimmed) touch no token character. So the stored `output_tokens`
 * are those tokens unless the output holds an apostrophe variant (test/store/clickhouse/derived-columns.test.ts
 * checks the equality on every apostrophe and space character); for such an output alone the insert stores
 * the tokens of its normalised text in `output_apostrophe_tokens` (schema version 4), which is empty for
 * every other output. An output with a variant has at least one token once normalised (the `'` it becomes is
 * a token character), so "that column is not empty" is "the output holds a variant", exactly.
 *
 * A scan of these tokens reads two token columns and no text: before version 4 it read `output` (to find the
 * variants) and `output_norm` (18.16's `if` computes both branches, so the column was read for every row),
 * about twice the bytes of the tokens (docs/benchmarks.md, "The SQL side of the audit").
 */
const APOSTROPHE_TOKENS = sql`output_apostrophe_tokens`;
export const OUTPUT_NORM_TOKENS = sql`if(notEmpty(${APOSTROPHE_TOKENS}), ${APOSTROPHE_TOKENS}, ${OUTPUT_TOKENS})`;

/** An annotation's tokens of its normalised text, read from the stored column. */
export const TEXT_TOKENS = sql`text_tokens`;

/** The session columns a text scan reads beside `*` (`SELECT *` leaves derived columns out). */
export const SESSION_TEXT_COLUMNS: readonly SqlFragment[] = [OUTPUT_TOKENS, OUTPUT_NORM, APOSTROPHE_TOKENS];
