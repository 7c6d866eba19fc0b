import { z } from 'zod';
import { linesAt } from '../../sources/jsonl-lines-at.ts';
import { nullKeyBytes } from '../../sources/jsonl-prescan.ts';
import { parseJsonlLine } from '../../sources/jsonl-reader.ts';
import type { SourceItem } from '../../sources/source-item.ts';
import type { StagedReject } from '../../sources/staged.ts';
import { stageItems } from '../../sources/validated-batches.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { ident, join, raw, type SqlFragment, sql } from '../sql/sql.ts';
import type { EngineFastRead, EngineFastResult, IngestBatch, IngestCounts } from '../store.ts';
import { addCounts, emptyCounts } from '../store.ts';
import { number, text } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { SESSION_FIELD_RULES, SQL_FIELDS } from './engine-jsonl.ts';
import { metaCanonicalSql } from './engine-meta-sql.ts';
import { memoryLimit } from './memory-limit.ts';
import { SESSIONS_TABLE } from './stage-tables.ts';
import { transaction } from './transaction.ts';

/**
 * The engine path's fast scan (docs/ingest.md, "The engine path"): DuckDB's own JSON reader parses each line
 * once, in parallel, into a map of its keys to their JSON values (`MAP(VARCHAR, JSON)`: every key is seen, a
 * repeated key is seen twice), SQL checks every field against the record format's rules, and one `INSERT …
 * SELECT` appends every row straight into `sessions` — the accepted ones as they will stay, the others as
 * placeholders (run '') that only hold their place. DuckDB keeps the rows in the order of the file
 * (insertion order is preserved), so a row's line is its position among the non-blank lines: it is written
 * once the insert is done, the placeholders are taken out again and their lines (with the prescan's suspect
 * lines) go through the TypeScript reader and validator, which give a reject its message or stage the row for
 * the same merge as any batch.
 *
 * Two transactions: the bulk insert commits alone (DuckDB writes its row groups straight into the database
 * file; a change to them in the same transaction would write every row to the write-ahead log once more, a
 * second copy of the file), with each row's line UNWRITTEN (-1); the second writes the lines, takes the
 * placeholders out and merges the deferred rows. A give-up or an error in the second
 * deletes what the first committed. A kill between the two leaves rows of a `running` load with an unwritten
 * line, which the next process that opens the database for writing removes before anything else
 * (`removeUnfinishedFastScans`): nothing of the file stays, and the rerun reads it whole again.
 *
 * The scan gives the file up (returns null, nothing written) when DuckDB's reader refuses a line, when its
 * rows do not number the prescan's records, when a key repeats within the file or meets a stored session, or
 * when a deferred session meets a key the bulk insert stored from a later line: the caller then takes the
 * line-by-line engine scan (`stageJsonlInEngine`), whose merge compares contents in SQL and keeps line order.
 */

/** The stage's session columns up to `source_line`, then `load_id` and the later columns, as in `sessions`. */
const SESSION_COLUMNS = SESSIONS_TABLE.columns.map(([c]) => c);

const MAX_SAFE = '9007199254740991';

/**
 * The line of a row the fast scan's bulk insert committed and whose line is not written yet (no reader writes a
 * negative line; the typed scan writes minus the row's reconstructed byte count instead, also negative): a kill
 * between the fast scan's two commits leaves such rows, and the next process that opens the database for writing
 * removes them (`removeUnfinishedFastScans`).
 */
export const UNWRITTEN_LINE = -1;

/**
 * Removes what a fast scan killed between its two commits left: the rows of a load still `running` whose line
 * was never written. Run when a process opens the database for writing, before the loads are marked
 * interrupted (no other process can still be running them).
 */
export async function removeUnfinishedFastScans(client: DuckDbClient): Promise<void> {
  const [running] = await client.query(
    sql`SELECT count(*) AS n FROM loads WHERE status = 'running'`,
    CountRow,
  );
  if (!running || running.n === 0) return; // the common open: no scan of `sessions` at all
  await client.exec(
    sql`DELETE FROM sessions WHERE source_line < 0
          AND load_id IN (SELECT load_id FROM loads WHERE status = 'running')`,
  );
}

/*
 * The checks read each value's JSON text as DuckDB's reader writes it back (yyjson, minified: a string in
 * quotes, escaped; an integer as its digits; any other number with a '.' or an exponent; `null`, `true`,
 * `false`, `[…]`, `{…}`), and decide by its first bytes and by casts of that text, never by parsing it again
 * (`json_type`), except a non-empty flags array. They may refuse more than the validator (a refused row only
 * goes to the validator): SQL accepts a value only in the one form whose stored value is the validator's.
 */

