import { z } from 'zod';
import { linesAt } from '../../sources/jsonl-lines-at.ts';
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
 * the same merge as any batch. All of it is one transaction: a kill leaves nothing of the file, and the rerun
 * reads it whole again.
 *
 * The scan gives the file up (returns null, nothing written) when DuckDB's reader refuses a line, when its
 * rows do not number the prescan's records, when a key repeats within the file or meets a stored session, or
 * when a deferred session meets a key the bulk insert stored from a later line: the caller then takes the
 * line-by-line engine scan (`stageJsonlInEngine`), whose merge compares contents in SQL and keeps line order.
 */

/** The stage's session columns up to `source_line`, then `load_id` and the later columns, as in `sessions`. */
const SESSION_COLUMNS = SESSIONS_TABLE.columns.map(([c]) => c);

const MAX_SAFE = '9007199254740991';
const INTEGER = `('UBIGINT', 'BIGINT')`;
const NUMBER = `('UBIGINT', 'BIGINT', 'DOUBLE')`;

/**
 * The text of a JSON string value: between its quotes as it stands when it holds no backslash (DuckDB writes
 * a string's JSON with escapes only for quotes, backslashes and control characters), else unescaped.
 */
const str = (v: string) =>
  `CASE WHEN contains(${v}, '\\') THEN (${v}->>'$') ELSE trim(CAST(${v} AS VARCHAR), '"') END`;

/** A field's JSON text in the row's map (SQL NULL when the row lacks the key) and its JSON type. */
const j = (f: string) => `"j_${f}"`;
const t = (f: string) => `"t_${f}"`;
/** Whether the row has the key (a JSON null reads as SQL NULL in the map: present, but no value). */
const has = (f: string) => `"p_${f}"`;

type Rule = Exclude<(typeof SESSION_FIELD_RULES)[string], 'defer'>;

/** The SQL condition under which a field is valid as the record format says, per rule (see engine-jsonl.ts). */
function fastCheck(f: string, rule: Rule): string {
  const v = j(f);
  const ty = t(f);
  const absentOrNull = `(${v} IS NULL OR ${ty} = 'NULL')`;
  const intCheck = (lo: string) =>
    `(${ty} IN ${INTEGER} AND TRY_CAST(${v} AS BIGINT) BETWEEN ${lo} AND ${MAX_SAFE})`;
  const finite = `(${ty} IN ${NUMBER} AND isfinite(CAST(${v} AS DOUBLE)))`;
  const string = `(${ty} = 'VARCHAR')`;
  switch (rule) {
    case 'type':
      return `(NOT ${has(f)} OR ${v} = '"session"')`;
    case 'run':
      // printable ASCII without space and slashes, 1–200 characters, not '.' or '..' (others: the validator's)
      return `(NOT ${has(f)} OR (${string} AND regexp_full_match((${v}->>'$'), '[\\x21-\\x2e\\x30-\\x5b\\x5d-\\x7e]{1,200}') AND (${v}->>'$') NOT IN ('.', '..')))`;
    case 'session':
      return intCheck('1');
    case 'step':
      return `(${absentOrNull} OR ${intCheck('0')})`;
    case 'text':
      return string;
    case 'nullableText':
      return `(${absentOrNull} OR ${string})`;
    case 'classification':
      return `(${absentOrNull} OR ${v} IN ('"compliant"', '"non_compliant"'))`;
    case 'category':
      return `(${absentOrNull} OR (${ty} IN ${INTEGER} AND TRY_CAST(${v} AS BIGINT) BETWEEN -${MAX_SAFE} AND ${MAX_SAFE}) OR (${string} AND ${v} <> '""'))`;
    case 'finite':
      return `(${absentOrNull} OR ${finite})`;
    case 'unitInterval':
      return `(${absentOrNull} OR (${finite} AND CAST(${v} AS DOUBLE) BETWEEN 0 AND 1))`;
    case 'flags':
      return `(NOT ${has(f)} OR (${ty} = 'ARRAY' AND list_bool_and(list_transform(json_type(${v}, '$[*]'), e -> e = 'VARCHAR')) IS NOT false))`;
  }
}

