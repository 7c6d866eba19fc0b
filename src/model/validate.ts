import type { z } from 'zod';
import {
  KNOWN_FIELDS,
  normalizeTime,
  RECORD_TYPES,
  type RecordType,
  SCHEMAS,
  type TrainingRecord,
} from './schema.ts';

/** Why one row was rejected: the field, what the contract expects there, and what the row had. */
export interface RowProblem {
  readonly field: string;
  readonly expected: string;
  readonly got: string;
}

export type RowResult =
  | { readonly ok: true; readonly type: RecordType; readonly record: TrainingRecord }
  | ({ readonly ok: false; readonly type: RecordType | null } & RowProblem);

const GOT_MAX = 120;

/** A short, printable rendering of an offending value for a reject message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (field missing)';
  let s: string;
  if (typeof value === 'number' && !Number.isFinite(value)) s = String(value);
  else if (typeof value === 'bigint') s = value.toString();
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  return s.length > GOT_MAX ? `${s.slice(0, GOT_MAX)}… (${s.length} chars)` : s;
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** What a field that accepts several shapes (a zod union) holds, in the record format's words. */
const UNION_EXPECTED: Readonly<Record<string, string>> = {
  target: 'an object with one of: category (an integer or a label), phrase, regex (text), or global: true',
  category: 'an integer category or a non-empty label',
  time: 'an ISO 8601 time or epoch seconds',
};

/** Type names as the record format says them (zod's `record` is a JSON object of any keys). */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a finite number',
  int: 'an integer',
  record: 'a JSON object',
  object: 'a JSON object',
  array: 'a JSON array (a list)',
  string: 'text (a JSON string)',
  boolean: 'true or false',
};

function limitWords(issue: { origin?: string; inclusive?: boolean }, bound: unknown, big: boolean): string {
  const edge = issue.inclusive === false ? (big ? 'less than' : 'more than') : big ? 'at most' : 'at least';
  const n = typeof bound === 'bigint' ? bound.toString() : String(bound);
  if (issue.origin === 'string') return `text of ${edge} ${n} character${n === '1' ? '' : 's'}`;
  if (issue.origin === 'array') return `a list of ${edge} ${n} item${n === '1' ? '' : 's'}`;
  return `a number ${edge} ${n}`;
}

/**
 * What the record format expects where a row failed, in its own words (never zod's wording): a custom
 * message from the schema is already in them.
 */
function expectedOf(issue: z.core.$ZodIssue): string {
  // the schema's own messages are in the record format's words; zod's defaults start like these
  if (!/^(Too (big|small)|Invalid|Expected|Unrecognized)\b/i.test(issue.message)) return issue.message;
  const last = issue.path[issue.path.length - 1];
  switch (issue.code) {
    case 'invalid_type':
      return (
        TYPE_WORDS[issue.expected] ??
        (/^[aeiou]/.test(issue.expected) ? `an ${issue.expected}` : `a ${issue.expected}`)
      );
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return (
        (typeof last === 'string' && UNION_EXPECTED[last]) ||
        'a value of the shape docs/record-format.md gives for this field'
      );
    case 'too_big':
      return limitWords(issue, issue.maximum, true);
    case 'too_small':
      return limitWords(issue, issue.minimum, false);
    case 'invalid_format':
      return `text in the ${issue.format} format`;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    case 'custom':
      return issue.message;
    default:
      return 'a value as docs/record-format.md describes it';
  }
}

/** How deep a value may nest (objects and arrays): deeper ones are rejected, not stored. */
export const MAX_DEPTH = 64;

/**
 * The path of the first value nested deeper than `MAX_DEPTH`, or null. Iterative, so a value nested
 * thousands deep (which `JSON.parse` accepts) cannot overflow the stack here or later.
 */
function tooDeep(value: unknown): string[] | null {
  if (value === null || typeof value !== 'object') return null;
  // only objects and arrays are pushed: a row's scalar fields (most of a row) allocate nothing here, which
  // matters on the reward service's path, where every session and event is validated (docs/benchmarks.md)
  const stack: { v: object; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (path.length >= MAX_DEPTH) return path;
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      const child = (v as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push({ v: child, path: [...path, key] });
    }
  }
  return null;
}