/** A field's JSON text in the row's map (SQL NULL when the row lacks the key, or holds JSON null). */
const j = (f: string) => `"j_${f}"`;
/** Whether the row has the key: looked up in the map only for a row whose value is SQL NULL. */
const has = (f: string) => `"p_${f}"`;
/** The field's text as an integer, when it is one (see `intOf`). */
const iv = (f: string) => `"i_${f}"`;
/** The field's text as a double, when it is a number (see `numOf`). */
const dv = (f: string) => `"d_${f}"`;
/** `meta`'s canonical JSON text, when SQL can write it (`metaCanonicalSql`). */
const canonMeta = '"c_meta"';

/** Absent, or JSON null. */
const absentOrNull = (f: string) => `(${j(f)} IS NULL OR ${j(f)} = 'null')`;
/** A JSON string (its text starts with its quote). */
const isString = (f: string) => `starts_with(${j(f)}, '"')`;
/**
 * The integer a JSON text is, when it is an integer literal: the cast's own text is the text itself (so no
 * fraction, exponent, sign, blank, quote or leading zero DuckDB's cast would forgive, and not `-0`).
 */
const intOf = (f: string) =>
  `CASE WHEN CAST(TRY_CAST(CAST(${j(f)} AS VARCHAR) AS BIGINT) AS VARCHAR) = CAST(${j(f)} AS VARCHAR) THEN TRY_CAST(CAST(${j(f)} AS VARCHAR) AS BIGINT) END`;
/**
 * The double a JSON number's text is (NULL for a string, `true`, `null`, an array, an object: the cast refuses
 * their text); a NaN or an infinity the checks refuse by `isfinite`.
 */
const numOf = (f: string) => `TRY_CAST(CAST(${j(f)} AS VARCHAR) AS DOUBLE)`;

/**
 * The rules of the fields the line-by-line scan leaves to the validator (`'defer'` in `SESSION_FIELD_RULES`), as the
 * fast scan decides them: `time` only when absent or null (a time is the validator's: `Date`'s reading of ISO 8601),
 * `annotations` only when empty, `meta` when SQL can write its canonical text (`metaCanonicalSql`), `phase` a name of
 * printable ASCII, `checkpoint` an integer or a string. Anything else goes to the validator.
 */
export const FAST_RULES = {
  time: 'nullOnly',
  annotations: 'emptyList',
  meta: 'meta',
  phase: 'phase',
  checkpoint: 'checkpoint',
} as const satisfies Readonly<Record<string, string>>;

type Rule =
  | Exclude<(typeof SESSION_FIELD_RULES)[string], 'defer'>
  | (typeof FAST_RULES)[keyof typeof FAST_RULES];

/** A field's rule in the fast scan. */
const ruleOf = (f: string): Rule =>
  (FAST_RULES as Readonly<Record<string, Rule>>)[f] ?? (SESSION_FIELD_RULES[f] as Rule);

/** The fields the map reader decides in SQL: every field of the record format. */
const MAP_FIELDS: readonly string[] = [...SQL_FIELDS, ...Object.keys(FAST_RULES)];
/**
 * The fields the typed reader decides in SQL: all but `meta`, whose JSON text DuckDB may write back longer than
 * the line held it (`1e2` as `100.0`), which the byte count cannot allow. A typed row with `meta` is the validator's.
 */
const TYPED_FIELDS: readonly string[] = MAP_FIELDS.filter((f) => f !== 'meta');
/** The record format's session fields a row must not hold to be accepted by the typed reader. */
const TYPED_DEFERRED: readonly string[] = ['meta'];

/** Which derived columns a rule reads: the integer or the double of its text. */
const INT_RULES: readonly Rule[] = ['session', 'step', 'category', 'checkpoint'];
const NUM_RULES: readonly Rule[] = ['finite', 'unitInterval'];

/**
 * A number's JSON text as DuckDB writes it back that no shorter JSON text of the same number can stand for: an
 * integer (written back as the file wrote it), or a fraction in the shortest digits without an exponent where no
 * exponent form is shorter (`0.85`, `0.05`, `-12.5`, `1.0`, not `100.0` = `1e2`, `0.001` = `1e-3`, `1e-7`). The typed
 * scan's byte count of a row must never exceed the row's own bytes (see `typedRowBytes`).
 */
const SHORTEST_NUMBER =
  '-?(0|[1-9][0-9]*|0\\.0|0\\.0?[1-9]([0-9]*[1-9])?|[1-9][0-9]*\\.[0-9]*[1-9]|[1-9]([0-9]*[1-9])?\\.0)';