/** The `sessions` value of a column for a row SQL accepted (the TypeScript stage's value, typed as the table). */
function fastValue(column: string, run: SqlFragment, loadId: number): SqlFragment {
  switch (column) {
    case 'run':
      return run;
    case 'session':
    case 'step':
      return raw(`TRY_CAST(${j(column)} AS BIGINT)`);
    case 'prompt_id':
    case 'prompt':
    case 'output':
    case 'classification':
      return raw(str(j(column)));
    case 'category':
      return raw(
        `CASE WHEN ${t('category')} IN ${INTEGER} THEN CAST(${j('category')} AS VARCHAR) ELSE ${str(j('category'))} END`,
      );
    case 'baseline_reward':
    case 'adjusted_reward':
    case 'differential_pct':
    case 'compliance_trajectory_index':
      return raw(`CASE WHEN ${t(column)} IN ${NUMBER} THEN CAST(${j(column)} AS DOUBLE) END`);
    case 'flags':
      return raw(`CASE WHEN json_array_length(${j('flags')}) > 0 THEN CAST(${j('flags')} AS VARCHAR[]) END`);
    case 'load_id':
      return sql`${loadId}`;
    case 'source_line':
      return raw('0'); // written once the insert is done: the row's place among the file's records
    case 'time':
    case 'nested_annotations':
    case 'meta':
    case 'phase': // a row SQL accepts has no phase: training, stored as null
    case 'checkpoint':
      return raw('NULL');
    default:
      throw new Error(`engine-jsonl-fast: no SQL value for the sessions column ${column}`);
  }
}

/** What a placeholder row holds in a NOT NULL column (any value: the row is taken out before the commit). */
const PLACEHOLDER: Readonly<Record<string, string>> = { run: "''", session: '0', output: "''" };

