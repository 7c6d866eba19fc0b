import { z } from 'zod';
import { type RunRecord, type SessionRecord, SessionSchema } from '../../model/schema.ts';
import { parseJsonlLine } from '../../sources/jsonl-reader.ts';
import type { SourceItem } from '../../sources/source-item.ts';
import type { Staged, StagedItems, StagedReject } from '../../sources/staged.ts';
import { type RunAssignment, stageItems } from '../../sources/validated-batches.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { ident, join, raw, type SqlFragment, sql } from '../sql/sql.ts';
import type { EngineJsonlRead } from '../store.ts';
import { number, text } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { rejectNestedAnnotationIdConflicts } from './nested-annotation-ids.ts';
import {
  annotationRow,
  appendRows,
  eventRow,
  nestedAnnotationRows,
  STAGE_ANNOTATIONS,
  STAGE_EVENTS,
  STAGE_SESSIONS,
  STAGES,
  sessionRow,
} from './stage-tables.ts';

/**
 * The engine path of a record-format JSONL file (docs/ingest.md, "The engine path"): DuckDB reads the file
 * line by line (exact line numbers, blank lines kept as lines), parses and validates each session row in SQL,
 * and writes the rows it accepts into a scratch table shaped like the session stage. Every other line — a row
 * SQL does not accept, or one it does not decide (another record type, a session with `time`, `meta`,
 * `annotations` or an unknown field) — goes through the TypeScript reader and validator (`parseJsonlLine`,
 * `validateRow`), which give the reject its message; its valid sessions join the same scratch table, so
 * deduplication and conflict detection run once, in SQL, over the whole file in line order.
 */

/** How SQL checks one field of a session row; generated into the scan (see `fieldCheck`). */
type FieldRule =
  | 'type'
  | 'run'
  | 'session'
  | 'step'
  | 'text'
  | 'nullableText'
  | 'classification'
  | 'category'
  | 'finite'
  | 'unitInterval'
  | 'flags';

/**
 * Every field of `SessionSchema`, with how SQL decides it, or `defer` when a row that has the field goes to
 * the TypeScript validator. A field added to the schema and missing here fails `test/store/engine-jsonl.test.ts`;
 * until it is added, rows that carry it are deferred (SQL never accepts a key it does not know).
 */
export const SESSION_FIELD_RULES: Readonly<Record<string, FieldRule | 'defer'>> = {
  type: 'type',
  run: 'run',
  session: 'session',
  step: 'step',
  time: 'defer', // ISO 8601 text as JavaScript's Date reads it, or epoch seconds: the validator decides
  prompt_id: 'nullableText',
  prompt: 'nullableText',
  output: 'text',
  classification: 'classification',
  category: 'category',
  baseline_reward: 'finite',
  adjusted_reward: 'finite',
  differential_pct: 'finite',
  compliance_trajectory_index: 'unitInterval',
  flags: 'flags',
  annotations: 'defer', // nested objects: duplicate keys, depth and annotation ids are the validator's
  meta: 'defer', // any JSON object, stored as canonical JSON: the validator's
  phase: 'defer', // rare outside training: the validator's (a missing phase is stored as training)
  checkpoint: 'defer', // integer or text, stored as text: the validator's
};

/** The session fields SQL decides; a row with any other key is deferred to the validator. */
export const SQL_FIELDS: readonly string[] = Object.keys(SESSION_FIELD_RULES).filter(
  (f) => SESSION_FIELD_RULES[f] !== 'defer',
);

/** The record format's fields and the rules above name the same set (checked by the conformance test). */
export function unruledSessionFields(): string[] {
  const known = Object.keys(SessionSchema.shape);
  return [
    ...known.filter((f) => !(f in SESSION_FIELD_RULES)),
    ...Object.keys(SESSION_FIELD_RULES).filter((f) => !known.includes(f)),
  ];
}

const MAX_SAFE = '9007199254740991';
const INT_TYPES = `('UBIGINT', 'BIGINT')`;
const NUMBER_TYPES = `('UBIGINT', 'BIGINT', 'DOUBLE')`;

/** How `json_transform` reads each rule's field (its JSON type comes from `json_type`, separately). */
const TRANSFORM_TYPE: Readonly<Record<FieldRule, string>> = {
  type: 'VARCHAR',
  run: 'VARCHAR',
  session: 'BIGINT',
  step: 'BIGINT',
  text: 'VARCHAR',
  nullableText: 'VARCHAR',
  classification: 'VARCHAR',
  category: 'VARCHAR',
  finite: 'DOUBLE',
  unitInterval: 'DOUBLE',
  flags: 'JSON[]',
};