/** The SQL condition under which a field is valid as the record format says, per rule (see engine-jsonl.ts). */
function fastCheck(f: string, rule: Rule, reader: FastReader = 'map'): string {
  const v = j(f);
  const intIn = (lo: string) => `${iv(f)} BETWEEN ${lo} AND ${MAX_SAFE}`;
  const finite =
    reader === 'typed'
      ? `(isfinite(${dv(f)}) AND regexp_full_match(CAST(${v} AS VARCHAR), '${SHORTEST_NUMBER}'))`
      : `isfinite(${dv(f)})`;
  switch (rule) {
    case 'type':
      return `(NOT ${has(f)} OR ${v} = '"session"')`;
    case 'run':
      // printable ASCII without space, quote and slashes, 1–200 characters, not '.' or '..': its JSON text is
      // the run in quotes, unescaped (others, a quote or a backslash among them: the validator's)
      return `(NOT ${has(f)} OR (regexp_full_match(CAST(${v} AS VARCHAR), '"[\\x21\\x23-\\x2e\\x30-\\x5b\\x5d-\\x7e]{1,200}"') AND CAST(${v} AS VARCHAR) NOT IN ('"."', '".."')))`;
    case 'session':
      return intIn('1');
    case 'step':
      return `(${absentOrNull(f)} OR ${intIn('0')})`;
    case 'text':
      return isString(f);
    case 'nullableText':
      return `(${absentOrNull(f)} OR ${isString(f)})`;
    case 'classification':
      return `(${absentOrNull(f)} OR ${v} IN ('"compliant"', '"non_compliant"'))`;
    case 'category':
      return `(${absentOrNull(f)} OR ${iv(f)} BETWEEN -${MAX_SAFE} AND ${MAX_SAFE} OR (${isString(f)} AND ${v} <> '""'))`;
    case 'finite':
      return `(${absentOrNull(f)} OR ${finite})`;
    case 'unitInterval':
      return `(${absentOrNull(f)} OR (${finite} AND ${dv(f)} BETWEEN 0 AND 1))`;
    case 'flags':
      // an empty list (stored as NULL), or a list of strings only
      return `(NOT ${has(f)} OR ${v} = '[]' OR (starts_with(${v}, '[') AND list_bool_and(list_transform(json_type(${v}, '$[*]'), e -> e = 'VARCHAR')) IS NOT false))`;
    case 'nullOnly':
      return absentOrNull(f);
    case 'emptyList':
      // stored as NULL, as an absent list (a JSON null is refused: the validator's)
      return `(NOT ${has(f)} OR ${v} = '[]')`;
    case 'meta':
      return `(NOT ${has(f)} OR ${canonMeta} IS NOT NULL)`;
    case 'phase':
      // 1–100 characters of printable ASCII without quote or backslash (JavaScript counts the same characters)
      return `(${absentOrNull(f)} OR regexp_full_match(CAST(${v} AS VARCHAR), '"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]{1,100}"'))`;
    case 'checkpoint':
      return `(${absentOrNull(f)} OR ${iv(f)} BETWEEN 0 AND ${MAX_SAFE} OR (${isString(f)} AND ${v} <> '""'))`;
  }
}

/** The `sessions` value of a column for a row SQL accepted (the TypeScript stage's value, typed as the table). */
function fastValue(column: string, run: SqlFragment, loadId: number): SqlFragment {
  switch (column) {
    case 'run':
      return run;
    case 'session':
    case 'step':
      return raw(iv(column));
    case 'prompt_id':
    case 'prompt':
    case 'output':
    case 'classification':
      return raw(`(${j(column)}->>'$')`);
    case 'category':
    case 'checkpoint':
      // an integer as its canonical text (the validator's String(n)), a string as itself
      return raw(
        `CASE WHEN ${iv(column)} IS NOT NULL THEN CAST(${j(column)} AS VARCHAR) ELSE (${j(column)}->>'$') END`,
      );
    case 'phase':
      // training is stored as null, as a session without a phase (stage-tables.ts)
      return raw(`CASE WHEN ${j('phase')} <> '"training"' THEN (${j('phase')}->>'$') END`);
    case 'meta':
      return raw(canonMeta);
    case 'baseline_reward':
    case 'adjusted_reward':
    case 'differential_pct':
    case 'compliance_trajectory_index':
      return raw(dv(column));
    case 'flags':
      return raw(`CASE WHEN ${j('flags')} <> '[]' THEN CAST(${j('flags')} AS VARCHAR[]) END`);
    case 'load_id':
      return sql`${loadId}`;
    case 'source_line':
      return raw(String(UNWRITTEN_LINE)); // written in the second transaction: the row's place among the records
    case 'time': // a row SQL accepts has no time
    case 'nested_annotations': // nor annotations
      return raw('NULL');
    default:
      throw new Error(`engine-jsonl-fast: no SQL value for the sessions column ${column}`);
  }
}

