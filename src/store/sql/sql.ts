/**
 * SQL as values that cannot splice a user value into SQL text. A {@link SqlFragment} is a list of parts:
 * our own SQL text (the literal parts of a `sql` template, or `raw()`), values (every `${…}` that is not a
 * fragment), and identifiers (`ident()`). A dialect (src/store/sql/dialect.ts) compiles it to a `Query`:
 * DuckDB's binds each value as a parameter, a dialect without parameters inlines each value through its one
 * literal-escaping function. Nothing but the dialect turns a value into SQL text.
 */

/**
 * A value that can travel into SQL. A JS array is ONE value (a DuckDB `LIST`, a ClickHouse `Array`); to spread
 * values into `IN (…)`, use {@link list}. `undefined` is refused (it is a bug, not SQL NULL).
 */
export type SqlValue = null | boolean | number | bigint | string | readonly SqlValue[];

/** One part of a fragment. Text parts are only ever our own SQL. */
export type SqlPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'value'; readonly value: SqlValue }
  | { readonly kind: 'ident'; readonly names: readonly string[] };

/** What may stand in a `${…}` of the `sql` tag: another fragment (spliced) or a value (bound). */
export type SqlInterpolation = SqlFragment | SqlValue;

/** A piece of SQL: immutable, composable, compiled by a dialect. Build it with `sql`, never by hand. */
export class SqlFragment {
  /** @internal Use `sql`, `raw`, `ident`, `join` or `list`. */
  constructor(readonly parts: readonly SqlPart[]) {}

  /** True when the fragment has no parts (e.g. `join([])`): lets a caller leave out an empty clause. */
  get isEmpty(): boolean {
    return this.parts.length === 0;
  }
}

function checkValue(value: unknown, where: string): SqlValue {
  if (value === undefined) throw new TypeError(`sql: ${where} is undefined (use null for SQL NULL)`);
  if (
    value === null ||
    typeof value === 'boolean' ||
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'string'
  ) {
    return value;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) checkValue(item, `${where}[${i}]`);
    return value as readonly SqlValue[];
  }
  // Objects (Dates, engine value classes, plain objects) have no dialect-neutral literal: refuse them here
  // rather than let an engine guess.
  throw new TypeError(
    `sql: ${where} is a ${typeof value} (${Object.prototype.toString.call(value)}), not a SQL value`,
  );
}

/** Appends parts, merging adjacent text so compiled SQL reads as written. */
function push(out: SqlPart[], part: SqlPart): void {
  const last = out[out.length - 1];
  if (part.kind === 'text') {
    if (part.text === '') return;
    if (last?.kind === 'text') {
      out[out.length - 1] = { kind: 'text', text: last.text + part.text };
      return;
    }
  }
  out.push(part);
}

/**
 * The tagged template: literal text is SQL, every `${value}` becomes a value (a bound parameter in DuckDB),
 * every `${fragment}` is spliced in.
 *
 * @example
 * const byRun = sql`SELECT count(*) AS n FROM sessions WHERE run = ${run}`;
 * const q = sql`${byRun} AND session BETWEEN ${from} AND ${to}`; // run, from, to are bound, never spliced
 */
export function sql(strings: TemplateStringsArray, ...values: readonly SqlInterpolation[]): SqlFragment {
  const out: SqlPart[] = [];
  strings.forEach((text, i) => {
    // a tagged template keeps an invalid escape (`\p`) as undefined: write such text with raw(String.raw`…`)
    if (text === undefined) throw new SyntaxError(`sql: invalid escape sequence in template text ${i + 1}`);
    push(out, { kind: 'text', text });
    if (i >= values.length) return;
    const v = values[i];
    if (v instanceof SqlFragment) for (const p of v.parts) push(out, p);
    else out.push({ kind: 'value', value: checkValue(v, `interpolation ${i + 1}`) });
  });
  return new SqlFragment(out);
}

/**
 * Our own constant SQL text, inserted as is. ONLY for text written in this code base (an engine-specific
 * expression, a regex literal we own, a numeric constant that must stay a SQL literal) — never for a value
 * that came from a user, a file or the database. Prefer `sql` and `ident`; every `raw` call is a place to
 * review.
 *
 * @example raw("'[\\p{L}\\p{N}'']+'") // a pattern literal of our tokenizer
 */
export function raw(text: string): SqlFragment {
  if (typeof text !== 'string') throw new TypeError('raw: text must be a string');
  return new SqlFragment(text === '' ? [] : [{ kind: 'text', text }]);
}

/**
 * An identifier (table, column, alias), quoted by the dialect; several names make a qualified one.
 * The only way a name chosen at run time enters SQL text.
 *
 * @example sql`SELECT * FROM ${ident('temp', 'main', 'stage_sessions')}` // "temp"."main"."stage_sessions"
 */
export function ident(...names: readonly string[]): SqlFragment {
  if (names.length === 0) throw new TypeError('ident: at least one name');
  for (const n of names) {
    if (typeof n !== 'string' || n === '' || n.includes('\u0000')) {
      throw new TypeError(`ident: ${JSON.stringify(n)} is not a usable identifier`);
    }
  }
  return new SqlFragment([{ kind: 'ident', names: [...names] }]);
}

/**
 * Fragments joined with a separator (our own text, `', '` by default). An empty list gives an empty fragment.
 *
 * @example join([sql`a = ${1}`, sql`b = ${2}`], ' AND ') // a = $p1 AND b = $p2
 */
export function join(fragments: readonly SqlFragment[], separator = ', '): SqlFragment {
  const out: SqlPart[] = [];
  fragments.forEach((f, i) => {
    if (i > 0) push(out, { kind: 'text', text: separator });
    for (const p of f.parts) push(out, p);
  });
  return new SqlFragment(out);
}

/**
 * Values as a comma-separated list, each its own value, for `IN (…)` and `VALUES (…)`. Refuses an empty
 * list, which would make `IN ()` invalid SQL: test for it before building the query.
 *
 * @example sql`SELECT * FROM events WHERE id IN (${list(ids)})`
 */
export function list(values: readonly SqlValue[]): SqlFragment {
  if (values.length === 0) throw new RangeError('list: an empty list has no SQL form (IN () is invalid)');
  return join(
    values.map((v, i) => new SqlFragment([{ kind: 'value', value: checkValue(v, `list item ${i}`) }])),
  );
}

/** The empty fragment, for optional clauses: `sql\`… ${cond ? sql\`AND x\` : empty} …\``. */
export const empty: SqlFragment = new SqlFragment([]);