/** Field `f`'s value as `json_transform` read it, and its JSON type (null when the row lacks the field). */
const val = (f: string) => `v.${f}`;
const typ = (f: string) => `ty[${SQL_FIELDS.indexOf(f) + 1}]`;

/** The SQL condition under which a field is valid (the validator would accept it), per rule. */
function fieldCheck(f: string, rule: FieldRule): string {
  const t = typ(f);
  const v = val(f);
  const absentOrNull = `(${t} IS NULL OR ${t} = 'NULL')`;
  const intFrom = (lo: string) => `(${t} IN ${INT_TYPES} AND ${v} BETWEEN ${lo} AND ${MAX_SAFE})`;
  const finite = `(${t} IN ${NUMBER_TYPES} AND isfinite(${v}))`;
  switch (rule) {
    case 'type':
      return `(${t} IS NULL OR (${t} = 'VARCHAR' AND ${v} = 'session'))`;
    case 'run':
      // printable ASCII without space and slashes, 1–200 characters, not '.' or '..'; other run ids are
      // left to the validator (JavaScript counts UTF-16 units and knows more whitespace than ASCII)
      return `(${t} IS NULL OR (${t} = 'VARCHAR' AND regexp_full_match(${v}, '[\\x21-\\x2e\\x30-\\x5b\\x5d-\\x7e]{1,200}') AND ${v} NOT IN ('.', '..')))`;
    case 'session':
      return intFrom('1');
    case 'step':
      return `(${absentOrNull} OR ${intFrom('0')})`;
    case 'text':
      return `(${t} = 'VARCHAR')`;
    case 'nullableText':
      return `(${absentOrNull} OR ${t} = 'VARCHAR')`;
    case 'classification':
      return `(${absentOrNull} OR (${t} = 'VARCHAR' AND ${v} IN ('compliant', 'non_compliant')))`;
    case 'category':
      return `(${absentOrNull} OR (${t} IN ${INT_TYPES} AND TRY_CAST(${v} AS BIGINT) BETWEEN -${MAX_SAFE} AND ${MAX_SAFE}) OR (${t} = 'VARCHAR' AND ${v} <> ''))`;
    case 'finite':
      return `(${absentOrNull} OR ${finite})`;
    case 'unitInterval':
      return `(${absentOrNull} OR (${finite} AND ${v} BETWEEN 0 AND 1))`;
    case 'flags':
      // a list of strings; a trailing comma (`["a",]`, which DuckDB reads and JSON.parse refuses) is looked for
      // only in rows with a non-empty list
      return `(${t} IS NULL OR (${t} = 'ARRAY' AND (len(${v}) = 0 OR (len(list_filter(${v}, e -> e IS NULL OR NOT starts_with(e, '"'))) = 0 AND NOT regexp_matches(line, ',[ \\t]*\\]')))))`;
  }
}

/** The staged value of a session column from a row SQL accepted, as the TypeScript stage writes it. */
function stageValue(column: string, run: SqlFragment): SqlFragment {
  switch (column) {
    case 'run':
      return run;
    case 'session':
    case 'step':
    case 'prompt_id':
    case 'prompt':
    case 'output':
    case 'classification':
    case 'category':
    case 'baseline_reward':
    case 'adjusted_reward':
    case 'differential_pct':
    case 'compliance_trajectory_index':
      return raw(val(column));
    case 'flags':
      return raw(
        `CASE WHEN len(${val('flags')}) > 0 THEN '[' || array_to_string(${val('flags')}, ',') || ']' END`,
      );
    case 'time':
    case 'nested_annotations':
    case 'meta':
    case 'phase': // a row SQL accepts has no phase: training, stored as null
    case 'checkpoint':
      return raw('NULL');
    default:
      throw new Error(`engine-jsonl: no SQL value for the session stage column ${column}`);
  }
}

/**
 * The scan table: one row per line of the file, in line order (so line = rowid + 1: DuckDB keeps insertion
 * order, and the line count and a length checksum are compared with the prescan's), `accepted` when SQL
 * accepted the row, the session stage's values of an accepted row, the text of any other line, its length.
 */
export const ENGINE_SCAN = 'engine_scan';
/** The stage the merge reads: the accepted rows of the scan with their lines, and the deferred valid sessions. */
export const ENGINE_SESSIONS = 'engine_sessions';

const LINE_READER_DELIMITER = '\u0001';
/** Line-number weight and modulus of the order checksum: Σ ((line mod W) × bytes) mod M. */
export const CHECKSUM_WEIGHT = 1_000_003;
export const CHECKSUM_MODULUS = 2_147_483_647;