/** What a placeholder row holds in a NOT NULL column (any value: the row is taken out before the commit). */
const PLACEHOLDER: Readonly<Record<string, string>> = { run: "''", session: '0', output: "''" };

/**
 * How the fast scan's statement reads each line: `map`, into a map of its keys to their JSON values (every key
 * seen, a repeated key twice); `typed`, into one JSON column per field of the record format (DuckDB's reader
 * refuses a repeated key and skips a key it was not given, and reads a JSON null as an absent key) — about half
 * the reading cost and none of the map's look-ups, but a key it skips must be found otherwise: by the byte count
 * of `typedRowBytes` (see `ingestJsonlFast`).
 */
export type FastReader = 'map' | 'typed';

/**
 * The bytes of a row as a minified JSON object of the fields it holds that are not null, each member with one
 * comma (so: the object's bytes less those of its null members, whose bytes `nullKeyBytes` counts). For a row
 * SQL accepts it never exceeds the row's own bytes: each value's JSON text as DuckDB writes it back is the
 * shortest that stands for it (strings with the fewest escapes, integers as written, other numbers only in
 * their shortest form: `SHORTEST_NUMBER`); and it equals them exactly when the line is minified and holds no
 * other key.
 */
function typedRowBytes(): string {
  return `(1 + ${TYPED_FIELDS.map((f) => `coalesce(${f.length + 4} + strlen(CAST(${j(f)} AS VARCHAR)), 0)`).join(' + ')})`;
}

/** The one statement of the fast scan: read, parse once, check, and append every row to `sessions`. */
export function fastInsertStatement(
  q: Pick<EngineFastRead, 'path' | 'maxLineBytes' | 'runs' | 'loadId'>,
  reader: FastReader = 'map',
): SqlFragment {
  const typed = reader === 'typed';
  const maxObject = Math.max(16 * 1024 * 1024, q.maxLineBytes + 1024);
  const decided = typed ? TYPED_FIELDS : MAP_FIELDS;
  const fields = typed
    ? [...TYPED_FIELDS, ...TYPED_DEFERRED].map((f) => raw(`"${f}" AS ${j(f)}`))
    : MAP_FIELDS.map((f) => raw(`m['${f}'] AS ${j(f)}`));
  // a key is looked up again only when its value reads as SQL NULL (absent, or JSON null); the typed reader
  // cannot tell the two apart (`nullKeyBytes` counts the nulls it accepts)
  const derived = decided.flatMap((f) => {
    const rule = ruleOf(f);
    const out = [
      typed
        ? raw(`${j(f)} IS NOT NULL AS ${has(f)}`)
        : raw(`CASE WHEN ${j(f)} IS NULL THEN map_contains(m, '${f}') ELSE true END AS ${has(f)}`),
    ];
    if (INT_RULES.includes(rule)) out.push(raw(`${intOf(f)} AS ${iv(f)}`));
    if (NUM_RULES.includes(rule)) out.push(raw(`${numOf(f)} AS ${dv(f)}`));
    if (rule === 'meta') out.push(raw(`${metaCanonicalSql(`CAST(${j(f)} AS VARCHAR)`)} AS ${canonMeta}`));
    return out;
  });
  const checks = decided.map((f) => `coalesce(${fastCheck(f, ruleOf(f), reader)}, false)`);
  checks.push(
    `coalesce(NOT (${j('classification')} = '"compliant"' AND NOT ${absentOrNull('category')}), false)`,
  );
  // map: every key is one the scan decides, and none twice: the map's size is the number of those keys present;
  // typed: none of the fields the validator decides is there (other keys: `typedRowBytes`)
  const keysOk = typed
    ? TYPED_DEFERRED.map((f) => `${j(f)} IS NULL`).join(' AND ')
    : `coalesce(keys = ${MAP_FIELDS.map((f) => `${has(f)}::INTEGER`).join(' + ')}, false)`;
  const run = sql`coalesce(${q.runs.forcedRun ?? null}, (${raw(j('run'))}->>'$'), ${q.runs.fileRun})`;
  const values = join(
    SESSION_COLUMNS.map((c) => {
      if (c === 'source_line' && typed)
        return raw(`CASE WHEN ok THEN -${typedRowBytes()} ELSE ${UNWRITTEN_LINE} END`);
      // the typed reader accepts no row with `meta` (TYPED_DEFERRED)
      const value = c === 'meta' && typed ? raw('NULL') : fastValue(c, run, q.loadId);
      const placeholder = PLACEHOLDER[c];
      if (c === 'load_id' || c === 'source_line') return value;
      return placeholder === undefined
        ? sql`CASE WHEN ok THEN ${value} END`
        : sql`CASE WHEN ok THEN ${value} ELSE ${raw(placeholder)} END`;
    }),
  );
  const source = typed
    ? sql`SELECT ${join(fields)}
          FROM read_json(${q.path}, format = 'newline_delimited', records = true,
                  columns = {${raw([...TYPED_FIELDS, ...TYPED_DEFERRED].map((f) => `'${f}': 'JSON'`).join(', '))}},
                  maximum_object_size = ${raw(String(maxObject))})`
    : sql`SELECT m, cardinality(m) AS keys, ${join(fields)}
          FROM (SELECT json AS m FROM read_json(${q.path}, format = 'newline_delimited', records = false,
                  columns = {'json': 'MAP(VARCHAR, JSON)'}, maximum_object_size = ${raw(String(maxObject))}))`;
  return sql`INSERT INTO sessions (${join(SESSION_COLUMNS.map((c) => ident(c)))})
    SELECT ${values} FROM (
      SELECT *, ${raw(keysOk)}
                AND ${raw(checks.join('\n AND '))} AS ok
      FROM (
        SELECT *, ${join(derived)}
        FROM (${source})
      )
    )`;
}

