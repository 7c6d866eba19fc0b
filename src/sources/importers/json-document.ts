import { readFile } from 'node:fs/promises';
import { InputError } from '../../model/errors.ts';
import {
  describeNonFinite,
  type NonFiniteParse,
  type NonFiniteValue,
  parseJsonWithNonFinite,
} from './non-finite-json.ts';

/** The table shapes a JSON document can hold (records list, columns, W&B table, Inspect eval log). */
export type DocumentShape = 'records' | 'columns' | 'wandb-table' | 'inspect-log';

/** Whole JSON documents are parsed in memory; beyond this, export JSONL instead. */
export const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/**
 * Reads and parses a whole JSON document, with an `InputError` naming the file when it is not JSON. Bare
 * `NaN`/`Infinity`/`-Infinity` (Python's JSON) are read as null and listed in `nonFinite` for a warning.
 */
export async function readJsonDocument(path: string, bytes: number): Promise<NonFiniteParse> {
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new InputError(
      `a JSON document of ${(bytes / 2 ** 20).toFixed(0)} MiB is over the ${MAX_DOCUMENT_BYTES / 2 ** 20} MiB limit of ` +
        'whole-document importers; export it as JSONL (one row per line)',
      { file: path },
    );
  }
  const text = await readFile(path, 'utf8');
  try {
    return parseJsonWithNonFinite(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new InputError(`not a valid JSON document (${(err as Error).message})`, { file: path });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Which table shape a parsed JSON value has, or null:
 * - `inspect-log`: an object with `eval` and `samples` (Inspect's `.json` log);
 * - `wandb-table`: an object with `columns` (names) and `data` (rows as arrays), as W&B exports tables;
 * - `records`: an array of objects (pandas `orient="records"`);
 * - `columns`: an object whose values are all arrays (`orient="list"`) or all index→value objects
 *   (`orient="columns"`).
 */
export function documentShape(doc: unknown): DocumentShape | null {
  if (Array.isArray(doc)) return doc.length === 0 || isObject(doc[0]) ? 'records' : null;
  if (!isObject(doc)) return null;
  if (isObject(doc.eval) && ('samples' in doc || 'status' in doc)) return 'inspect-log';
  if (Array.isArray(doc.columns) && Array.isArray(doc.data)) return 'wandb-table';
  const values = Object.values(doc);
  if (values.length === 0) return null;
  if (values.every(Array.isArray)) return 'columns';
  if (values.every((v) => isObject(v) && Object.keys(v).every((k) => /^\d+$/.test(k)))) return 'columns';
  return null;
}

/** The rows of a `records`, `columns` or `wandb-table` document, in document order. */
export function documentRows(doc: unknown, shape: Exclude<DocumentShape, 'inspect-log'>): unknown[] {
  if (shape === 'records') return doc as unknown[];
  const obj = doc as Record<string, unknown>;
  if (shape === 'wandb-table') {
    const columns = obj.columns as unknown[];
    return (obj.data as unknown[]).map((r) =>
      Array.isArray(r) ? Object.fromEntries(columns.map((c, i) => [String(c), r[i]])) : r,
    );
  }
  const names = Object.keys(obj);
  const first = obj[names[0]!];
  const index = Array.isArray(first)
    ? first.map((_, i) => i)
    : Object.keys(first as object).sort((a, b) => Number(a) - Number(b));
  return index.map((i) => {
    const row: Record<string, unknown> = {};
    for (const n of names) row[n] = (obj[n] as Record<string | number, unknown>)[i];
    return row;
  });
}

/**
 * Whether a `.json` file is one JSON document rather than JSONL, from its first bytes: it starts with `[`,
 * or its first line is not a complete JSON value (a pretty-printed document), or its first line is the
 * whole file and has a table shape.
 */
export function looksLikeDocument(head: string, wholeFile: boolean): boolean {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('[')) return true;
  if (!text.startsWith('{')) return false;
  const nl = text.indexOf('\n');
  const firstLine = nl < 0 ? text : text.slice(0, nl);
  let value: unknown;
  try {
    value = parseJsonWithNonFinite(firstLine).value;
  } catch {
    return nl >= 0 || !wholeFile;
  }
  const rest = nl < 0 ? '' : text.slice(nl).trim();
  return wholeFile && rest === '' && documentShape(value) !== null;
}

/**
 * The warning for the bare NaN/Infinity of a table document, each named by its row and column
 * (`reward (NaN) in row 3`), or null when there were none.
 */
export function documentNonFiniteWarning(
  doc: unknown,
  shape: Exclude<DocumentShape, 'inspect-log'>,
  nonFinite: readonly NonFiniteValue[],
): string | null {
  if (nonFinite.length === 0) return null;
  const columns = shape === 'wandb-table' ? ((doc as { columns: unknown[] }).columns ?? []) : [];
  const located = nonFinite.map((value) => {
    const rec = shape === 'records' ? /^\[(\d+)\]\.?(.*)$/.exec(value.path) : null;
    if (rec) return { value: { ...value, path: rec[2] || '(row)' }, where: `row ${Number(rec[1]) + 1}` };
    const tab = shape === 'wandb-table' ? /^data\[(\d+)\]\[(\d+)\](.*)$/.exec(value.path) : null;
    if (tab) {
      const path = `${String(columns[Number(tab[2])] ?? `[${tab[2]}]`)}${tab[3]}`;
      return { value: { ...value, path }, where: `row ${Number(tab[1]) + 1}` };
    }
    return { value, where: 'the document' };
  });
  const n = nonFinite.length;
  return `${n} bare NaN/Infinity value${n === 1 ? '' : 's'} read as null (JSON has no such numbers): ${describeNonFinite(located)}`;
}
