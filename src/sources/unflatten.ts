/**
 * CSV columns carry nested fields as dotted names (`meta.temperature`, `annotations.0.text`). This turns one
 * flat CSV row into the nested object of record format v1 and coerces the cells of known numeric and list
 * fields from text. A cell that does not parse is left as text, so validation reports it with its value.
 */

import { duplicateKey } from './duplicate-keys.ts';

const INTEGER_FIELDS = new Set(['session', 'step']);
const NUMBER_FIELDS = new Set([
  'baseline_reward',
  'adjusted_reward',
  'differential_pct',
  'compliance_trajectory_index',
  'from',
  'to',
  'change_pct',
]);
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function coerce(path: readonly string[], cell: string): unknown {
  const key = path[path.length - 1] ?? '';
  const top = path[0] ?? '';
  if (cell === '') return null;
  if (path.length === 1 && (INTEGER_FIELDS.has(key) || NUMBER_FIELDS.has(key))) {
    return NUMBER_RE.test(cell.trim()) ? Number(cell) : cell;
  }
  if (path.length === 1 && key === 'category') return /^\d+$/.test(cell.trim()) ? Number(cell) : cell;
  if (path.length === 1 && key === 'flags') {
    const t = cell.trim();
    if (t.startsWith('[')) {
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return cell;
      }
    }
    return t
      .split('|')
      .map((f) => f.trim())
      .filter((f) => f.length > 0);
  }
  if (top === 'meta' && path.length === 1) {
    try {
      return JSON.parse(cell) as unknown;
    } catch {
      return cell;
    }
  }
  return cell;
}

/** Builds the nested row for one CSV record from its header and cells. Empty cells become null. */
export function unflattenRow(
  header: readonly (readonly string[])[],
  cells: readonly string[],
): Record<string, unknown> {
  // null-prototype objects: a header such as `__proto__.x` or `meta.constructor` is a key like any other
  const root = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < header.length; i++) {
    const path = header[i]!;
    const value = coerce(path, cells[i] ?? '');
    if (value === null && path.length > 1) continue; // an empty nested cell: the field is absent
    let node: Record<string, unknown> | unknown[] = root;
    for (let d = 0; d < path.length - 1; d++) {
      const key = path[d]!;
      const nextIsIndex = /^\d+$/.test(path[d + 1]!);
      const container = node as Record<string, unknown>;
      if (!Object.hasOwn(container, key) || container[key] === null)
        container[key] = nextIsIndex ? [] : Object.create(null);
      node = container[key] as Record<string, unknown> | unknown[];
    }
    (node as Record<string, unknown>)[path[path.length - 1]!] = value;
  }
  for (const key of Object.keys(root)) {
    const v = root[key];
    if (Array.isArray(v)) root[key] = v.filter((x) => x !== undefined);
    if (root[key] === null && key !== 'category' && key !== 'classification') delete root[key];
  }
  return root;
}

/** Splits each header name on dots; `meta.a.b` keeps `a.b` as one key under meta. */
export function parseHeader(names: readonly string[]): string[][] {
  return names.map((n) => {
    const parts = n.trim().split('.');
    if (parts[0] === 'meta' && parts.length > 2) return ['meta', parts.slice(1).join('.')];
    return parts;
  });
}

/**
 * Why a header cannot be unflattened without losing or mixing values, naming the column, or null when it
 * can: a column named twice, a column that is also the parent of another (`output` and `output.x`), or one
 * parent with both list positions and names (`annotations.0.text` and `annotations.text`).
 */
export function headerProblem(
  names: readonly string[],
  header: readonly (readonly string[])[],
): { column: string; message: string } | null {
  const seen = new Map<string, number>();
  for (let i = 0; i < header.length; i++) {
    const key = header[i]!.join('\u0000');
    if (seen.has(key))
      return { column: names[i]!, message: 'is named twice in the header (each column once)' };
    seen.set(key, i);
  }
  const prefixes = new Map<string, number>();
  const childKinds = new Map<string, 'index' | 'name'>();
  for (let i = 0; i < header.length; i++) {
    const path = header[i]!;
    for (let d = 1; d < path.length; d++) {
      const parent = path.slice(0, d).join('\u0000');
      prefixes.set(parent, i);
      const kind = /^\d+$/.test(path[d]!) ? 'index' : 'name';
      const before = childKinds.get(parent);
      if (before !== undefined && before !== kind) {
        return {
          column: names[i]!,
          message: `mixes list positions and names under ${JSON.stringify(path.slice(0, d).join('.'))} in the header`,
        };
      }
      childKinds.set(parent, kind);
    }
  }
  for (const [key, i] of seen) {
    const child = prefixes.get(key);
    if (child !== undefined) {
      return {
        column: names[i]!,
        message: `is a column and also the parent of the column ${JSON.stringify(names[child])} (one of them would overwrite the other)`,
      };
    }
  }
  return null;
}

/**
 * The first key named twice inside a JSON cell of the row (the `meta` column holds a JSON object), as a
 * dotted field path, or null: `JSON.parse` would keep the last silently.
 */
export function duplicateKeyInCells(
  header: readonly (readonly string[])[],
  cells: readonly string[],
): string | null {
  for (let i = 0; i < header.length; i++) {
    const path = header[i]!;
    if (path.length !== 1 || path[0] !== 'meta') continue;
    const cell = cells[i] ?? '';
    let value: unknown;
    try {
      value = JSON.parse(cell);
    } catch {
      continue; // not JSON: validation reports it with its value
    }
    const twice = duplicateKey(cell, value);
    if (twice !== null) return `meta.${twice}`;
  }
  return null;
}