/** The whole scan as one parallel statement: read each line, parse it three times at most, check every field. */
export function scanStatement(path: string, maxLineSize: number, runs: RunAssignment): SqlFragment {
  const struct = JSON.stringify(
    Object.fromEntries(SQL_FIELDS.map((f) => [f, TRANSFORM_TYPE[SESSION_FIELD_RULES[f] as FieldRule]])),
  );
  const paths = `[${SQL_FIELDS.map((f) => `'$."${f}"'`).join(', ')}]`;
  const checks = SQL_FIELDS.map((f) => fieldCheck(f, SESSION_FIELD_RULES[f] as FieldRule));
  // the record format's one cross-field rule (SessionSchema's superRefine)
  checks.push(
    `NOT (${typ('classification')} = 'VARCHAR' AND ${val('classification')} = 'compliant' AND ${typ('category')} IS NOT NULL AND ${typ('category')} <> 'NULL')`,
  );
  const allowed = `[${SQL_FIELDS.map((f) => `'${f}'`).join(', ')}]`;
  const run = sql`coalesce(${runs.forcedRun ?? null}, ${raw(val('run'))}, ${runs.fileRun})`;
  const columns = join(
    STAGE_SESSIONS.columns
      .filter(([c]) => c !== 'source_line')
      .map(
        ([c, t]) =>
          sql`CAST(CASE WHEN ok THEN ${stageValue(c, run)} END AS ${raw(t.toString())}) AS ${ident(c)}`,
      ),
  );
  // DuckDB's JSON parser accepts what JSON.parse refuses — trailing commas, NaN and Infinity — and reads
  // duplicate keys. A trailing comma of the row's object (the last character before its closing brace) or of
  // its flags, a duplicate key, a NaN anywhere (never a finite number, never text), an escaped NUL or
  // surrogate: such a line is left to the TypeScript reader.
  return sql`CREATE OR REPLACE TEMP TABLE engine_scan AS
    WITH lines AS (
      SELECT line
      FROM read_csv(${path}, columns = {'line': 'VARCHAR'}, delim = ${LINE_READER_DELIMITER}, quote = '', escape = '',
                    header = false, auto_detect = false, new_line = '\\n', max_line_size = ${maxLineSize})
    ),
    parsed AS (
      SELECT line,
        CASE WHEN starts_with(line, '{') AND NOT contains(line, '\\u0000') AND NOT contains(line, '\\ud')
                  AND NOT contains(line, '\\uD') AND NOT suffix(rtrim(left(rtrim(line, ' \t'), -1), ' \t'), ',')
             THEN try(json_keys(line)) END AS k,
        CASE WHEN k IS NOT NULL THEN json_type(line, ${raw(paths)}) END AS ty,
        CASE WHEN k IS NOT NULL THEN try(json_transform(line, ${raw(`'${struct}'`)})) END AS v
      FROM lines
    ),
    checked AS (
      SELECT *, coalesce(v IS NOT NULL AND len(k) = len(list_distinct(k)) AND list_has_all(${raw(allowed)}, k)
                         AND ${raw(checks.join('\n AND '))}, false) AS ok
      FROM parsed
    )
    SELECT ok AS accepted, ${columns}, CASE WHEN NOT ok THEN line END AS raw,
           coalesce(strlen(line), 0) AS len
    FROM checked`;
}

/** The merge's view of the scan (see `ENGINE_SESSIONS`). */
const sessionsView = (): SqlFragment => {
  const cols = STAGE_SESSIONS.columns.map(([c]) => c).filter((c) => c !== 'source_line');
  const names = join(cols.map((c) => ident(c)));
  return sql`CREATE OR REPLACE TEMP VIEW engine_sessions AS
    SELECT ${names}, rowid + 1 AS source_line FROM engine_scan WHERE accepted
    UNION ALL SELECT ${names}, source_line FROM stage_sessions`;
};

const CheckRow = rowDecoder('engineScanCheck', z.object({ lines: number, checksum: number }));
const LineRow = rowDecoder('engineDeferredLines', z.object({ source_line: number, raw: text }));
const RunRow = rowDecoder('engineRuns', z.object({ run: text }));

/** What the scan leaves in JavaScript: the small parts of the file's one batch. */
export interface EngineStaged {
  readonly lines: number;
  readonly runs: Staged<RunRecord>[];
  readonly rejects: StagedReject[];
  readonly runIds: string[];
  annotations: number;
  events: number;
}