/**
 * Where the records' lines lie among the blank lines: from record `from` on (1-based, in file order), a record's
 * line is its number plus `offset` (the blank lines before it). Ascending in `from`.
 */
export function lineSegments(blankLines: readonly number[]): { from: number; offset: number }[] {
  const out: { from: number; offset: number }[] = [];
  blankLines.forEach((b, i) => {
    const seg = { from: b + 1 - (i + 1), offset: i + 1 };
    if (out.length > 0 && out[out.length - 1]!.from === seg.from) out[out.length - 1] = seg;
    else out.push(seg);
  });
  return out;
}

/**
 * DuckDB's memory limit during the fast scan's insert (when the configured one is higher): its peak RSS stays under
 * 1 GiB. Not lower: the insert keeps the file order, and a batch read ahead of the first unfinished one waits in
 * memory; when they exceed their share of the limit DuckDB blocks the threads that read ahead, and one core idles
 * (1,000,000 sessions, DuckDB's `blocked_thread_time` under load: 9.6–15.4 s at 512 MiB, 2.2–6.0 s at 640 MiB, 3.4 s
 * at 768 MiB, 0.7 s at 1 GB; peak RSS 750–945 MiB at 512 MiB, 804 MiB at 640 MiB, 1,022 MiB at 768 MiB:
 * docs/benchmarks.md).
 */
const FAST_MEMORY_LIMIT = 640 * 2 ** 20;

/** The typed reader gives a file to the map reader when it leaves more rows than this (and 5%) to the validator. */
const TYPED_LEFT_MAX = 1000;

/** Beyond this many runs of blank lines the line of a row is not written by one CASE: the scan gives up. */
const MAX_SEGMENTS = 64;

const StatsRow = rowDecoder('engineFastStats', z.object({ n: number, span: number.nullable() }));
const LineRow = rowDecoder('engineFastLines', z.object({ source_line: number }));
const CountRow = rowDecoder('engineFastCount', z.object({ n: number }));
const RunRow = rowDecoder('engineFastRuns', z.object({ run: text }));

/**
 * Thrown inside the transaction when the fast scan gives the file up (rolled back, nothing written); `retry`:
 * the typed reader could not judge the file, the map reader may.
 */
class GiveUp extends Error {
  constructor(readonly retry = false) {
    super('the fast scan gives the file up');
  }
}

/** Per run of the load (placeholders: run ''), its rows, range of session numbers and range of row ids. */
const LoadRunRow = rowDecoder(
  'engineFastLoadRuns',
  z.object({ run: text, n: number, lo: number, hi: number, r0: number, r1: number }),
);
type LoadRun = { run: string; n: number; lo: number; hi: number; r0: number; r1: number };
const DistinctRow = rowDecoder('engineFastDistinct', z.object({ keys: number }));

/**
 * Above this range of session numbers in one run (hi − lo + 1), the repeat check counts distinct keys by a hash
 * aggregate instead of a bitmap of the range (`bitstring_agg`: one bit per number, 8 MiB at this limit).
 */
const BITMAP_RANGE_MAX = 2 ** 26;

/**
 * Whether a session key of the load repeats within it or is stored by another load. Cheap in the common case
 * of a fresh run: per run, the count and range of its keys; the keys are all distinct when a bitmap of that
 * range (`bitstring_agg`, exact) has one bit set per row — a tenth of a `count(DISTINCT …)`'s time on 1,000,000
 * rows (docs/benchmarks.md) —, and a range probe of the stored sessions of each run (zone maps) comes before the
 * exact join.
 */
