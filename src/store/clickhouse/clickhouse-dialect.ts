import type { SqlDialect } from '../sql/dialect.ts';
import type { SqlValue } from '../sql/sql.ts';

/**
 * ClickHouse 18.16 has no query parameters over HTTP (`param_x` is refused), so every value of a ClickHouse
 * statement enters its text through {@link clickHouseLiteral}, and nowhere else. Its rules, each tested
 * against the real server (test/store/clickhouse/clickhouse-dialect.test.ts):
 *
 * - a string is `'…'` with `\` and `'` backslash-escaped and every control character (U+0000–U+001F,
 *   U+007F) written as `\xHH`, so a statement stays one line of printable text; other characters go as they
 *   are (the statement travels as UTF-8). A lone surrogate, which has no UTF-8 form, becomes U+FFFD — what
 *   every UTF-8 encoder (and so the DuckDB store) makes of it — explicitly here rather than by accident.
 * - a number only when finite (NaN and ±Infinity are refused: they are no SQL literal and no reward); a
 *   negative one in parentheses, so that `x -${v}` cannot become the comment `--`; -0 keeps its sign; a
 *   subnormal, which the 18.16 parser refuses as a literal, is the exact quotient of a normal literal by 2^600.
 * - a bigint in the range of Int64/UInt64, as its digits (parenthesized when negative).
 * - a boolean as `1` / `0` (18.16 has no `true`; ClickHouse's booleans are UInt8).
 * - `NULL`; an array as `[…]` of literals, nested as deep as given.
 */
export function clickHouseLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      return stringLiteral(value);
    case 'number':
      return numberLiteral(value);
    case 'bigint':
      return bigintLiteral(value);
    case 'boolean':
      return value ? '1' : '0';
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map(clickHouseLiteral).join(', ')}]`;
  throw new TypeError(`clickHouseLiteral: ${Object.prototype.toString.call(value)} is not a SQL value`);
}

const HEX = '0123456789abcdef';

function stringLiteral(s: string): string {
  let out = "'";
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string | null = null;
    if (c === 0x5c) escaped = '\\\\';
    else if (c === 0x27) escaped = "\\'";
    else if (c < 0x20 || c === 0x7f) escaped = `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a well-formed pair: goes as it is
        continue;
      }
      escaped = '\ufffd';
    }
    if (escaped !== null) {
      out += s.slice(plainFrom, i) + escaped;
      plainFrom = i + 1;
    }
  }
  return `${out + s.slice(plainFrom)}'`;
}

/** 2^600 as a literal the server parses exactly (a power of two, printed by JavaScript's shortest form). */
const SCALE_LITERAL = String(2 ** 600);
const SMALLEST_NORMAL = 2.2250738585072014e-308;

function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`clickHouseLiteral: ${n} is not a finite number`);
  if (Object.is(n, -0)) return '(-0.)';
  const abs = Math.abs(n);
  // JavaScript's shortest round-trip form: `1e+21`, `0.1`, `5e-7` — all ClickHouse number literals
  const digits =
    abs !== 0 && abs < SMALLEST_NORMAL ? `(${String(abs * 2 ** 600)} / ${SCALE_LITERAL})` : String(abs);
  return n < 0 ? `(-${digits})` : digits;
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function bigintLiteral(n: bigint): string {
  if (n < INT64_MIN || n > UINT64_MAX) {
    throw new RangeError(`clickHouseLiteral: ${n} is outside Int64/UInt64`);
  }
  // -2^63 written as -(9223372036854775808) would be UInt64 negated; as one token it is Int64's minimum
  return n < 0n ? `(${n})` : String(n);
}

/**
 * An identifier in backquotes, `\` and `` ` `` backslash-escaped (and control characters as `\xHH`, like a
 * string), so a name chosen at run time is one identifier whatever it holds.
 *
 * @example clickHouseIdent('a`b') // `a\`b`
 */
export function clickHouseIdent(name: string): string {
  const inner = stringLiteral(name).slice(1, -1).replaceAll("\\'", "'").replaceAll('`', '\\`');
  return `\`${inner}\``;
}

/**
 * ClickHouse: every value is inlined as a literal by {@link clickHouseLiteral}; the compiled `Query` has no
 * `params`. Templates are the same as for DuckDB (they never write placeholders).
 *
 * @example compile(sql`SELECT * FROM sessions WHERE run = ${"it's"}`, clickHouseDialect)
 * // { sql: "SELECT * FROM sessions WHERE run = 'it\\'s'" }
 */
export const clickHouseDialect: SqlDialect = {
  name: 'clickhouse',
  quoteIdent: clickHouseIdent,
  value: (value) => ({ text: clickHouseLiteral(value) }),
};
