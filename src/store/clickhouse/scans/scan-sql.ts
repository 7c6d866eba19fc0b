import { z } from 'zod';
import type { WindowSpec } from '../../../model/windows.ts';
import type { RowDecoder } from '../../sql/row-decoder.ts';
import { empty, join, type SqlFragment, sql } from '../../sql/sql.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { float, int, text } from '../decode.ts';

/**
 * What the ClickHouse scans share. Every read of a record table is `FINAL` (docs/deploy-clickhouse.md,
 * "Exact before merges"), or gives `FINAL`'s answer without it ({@link windowsWithoutFinal}); on a cluster
 * the names are the `Distributed` tables, so a subquery over another record table inside a query over one is
 * `GLOBAL` (18.16 refuses a distributed subquery on each shard).
 * 18.16 has no window functions: an order-dependent series (k of the last N, ranks) is built from a sorted
 * `groupArray` of small tuples (no text) and `ARRAY JOIN`ed back into rows.
 */

/**
 * `*` and the derived columns a scan reads (`SELECT *` leaves them out, src/store/clickhouse/derived-columns.ts).
 * Only the scans that read them name them: 18.16 drops a subquery's unused columns when the outer query
 * reads some, but reads them all for a bare `count()` (measured).
 */
const columns = (derived: readonly SqlFragment[]) => join([sql`*`, ...derived]);

/** Is a `sessions` row a training session (no phase, or 'training')? The phase half of {@link trainingRows}. */
export const TRAINING = sql`(phase IS NULL OR phase = 'training')`;

/**
 * The condition on a `sessions` row of the run's training sessions (all but those of a phase after
 * training), for a query that reads `sessions FINAL` itself. On a cluster such a query is the one 18.16
 * sends to every shard: the shards filter, compute and aggregate their own rows, and the initiator merges
 * partial results. A query over a subquery of `sessions` ({@link trainingSessions}) gets only the subquery
 * sent to the shards: every row (and every column the outer query names, texts included) travels to the
 * initiator, which does the rest on its own — so the scans that read text or many rows filter and compute
 * in the query that reads `sessions`.
 */
export function trainingRows(run: string): SqlFragment {
  return sql`run = ${run} AND ${TRAINING}`;
}

/** The two figures a {@link windowsWithoutFinal} statement adds to each window's row. */
export const KEY_CHECK = sql`count() AS rows_n, uniqExact(session) AS keys_n`;

/**
 * The rows of a per-window statement over the run's sessions, read without `FINAL` when that is exact, which
 * halves the cost of the scans that read every output's tokens (18.16's `FINAL` merges every column read, one
 * thread per shard: `textWindowCounts` at 200,000 sessions 32.7–37.8 s with it, 17.4–24.2 s without, the same
 * rows; docs/benchmarks.md "Token scans without FINAL").
 *
 * `statement(final)` groups **every** row of the run (every phase; training is an `-If` condition of its
 * aggregates, and a window without training sessions is left out by its `HAVING`) by session window and adds
 * {@link KEY_CHECK}. Without `FINAL` first: in the parts one `SELECT` reads (each shard reads one snapshot),
 * the copies of a key (run, session) fall into one session window, since the window is a function of the
 * session alone; so when every window has as many rows as distinct sessions, no key has two rows, and `FINAL`
 * would have read exactly these rows (it only collapses the copies of a key) — the answer is `FINAL`'s.
 * When some window has copies (a key written twice and not merged yet), the statement runs again with
 * `FINAL`. Step windows always read `FINAL`: the copies of a session may carry different steps (or none),
 * so they need not meet in one window.
 */
export async function windowsWithoutFinal<T extends { rows_n: number; keys_n: number }>(
  client: ClickHouseClient,
  window: WindowSpec,
  statement: (final: SqlFragment) => SqlFragment,
  decoder: RowDecoder<T>,
): Promise<T[]> {
  if (window.by === 'session') {
    const rows = await client.query(statement(empty), decoder);
    if (rows.every((r) => r.rows_n === r.keys_n)) return rows;
  }
  return client.query(statement(sql`FINAL`), decoder);
}

/**
 * The run's training sessions (all but those of a phase after training), as `training_sessions` in DuckDB,
 * with the `derived` columns the query reads, and only those that meet `where` (a condition on the row,
 * applied on the shards: see {@link trainingRows}).
 */
export function trainingSessions(
  run: string,
  derived: readonly SqlFragment[] = [],
  where: SqlFragment = sql`1`,
): SqlFragment {
  return sql`(SELECT ${columns(derived)} FROM sessions FINAL WHERE ${trainingRows(run)} AND (${where}))`;
}