async function keysCollide(client: DuckDbClient, load: number, ranges: readonly LoadRun[]): Promise<boolean> {
  for (const r of ranges) {
    const range = r.hi - r.lo + 1;
    if (range < r.n) return true; // more rows than numbers in their range: a number repeats
    const [distinct] = await client.query(
      range <= BITMAP_RANGE_MAX
        ? sql`SELECT bit_count(bitstring_agg(session, ${r.lo}, ${r.hi})) AS keys
                FROM sessions WHERE load_id = ${load} AND run = ${r.run}`
        : sql`SELECT count(DISTINCT session) AS keys FROM sessions WHERE load_id = ${load} AND run = ${r.run}`,
      DistinctRow,
    );
    if (!distinct || distinct.keys !== r.n) return true;
    const [stored] = await client.query(
      sql`SELECT count(*) AS n FROM sessions
            WHERE run = ${r.run} AND session BETWEEN ${r.lo} AND ${r.hi} AND load_id <> ${load}`,
      CountRow,
    );
    if (!stored || stored.n === 0) continue;
    const [hit] = await client.query(
      sql`SELECT count(*) AS n FROM sessions y WHERE y.load_id = ${load} AND y.run = ${r.run}
              AND EXISTS (SELECT 1 FROM sessions x WHERE x.run = y.run AND x.session = y.session
                          AND x.load_id <> ${load})`,
      CountRow,
    );
    if (!hit || hit.n > 0) return true;
  }
  return false;
}

