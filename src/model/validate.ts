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

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number') return 'a finite number';
      if (issue.expected === 'int') return 'an integer';
      return /^[aeiou]/.test(issue.expected) ? `an ${issue.expected}` : `a ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'a value of one of the allowed shapes (see docs/record-format.md)';
    default:
      return issue.message;
  }
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
  const known = KNOWN_FIELDS[type];
  let input: Record<string, unknown> = row;
  let extra: Record<string, unknown> | null = null;
  for (const key of Object.keys(row)) {
    if (!known.has(key)) {
      if (extra === null) extra = {};
      extra[key] = row[key];
    }
  }
  if (extra !== null) {
    input = {};
    for (const key of Object.keys(row)) if (known.has(key)) input[key] = row[key];
    input.meta = isPlainObject(row.meta) ? { ...extra, ...row.meta } : (row.meta ?? extra);
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
  if (type === 'session') {
    const s = record as { annotations?: { time?: string | number | null }[] };
    for (const a of s.annotations ?? [])
      if (a.time !== undefined && a.time !== null) a.time = normalizeTime(a.time);
  }
  return { ok: true, type, record };
}