/** The one statement of the fast scan: read, parse once, check, and append every row to `sessions`. */
export function fastInsertStatement(q: EngineFastRead): SqlFragment {
  const maxObject = Math.max(16 * 1024 * 1024, q.maxLineBytes + 1024);
  const fields = SQL_FIELDS.flatMap((f) => [
    raw(`m['${f}'] AS ${j(f)}`),
    raw(`map_contains(m, '${f}') AS ${has(f)}`),
  ]);
  // a string's JSON text starts with its quote, an array's with its bracket: only numbers are parsed again
  const types = SQL_FIELDS.map((f) =>
    raw(
      `CASE left(${j(f)}, 1) WHEN '"' THEN 'VARCHAR' WHEN '[' THEN 'ARRAY' ELSE json_type(${j(f)}) END AS ${t(f)}`,
    ),
  );
  const checks = SQL_FIELDS.map((f) => fastCheck(f, SESSION_FIELD_RULES[f] as Rule));
  checks.push(
    `NOT (${j('classification')} = '"compliant"' AND ${j('category')} IS NOT NULL AND ${t('category')} <> 'NULL')`,
  );
  // every key is one the scan decides, and none twice: the map's size is the number of those keys present
  const known = SQL_FIELDS.map((f) => `${has(f)}::INTEGER`).join(' + ');
  const run = sql`coalesce(${q.runs.forcedRun ?? null}, ${raw(str(j('run')))}, ${q.runs.fileRun})`;
  const values = join(
    SESSION_COLUMNS.map((c) => {
      const value = fastValue(c, run, q.loadId);
      const placeholder = PLACEHOLDER[c];
      if (c === 'load_id' || c === 'source_line') return value;
      return placeholder === undefined
        ? sql`CASE WHEN ok THEN ${value} END`
        : sql`CASE WHEN ok THEN ${value} ELSE ${raw(placeholder)} END`;
    }),
  );
  return sql`INSERT INTO sessions (${join(SESSION_COLUMNS.map((c) => ident(c)))})
    SELECT ${values} FROM (
      SELECT *, coalesce(keys = ${raw(known)}
                         AND ${raw(checks.join('\n AND '))}, false) AS ok
      FROM (
        SELECT *, ${join(types)}
        FROM (
          SELECT cardinality(m) AS keys, ${join(fields)}
          FROM (SELECT json AS m FROM read_json(${q.path}, format = 'newline_delimited', records = false,
                  columns = {'json': 'MAP(VARCHAR, JSON)'}, maximum_object_size = ${raw(String(maxObject))}))
        )
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

/** Beyond this many runs of blank lines the line of a row is not written by one CASE: the scan gives up. */
const MAX_SEGMENTS = 64;

const StatsRow = rowDecoder('engineFastStats', z.object({ n: number, span: number.nullable() }));
const LineRow = rowDecoder('engineFastLines', z.object({ source_line: number }));
const CountRow = rowDecoder('engineFastCount', z.object({ n: number }));
const RunRow = rowDecoder('engineFastRuns', z.object({ run: text }));

/** Thrown inside the transaction when the fast scan gives the file up (rolled back, nothing written). */
class GiveUp extends Error {}

const KeyRangeRow = rowDecoder(
  'engineFastKeyRanges',
  z.object({ run: text, n: number, keys: number, lo: number, hi: number }),
);

/**
 * Whether a session key of the load repeats within it or is stored by another load. Cheap in the common case
 * of a fresh run: a count of distinct keys per run, and a range probe of the stored sessions of each run (zone
 * maps) before the exact join.
 */
async function keysCollide(client: DuckDbClient, load: number): Promise<boolean> {
  const ranges = await client.query(
    sql`SELECT run, count(*) AS n, count(DISTINCT session) AS keys, min(session) AS lo, max(session) AS hi
          FROM sessions WHERE load_id = ${load} GROUP BY run`,
    KeyRangeRow,
  );
  for (const r of ranges) {
    if (r.n !== r.keys) return true;
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
 */
export async function ingestJsonlFast(
  client: DuckDbClient,
  q: EngineFastRead,
  writeStaged: (batch: IngestBatch) => Promise<IngestCounts>,
  finish: (
    batch: Pick<IngestBatch, 'runIds' | 'rejects' | 'loadId' | 'sourceFile'>,
    counts: IngestCounts,
  ) => Promise<void>,
): Promise<EngineFastResult | null> {
  const load = q.loadId;
  try {
    return await transaction(client, async () => {
      // DuckDB reads the file on its threads while the prescan reads it on this one
      const inserted = client.exec(fastInsertStatement(q)).then(
        () => true,
        () => false, // a line DuckDB's reader refuses: the line-by-line scan reads the file
      );
      const [ok, scanned] = await Promise.allSettled([inserted, q.prescan]);
      if (scanned.status === 'rejected') throw scanned.reason;
      const pre = scanned.value;
      if (ok.status !== 'fulfilled' || !ok.value || pre.fallback !== null) throw new GiveUp();
      const records = pre.lines - pre.blankLines.length;
      const segments = lineSegments(pre.blankLines);
      if (segments.length > MAX_SEGMENTS || records <= 0) throw new GiveUp();
      const [s] = await client.query(
        sql`SELECT count(*) AS n, max(rowid) - min(rowid) + 1 AS span FROM sessions WHERE load_id = ${load}`,
        StatsRow,
      );
      // the rows are the file's records, in the order of the file: consecutive row ids from the first
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
      await client.exec(sql`UPDATE sessions SET source_line = ${line} WHERE load_id = ${load}`);
      const placeholders = await client.query(
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
      // a key twice in the file, or a key already stored: the line-by-line scan's merge decides those
      if (await keysCollide(client, load)) throw new GiveUp();
      q.onWritten?.();
      const bulk = records - deferred.length;
      const counts: IngestCounts = { ...emptyCounts(), read: bulk, accepted: bulk };
      const runIds = new Set<string>();
      for (const r of await client.query(
        sql`SELECT DISTINCT run FROM sessions WHERE load_id = ${load}`,
        RunRow,
      ))
        runIds.add(r.run);
      const rejects: StagedReject[] = [];
      for await (const page of linesAt(q.path, deferred, 50_000)) {
        const items: SourceItem[] = [];
        for (const { line: n, text: row } of page) {
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
      await finish({ loadId: load, sourceFile: q.sourceFile, runIds: [...runIds], rejects: [] }, counts);
      return { counts, runIds: [...runIds], rejects };
    });
  } catch (err) {
    if (err instanceof GiveUp) return null;
    throw err;
  }
}