/** Merges two ascending lists of line numbers into one, without repeats. */
function mergeLines(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let k = 0;
  while (i < a.length || k < b.length) {
    const next = k >= b.length || (i < a.length && a[i]! <= b[k]!) ? a[i++]! : b[k++]!;
    if (out.length === 0 || out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

/**
 * Ingests a plain record-format JSONL file by the fast scan, in one transaction (see the top of this file).
 * `writeStaged` merges a batch the TypeScript validator staged (inside the transaction), `checkRejects` may
 * throw on the rejects before the commit (`--strict`). Returns null when the scan gives the file up.
 *
 * The scan first reads with typed columns (`FastReader` 'typed') when the file's first lines are minified
 * record-format rows (`q.typed`), and checks afterwards that no line held a key it skipped: the rows SQL accepted
 * must account for every byte of their lines (`typedRowBytes` + `nullKeyBytes` = the lines' bytes; each row's
 * count is at most its line's, so equal sums mean every row is exact). Any difference — an unknown key, blanks
 * between members, a longer escape or number than needed — and a key written twice (DuckDB's typed reader refuses
 * it) undo the typed attempt, and the map reader reads the file.
 */
export async function ingestJsonlFast(
  client: DuckDbClient,
  q: EngineFastRead,
  writeStaged: WriteStaged,
  finish: FinishLoad,
): Promise<EngineFastResult | null> {
  if (q.typed === true) {
    const typed = await fastScan(client, q, 'typed', writeStaged, finish);
    if (typed !== 'retry') {
      if (typed !== null) q.onTrace?.('fast scan: typed columns');
      return typed;
    }
    q.onTrace?.('fast scan: typed columns could not judge the file, map read');
  }
  const map = await fastScan(client, q, 'map', writeStaged, finish);
  return map === 'retry' ? null : map;
}

const ByteSumRow = rowDecoder('engineFastBytes', z.object({ r: number, rs: number }));

/** Merges a batch the TypeScript validator staged (inside the scan's transaction). */
type WriteStaged = (batch: IngestBatch) => Promise<IngestCounts>;
/** Records the load's runs, rejects and counts once the scan is done. */
type FinishLoad = (
  batch: Pick<IngestBatch, 'runIds' | 'rejects' | 'loadId' | 'sourceFile'>,
  counts: IngestCounts,
) => Promise<void>;

/**
 * `fastScanAt` with DuckDB's memory limit lowered to `FAST_MEMORY_LIMIT` while it runs (when the configured one
 * is higher), and set back after: the insert streams (its row groups are written as they fill), so the lower
 * limit keeps fewer written blocks cached.
 */
async function fastScan(
  client: DuckDbClient,
  q: EngineFastRead,
  reader: FastReader,
  writeStaged: WriteStaged,
  finish: FinishLoad,
): Promise<EngineFastResult | null | 'retry'> {
  const limit = memoryLimit();
  if (limit.bytes <= FAST_MEMORY_LIMIT) return fastScanAt(client, q, reader, writeStaged, finish);
  await client.exec(sql`SET memory_limit = '640MiB'`);
  try {
    return await fastScanAt(client, q, reader, writeStaged, finish);
  } finally {
    await client.exec(sql`SET memory_limit = ${limit.sql}`);
  }
}

async function fastScanAt(
  client: DuckDbClient,
  q: EngineFastRead,
  reader: FastReader,
  writeStaged: WriteStaged,
  finish: FinishLoad,
): Promise<EngineFastResult | null | 'retry'> {
  const load = q.loadId;
  const typed = reader === 'typed';
  let pre: Awaited<EngineFastRead['prescan']>;
  let records: number;
  let segments: { from: number; offset: number }[];
  /** The placeholders the insert wrote (rows SQL did not accept), and the runs of the rows it accepted. */
  let left: number;
  let bulkRuns: string[];
  // 1. the bulk insert, committed alone: DuckDB writes its row groups straight to the database file and the
  // commit only records them. (Changing those rows in the same transaction would send every row through the
  // write-ahead log again, the whole file once more.)
  try {
    ({
      pre,
      records,
      segments,
      left,
      runs: bulkRuns,
    } = await transaction(client, async () => {
      // DuckDB reads the file on its threads while the prescan reads it on this one
      const inserted = client.exec(fastInsertStatement(q, reader)).then(
        () => {
          q.onTrace?.('fast scan: inserted');
          return true;
        },
        () => false, // a line DuckDB's reader refuses: the map reader (typed), or the line-by-line scan
      );
      void q.prescan.then(() => q.onTrace?.('fast scan: prescanned')).catch(() => undefined);
      const [ok, scanned] = await Promise.allSettled([inserted, q.prescan]);
      if (scanned.status === 'rejected') throw scanned.reason;
      const pre = scanned.value;
      if (pre.fallback !== null) throw new GiveUp();
      if (ok.status !== 'fulfilled' || !ok.value) throw new GiveUp(typed);
      const records = pre.lines - pre.blankLines.length;
      const segments = lineSegments(pre.blankLines);
      if (segments.length > MAX_SEGMENTS || records <= 0) throw new GiveUp();
      // one scan of the load's rows, per run: their count, key range and row ids (placeholders: run ''); the row
      // ids from the load's first (inside the transaction they lie far beyond 2^53)
      const groups = await client.query(
        sql`SELECT run, count(*) AS n, min(session) AS lo, max(session) AS hi,
                   min(rowid) - min(min(rowid)) OVER () AS r0, max(rowid) - min(min(rowid)) OVER () AS r1
              FROM sessions WHERE load_id = ${load} GROUP BY run`,
        LoadRunRow,
      );
      const n = groups.reduce((a, g) => a + g.n, 0);
      const span =
        groups.reduce((a, g) => Math.max(a, g.r1), Number.NEGATIVE_INFINITY) -
        groups.reduce((a, g) => Math.min(a, g.r0), Number.POSITIVE_INFINITY) +
        1;
      // the rows are the file's records, in the order of the file: consecutive row ids from the first
      if (n !== records || span !== records) throw new GiveUp();
      const left = groups.find((g) => g.run === '')?.n ?? 0;
      // the typed reader leaves to the validator what the map reader may judge in SQL (numbers such as 100.0):
      // when that is many rows, the map reader is the faster way through the file
      if (typed && left > Math.max(TYPED_LEFT_MAX, records / 20)) throw new GiveUp(true);
      const runs = groups.filter((g) => g.run !== '');
      // a key twice in the file, or a key already stored: the line-by-line scan's merge decides those
      if (await keysCollide(client, load, runs)) throw new GiveUp();
      q.onTrace?.('fast scan: checked');
      return { pre, records, segments, left, runs: runs.map((g) => g.run) };
    }));
    q.onTrace?.('fast scan: first commit');
  } catch (err) {
    if (err instanceof GiveUp) return err.retry ? 'retry' : null;
    throw err;
  }
  // 2. the lines, the rows SQL did not accept and the commit of the load. Until it commits, the load's rows
  // hold the line UNWRITTEN: a kill leaves them to the next process that opens the database for writing,
  // which removes them (`removeUnfinishedFastScans`); a give-up or an error removes them here.
  try {
    return await transaction(client, async () => {
      const [s] = await client.query(
        sql`SELECT count(*) AS n, max(rowid) - min(rowid) + 1 AS span FROM sessions WHERE load_id = ${load}`,
        StatsRow,
      );
      if (!s || s.n !== records || s.span !== records) throw new GiveUp();
      const idx = `(rowid - (SELECT min(rowid) FROM sessions WHERE load_id = ${load}) + 1)`;
      const line =
        segments.length === 0
          ? raw(idx)
          : raw(
              `CASE ${[...segments]
                .reverse()
                .map((g) => `WHEN ${idx} >= ${g.from} THEN ${idx} + ${g.offset}`)
                .join(' ')} ELSE ${idx} END`,
            );
      // the typed reader's row byte counts (minus the line, until it is written) of the rows SQL accepted, in all
      // and on the suspect lines (which go to the validator)
      const [bytes] = typed
        ? await client.query(
            sql`SELECT CAST(coalesce(sum(-source_line), 0) AS BIGINT) AS r,
                       CAST(coalesce(sum(-source_line) FILTER (WHERE ${
                         pre.suspectLines.length > 0
                           ? sql`${line} IN (SELECT unnest(${pre.suspectLines as number[]}))`
                           : sql`false`
                       }), 0) AS BIGINT) AS rs
                  FROM sessions WHERE load_id = ${load} AND run <> ''`,
            ByteSumRow,
          )
        : [];
      await client.exec(sql`UPDATE sessions SET source_line = ${line} WHERE load_id = ${load}`);
      const placeholders =
        left === 0
          ? []
          : await client.query(
              sql`SELECT source_line FROM sessions WHERE load_id = ${load} AND run = '' ORDER BY source_line`,
              LineRow,
            );
      const deferred = mergeLines(
        placeholders.map((r) => r.source_line),
        pre.suspectLines,
      );
      if (deferred.length > 0) {
        await client.exec(
          sql`DELETE FROM sessions WHERE load_id = ${load}
                AND (run = ''${
                  pre.suspectLines.length > 0
                    ? sql` OR source_line IN (SELECT unnest(${pre.suspectLines as number[]}))`
                    : sql``
                })`,
        );
      }
      q.onWritten?.();
      q.onTrace?.(`fast scan: ${deferred.length} lines to the validator`);
      const bulk = records - deferred.length;
      const counts: IngestCounts = { ...emptyCounts(), read: bulk, accepted: bulk };
      // the runs of the rows that stay: those of the insert's accepted rows, unless lines were taken out
      const runIds = new Set<string>(
        deferred.length === 0
          ? bulkRuns
          : (await client.query(sql`SELECT DISTINCT run FROM sessions WHERE load_id = ${load}`, RunRow)).map(
              (r) => r.run,
            ),
      );
      const rejects: StagedReject[] = [];
      let deferredBytes = 0;
      let deferredNullBytes = 0;
      for await (const page of linesAt(q.path, deferred, 50_000)) {
        const items: SourceItem[] = [];
        for (const { line: n, text: row } of page) {
          if (typed) {
            const b = Buffer.from(row, 'utf8');
            deferredBytes += b.length;
            deferredNullBytes += nullKeyBytes(b);
          }
          const item = parseJsonlLine(row, n);
          if (item !== null) items.push(item);
        }
        const b = stageItems(items, {
          forcedRun: q.runs.forcedRun,
          fileRun: q.runs.fileRun,
          phase: undefined,
        });
        if (b.sessions.length > 0) {
          // the TypeScript reader keeps the first line of a key: a bulk row from a later line would be kept instead
          const [later] = await client.query(
            sql`SELECT count(*) AS n FROM sessions x
                  JOIN (SELECT unnest(${b.sessions.map((v) => v.run)}) AS run,
                               unnest(${b.sessions.map((v) => v.record.session)}) AS session,
                               unnest(${b.sessions.map((v) => v.line)}) AS line) d
                    ON x.run = d.run AND x.session = d.session
                 WHERE x.load_id = ${load} AND x.source_line > d.line`,
            CountRow,
          );
          if (!later || later.n > 0) throw new GiveUp();
        }
        for (const r of b.runIds) runIds.add(r);
        rejects.push(...b.rejects);
        q.checkRejects?.(b.rejects);
        addCounts(counts, await writeStaged({ loadId: load, sourceFile: q.sourceFile, ...b }));
      }
      // typed: every byte of the accepted rows' lines is accounted for, or a line held what the reader skipped
      if (
        bytes !== undefined &&
        bytes.r - bytes.rs !== pre.recordBytes - deferredBytes - (pre.nullBytes - deferredNullBytes)
      )
        throw new GiveUp(true);
      await finish({ loadId: load, sourceFile: q.sourceFile, runIds: [...runIds], rejects: [] }, counts);
      return { counts, runIds: [...runIds], rejects };
    });
  } catch (err) {
    // what the bulk insert committed goes again: nothing of the file stays (the caller reads it otherwise)
    await client.exec(sql`DELETE FROM sessions WHERE load_id = ${load}`);
    if (err instanceof GiveUp) return err.retry ? 'retry' : null;
    throw err;
  }
}