const DEFERRED_PAGE = 20_000;

/**
 * Scans a JSONL file into `engine_scan` and stages everything else of it (the stage tables are emptied first).
 * Returns null when DuckDB could not read the file as the prescan saw it — a read error, or another count of
 * lines or line lengths in line order (nothing is staged then): the caller reads it with the TypeScript reader.
 */
export async function stageJsonlInEngine(
  client: DuckDbClient,
  q: EngineJsonlRead,
): Promise<EngineStaged | null> {
  for (const s of STAGES) await client.exec(sql`DELETE FROM ${ident('temp', 'main', s.name)}`);
  const maxLineSize = Math.max(2 * 1024 * 1024, q.longestLine + 1024);
  try {
    await client.exec(scanStatement(q.path, maxLineSize, q.runs));
  } catch {
    await dropEngineScan(client);
    return null;
  }
  const [check] = await client.query(
    sql`SELECT count(*) AS lines,
              CAST(sum(((rowid + 1) % ${CHECKSUM_WEIGHT}) * len) % ${CHECKSUM_MODULUS} AS BIGINT) AS checksum
          FROM engine_scan`,
    CheckRow,
  );
  if (check === undefined || check.lines !== q.lines || (check.lines > 0 && check.checksum !== q.checksum)) {
    await dropEngineScan(client);
    return null;
  }
  await client.exec(sessionsView());
  const staged: EngineStaged = {
    lines: q.lines,
    runs: [],
    rejects: [],
    runIds: [],
    annotations: 0,
    events: 0,
  };
  const runIds = new Set<string>();
  const withAnnotationIds: Staged<SessionRecord>[] = [];
  let after = 0;
  for (;;) {
    const page = await client.query(
      sql`SELECT rowid + 1 AS source_line, raw FROM engine_scan
           WHERE NOT accepted AND raw IS NOT NULL AND rowid + 1 > ${after}
           ORDER BY rowid LIMIT ${DEFERRED_PAGE}`,
      LineRow,
    );
    if (page.length === 0) break;
    after = page[page.length - 1]!.source_line;
    const items: SourceItem[] = [];
    for (const r of page) {
      const item = parseJsonlLine(r.raw, r.source_line);
      if (item !== null) items.push(item);
    }
    const b: StagedItems = stageItems(items, q.runs);
    for (const r of b.runIds) runIds.add(r);
    staged.rejects.push(...b.rejects);
    staged.runs.push(...b.runs);
    const plain = b.sessions.filter((s) => !(s.record.annotations ?? []).some((a) => a.id != null));
    withAnnotationIds.push(
      ...b.sessions.filter((s) => (s.record.annotations ?? []).some((a) => a.id != null)),
    );
    await appendSessions(client, plain);
    await appendRows(client, STAGE_ANNOTATIONS, b.annotations.map(annotationRow));
    await appendRows(client, STAGE_EVENTS, b.events.map(eventRow));
    staged.annotations += b.annotations.length;
    staged.events += b.events.length;
  }
  if (withAnnotationIds.length > 0) {
    // annotation ids are checked in line order against the store and each other, as one batch would be
    const checked = await rejectNestedAnnotationIdConflicts(client, {
      loadId: 0,
      sourceFile: q.sourceFile,
      runs: [],
      sessions: withAnnotationIds,
      annotations: [],
      events: [],
      rejects: [],
      runIds: [],
    });
    await appendSessions(client, checked.sessions);
    staged.rejects.push(...checked.rejects);
    staged.rejects.sort((a, b) => a.line - b.line);
  }
  for (const r of await client.query(sql`SELECT DISTINCT run FROM engine_scan WHERE accepted`, RunRow))
    runIds.add(r.run);
  staged.runIds.push(...runIds);
  return staged;
}

/** Drops the scan and its view (after the merge, or when the engine path gives the file up). */
export async function dropEngineScan(client: DuckDbClient): Promise<void> {
  await client.exec(sql`DROP VIEW IF EXISTS temp.main.engine_sessions`);
  await client.exec(sql`DROP TABLE IF EXISTS temp.main.engine_scan`);
}

/** Valid sessions of deferred lines go to the session stage, their nested annotations to the annotation stage. */
async function appendSessions(
  client: DuckDbClient,
  sessions: readonly Staged<SessionRecord>[],
): Promise<void> {
  if (sessions.length === 0) return;
  await appendRows(client, STAGE_SESSIONS, sessions.map(sessionRow));
  await appendRows(client, STAGE_ANNOTATIONS, sessions.flatMap(nestedAnnotationRows));
}