/**
 * A copy of a JSON object in which every key stays an own data key, whatever it is: `__proto__` included
 * (plain assignment of that key would set the prototype instead, and the key would vanish).
 */
function ownKeysCopy(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(out, key, {
      value: value[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Puts the input's `meta` (a validated JSON object) back with every key it had. */
function keepMeta(record: object, input: unknown): void {
  const meta = isPlainObject(input) ? input.meta : undefined;
  if (isPlainObject(meta)) (record as { meta?: unknown }).meta = ownKeysCopy(meta);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Validates one parsed row against record format v1, once. Unknown top-level fields are moved into
 * `meta` (an explicit `meta` key wins on a name clash); times are normalized to ISO 8601 UTC.
 *
 * @example
 * validateRow({ session: 1, output: 'hi' }) // → { ok: true, type: 'session', record: {...} }
 * validateRow({ session: -4, output: 'hi' }) // → { ok: false, field: 'session', expected: 'a positive session number', got: '-4' }
 */
export function validateRow(row: unknown, defaultType: RecordType = 'session'): RowResult {
  if (!isPlainObject(row)) {
    return { ok: false, type: null, field: '(row)', expected: 'a JSON object', got: describeValue(row) };
  }
  const rawType = row.type ?? defaultType;
  if (typeof rawType !== 'string' || !(RECORD_TYPES as readonly string[]).includes(rawType)) {
    return {
      ok: false,
      type: null,
      field: 'type',
      expected: `one of ${RECORD_TYPES.map((t) => JSON.stringify(t)).join(', ')}`,
      got: describeValue(rawType),
    };
  }
  const type = rawType as RecordType;
  const deep = tooDeep(row);
  if (deep !== null) {
    const field = deep.slice(0, 3).join('.') + (deep.length > 3 ? '.…' : '');
    return {
      ok: false,
      type,
      field,
      expected: `a value nested at most ${MAX_DEPTH} levels deep`,
      got: `a value nested more than ${MAX_DEPTH} levels deep`,
    };
  }
  const known = KNOWN_FIELDS[type];
  let input: Record<string, unknown> = row;
  let extra: Record<string, unknown> | null = null;
  for (const key of Object.keys(row)) {
    if (!known.has(key)) {
      if (extra === null) extra = Object.create(null) as Record<string, unknown>;
      extra[key] = row[key];
    }
  }
  if (extra !== null) {
    input = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(row)) if (known.has(key)) input[key] = row[key];
    input.meta = isPlainObject(row.meta) ? Object.assign(extra, ownKeysCopy(row.meta)) : (row.meta ?? extra);
  }
  const parsed = SCHEMAS[type].safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(row)';
    return {
      ok: false,
      type,
      field,
      expected: expectedOf(issue),
      got: describeValue(valueAt(input, issue.path)),
    };
  }
  const record = parsed.data as TrainingRecord & { time?: string | number | null };
  if (record.time !== undefined && record.time !== null) record.time = normalizeTime(record.time);
  // zod rebuilds records (`meta`) on plain objects, where a `__proto__` key would vanish: keep the input's
  keepMeta(record, input);
  if (type === 'session') {
    const s = record as { annotations?: { id?: string; time?: string | number | null }[] };
    const ids = new Set<string>();
    for (const [i, a] of (s.annotations ?? []).entries()) {
      if (a.id === undefined) continue;
      if (ids.has(a.id)) {
        return {
          ok: false,
          type,
          field: `annotations.${i}.id`,
          expected: 'an id used by no other annotation of the session',
          got: describeValue(a.id),
        };
      }
      ids.add(a.id);
    }
    const given = (input as { annotations?: unknown[] }).annotations ?? [];
    (s.annotations ?? []).forEach((a, i) => {
      if (a.time !== undefined && a.time !== null) a.time = normalizeTime(a.time);
      keepMeta(a, given[i]);
    });
  }
  return { ok: true, type, record };
}