/** Every session of the run (every phase), with the `derived` columns the query reads, those meeting `where`. */
export function allSessions(
  run: string,
  derived: readonly SqlFragment[] = [],
  where: SqlFragment = sql`1`,
): SqlFragment {
  return sql`(SELECT ${columns(derived)} FROM sessions FINAL WHERE run = ${run} AND (${where}))`;
}

/**
 * The window of a session: floor((session − 1) / W) for session windows, the step for step windows (sessions
 * without one are left out by `where`).
 */
export function windowSql(spec: WindowSpec): { expr: SqlFragment; where: SqlFragment } {
  if (spec.by === 'step') return { expr: sql`assumeNotNull(step)`, where: sql`step IS NOT NULL` };
  if (!Number.isSafeInteger(spec.size) || spec.size < 1) {
    throw new RangeError(`window size must be a positive integer, got ${spec.size}`);
  }
  return { expr: sql`toInt64(floor((session - 1) / ${spec.size}))`, where: sql`1` };
}

/**
 * A condition on the key column `session` that holds for every session of the listed windows (and, for session
 * windows, only for those): for session windows of size W, window w is w·W < session ≤ (w + 1)·W, so the
 * windows' sessions are a few ranges of the primary key (consecutive windows merged into one), and a query
 * with it reads only their granules instead of every session of the run; for step windows, `1` (a step is
 * no key column). Exact: floor((s − 1) / W) = w ⟺ w·W < s ≤ (w + 1)·W for integers s.
 */
export function windowKeyRanges(spec: WindowSpec, windows: readonly number[]): SqlFragment {
  if (spec.by === 'step' || windows.length === 0) return sql`1`;
  const size = spec.size;
  const sorted = [...new Set(windows)].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const w of sorted) {
    const last = ranges.at(-1);
    if (last && last[1] === w - 1) last[1] = w;
    else ranges.push([w, w]);
  }
  return sql`(${join(
    ranges.map(([a, b]) => sql`(session > ${a * size} AND session <= ${(b + 1) * size})`),
    ' OR ',
  )})`;
}

/** `expr`, or NULL when `n` (a count) is 0: ClickHouse's min/max over no row is 0, its avg nan. */
export const orNull = (n: SqlFragment, expr: SqlFragment): SqlFragment => sql`if(${n} = 0, NULL, ${expr})`;

/**
 * The first `n` characters (code points) of a text, as DuckDB's `left`: 18.16's `substringUTF8` cuts a
 * 4-byte character (an emoji) in half (measured), so the characters are split by RE2 (`(?s).`, one code point).
 */
export const leftChars = (expr: SqlFragment, n: number): SqlFragment =>
  sql`arrayStringConcat(arraySlice(extractAll(${expr}, '(?s).'), 1, ${n}))`;

/**
 * DuckDB's `hash()` of a BIGINT, in ClickHouse: the 64-bit finaliser DuckDB uses for integers
 * (x ^= x >> 32; x *= 0xd6e8feb86659fd93; x ^= x >> 32; x *= 0xd6e8feb86659fd93; x ^= x >> 32, on UInt64
 * with wrap-around), so that a sample DuckDB orders by `hash(…)` is the same sample here
 * (test/store/clickhouse/scans-conformance.test.ts checks it against DuckDB's own `hash`).
 */
export function duckDbHash(expr: SqlFragment): SqlFragment {
  const mix = (x: SqlFragment) => sql`bitXor(${x}, bitShiftRight(${x}, 32))`;
  const mul = (x: SqlFragment) => sql`(${x} * toUInt64(15485907386658061715))`;
  return mix(mul(mix(mul(mix(sql`toUInt64(toInt64(${expr}))`)))));
}

/**
 * A possibly-NULL value as two tuple elements (is it NULL, its value or the type's default), read back by
 * {@link unpackNullable} from tuple element \`i\` of \`x\`. A precaution, not a measured fault: the sorted
 * tuple arrays of the scans hold only plain types, as Nullable inside a tuple inside an array is the least
 * exercised corner of 18.16's type system.
 */
export const packNullable = (expr: SqlFragment): SqlFragment => sql`isNull(${expr}), assumeNotNull(${expr})`;
export const unpackNullable = (x: SqlFragment, i: number): SqlFragment =>
  sql`if(tupleElement(${x}, ${i}), NULL, tupleElement(${x}, ${i + 1}))`;

export const nullableFloat = float.nullable();
export const floatOrZero = float.nullable().transform((v) => v ?? 0);
export const intList = z.array(int);
export const textList = z.array(text);
