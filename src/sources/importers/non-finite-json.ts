/**
 * JSON as Python writes it: `json.dumps` (and so Inspect, pandas' `to_dict` + `json`, many trainers) writes
 * the non-finite floats as the bare words `NaN`, `Infinity` and `-Infinity`, which JSON does not have and
 * `JSON.parse` refuses. Here they are read as `null`, and each is reported with the path of its field, so
 * that the caller can warn. Inside strings they are text and stay as they are.
 */

/** A bare non-finite number that was read as `null`. */
export interface NonFiniteValue {
  /** Path of the field: `samples[3].scores.f1.value`; `(document)` for the document itself. */
  readonly path: string;
  readonly token: 'NaN' | 'Infinity' | '-Infinity';
}

export interface NonFiniteParse {
  readonly value: unknown;
  /** Empty when the text was plain JSON. */
  readonly nonFinite: readonly NonFiniteValue[];
}

type Frame = { kind: 'object'; key: string | null; expectKey: boolean } | { kind: 'array'; index: number };

const TOKENS = ['NaN', 'Infinity', '-Infinity'] as const;

/**
 * Parses JSON text, reading bare `NaN`, `Infinity` and `-Infinity` outside strings as `null`. Plain JSON
 * takes the fast path (`JSON.parse` alone); only text that fails it is scanned. Text that is not JSON even
 * then throws a `SyntaxError`.
 *
 * @example
 * parseJsonWithNonFinite('{"score": NaN, "note": "NaN"}')
 * // → { value: { score: null, note: 'NaN' }, nonFinite: [{ path: 'score', token: 'NaN' }] }
 */
export function parseJsonWithNonFinite(text: string): NonFiniteParse {
  try {
    return { value: JSON.parse(text) as unknown, nonFinite: [] };
  } catch (err) {
    const { replaced, nonFinite } = replaceNonFinite(text);
    if (nonFinite.length === 0) throw err;
    try {
      return { value: JSON.parse(replaced) as unknown, nonFinite };
    } catch (again) {
      throw new SyntaxError(
        `${(again as Error).message} (after reading ${nonFinite.length} bare NaN/Infinity as null)`,
      );
    }
  }
}

/** The text with every bare non-finite number outside strings replaced by `null`, and their paths. */
function replaceNonFinite(text: string): { replaced: string; nonFinite: NonFiniteValue[] } {
  const nonFinite: NonFiniteValue[] = [];
  const pieces: string[] = [];
  const stack: Frame[] = [];
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = stack.at(-1);
      if (top?.kind === 'object' && top.expectKey) top.key = keyText(text.slice(i, end + 1));
      i = end + 1;
      continue;
    }
    const top = stack.at(-1);
    if (c === 0x7b /* { */) stack.push({ kind: 'object', key: null, expectKey: true });
    else if (c === 0x5b /* [ */) stack.push({ kind: 'array', index: 0 });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x3a /* : */ && top?.kind === 'object') top.expectKey = false;
    else if (c === 0x2c /* , */) {
      if (top?.kind === 'array') top.index++;
      else if (top?.kind === 'object') top.expectKey = true;
    } else if (c === 0x4e /* N */ || c === 0x49 /* I */ || c === 0x2d /* - */) {
      const token = TOKENS.find((t) => text.startsWith(t, i));
      if (token !== undefined) {
        nonFinite.push({ path: pathOf(stack), token });
        pieces.push(text.slice(last, i), 'null');
        i += token.length;
        last = i;
        continue;
      }
    }
    i++;
  }
  pieces.push(text.slice(last));
  return { replaced: pieces.join(''), nonFinite };
}

/** Index of the quote that closes the string opened at `start` (or the end of the text). */
function stringEnd(text: string, start: number): number {
  let j = start;
  for (;;) {
    j = text.indexOf('"', j + 1);
    if (j < 0) return text.length - 1;
    let backslashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return j;
  }
}

function keyText(quoted: string): string {
  try {
    return String(JSON.parse(quoted));
  } catch {
    return quoted;
  }
}

function pathOf(stack: readonly Frame[]): string {
  let path = '';
  for (const f of stack) {
    if (f.kind === 'array') path += `[${f.index}]`;
    else if (f.key !== null)
      path += /^[A-Za-z_$][\w$]*$/.test(f.key) ? `${path ? '.' : ''}${f.key}` : `[${JSON.stringify(f.key)}]`;
  }
  return path || '(document)';
}

/**
 * One line naming the fields whose values were read as null, grouped by field (array positions written
 * `[]`), with how many and where the first was, e.g.
 * `scores.f1.value (NaN) ×3, first in sample 2; metadata.ratio (Infinity) ×1, first in sample 5`.
 * `where` says where a value was (its row, sample or entry); at most `limit` fields are listed.
 */
export function describeNonFinite(
  values: readonly { readonly value: NonFiniteValue; readonly where: string }[],
  limit = 8,
): string {
  const groups = new Map<string, { count: number; tokens: Set<string>; first: string }>();
  for (const { value, where } of values) {
    const field = value.path.replace(/\[\d+\]/g, '[]');
    const g = groups.get(field);
    if (g === undefined) groups.set(field, { count: 1, tokens: new Set([value.token]), first: where });
    else {
      g.count++;
      g.tokens.add(value.token);
    }
  }
  const listed = [...groups].slice(0, limit).map(([field, g]) => {
    const first = g.count === 1 ? `in ${g.first}` : `×${g.count}, first in ${g.first}`;
    return `${field} (${[...g.tokens].join('/')}) ${first}`;
  });
  const more = groups.size > limit ? `; and ${groups.size - limit} more fields` : '';
  return `${listed.join('; ')}${more}`;
}
