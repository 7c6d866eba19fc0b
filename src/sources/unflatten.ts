/**
 * CSV columns carry nested fields as dotted names (`meta.temperature`, `annotations.0.text`). This turns one
 * flat CSV row into the nested object of record format v1 and coerces the cells of known numeric and list
 * fields from text. A cell that does not parse is left as text, so validation reports it with its value.
 */

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
  const root: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const path = header[i]!;
    const value = coerce(path, cells[i] ?? '');
    if (value === null && path.length > 1) continue; // an empty nested cell: the field is absent
    let node: Record<string, unknown> | unknown[] = root;
    for (let d = 0; d < path.length - 1; d++) {
      const key = path[d]!;
      const nextIsIndex = /^\d+$/.test(path[d + 1]!);
      const container = node as Record<string, unknown>;
      if (container[key] === undefined || container[key] === null) container[key] = nextIsIndex ? [] : {};
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
