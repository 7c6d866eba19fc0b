import { join, raw, type SqlFragment, sql } from '../sql/sql.ts';

/**
 * The default tokenizer (src/stats/tokenize.ts) and `normaliseText` (src/model/phrase-pattern.ts) as
 * ClickHouse SQL, the twins of src/store/duckdb/tokens-sql.ts and normalise-sql.ts: the same RE2 patterns,
 * so the same tokens as DuckDB (test/store/clickhouse/text-sql.test.ts sweeps every code point on the
 * server). Two ClickHouse differences are handled here:
 *
 * - `lowerUTF8` of 18.16 leaves 545 code points upper-case that DuckDB's `lower()` (utf8proc simple case
 *   mapping) lowers: those whose lower case has another UTF-8 length (İ, ẞ, Ω, K, Å, Ⱥ …) and the
 *   scripts its tables lack (Cherokee, Georgian Mtavruli, Glagolitic, Coptic, Osage, Old Hungarian, Adlam …).
 *   {@link LOWER_FIXES} maps each to DuckDB's lower case first (one RE2 pass splits a text at them; an
 *   ordinary text is one piece).
 * - ClickHouse compiles every regular expression with RE2's `dot_nl` set (`.` matches a newline);
 *   DuckDB does not. {@link re2Pattern} prefixes `(?-s)` so a pattern means what it means in DuckDB.
 */

/**
 * Ranges of code points [first, count, delta, step] that 18.16's `lowerUTF8` leaves unchanged and DuckDB's
 * `lower()` maps to code point + delta (measured over every code point against DuckDB 1.5; U+FEFF, which
 * the DuckDB Node client drops when alone, is no letter and is left out).
 */
const LOWER_FIX_RANGES: readonly (readonly [number, number, number, number])[] = [
  [304, 1, -199, 1],
  [453, 1, 1, 1],
  [456, 1, 1, 1],
  [459, 1, 1, 1],
  [498, 1, 1, 1],
  [570, 1, 10795, 1],
  [574, 1, 10792, 1],
  [5024, 80, 38864, 1],
  [5104, 6, 8, 1],
  [7312, 43, -3008, 1],
  [7357, 3, -3008, 1],
  [7838, 1, -7615, 1],
  [8072, 8, -8, 1],
  [8088, 8, -8, 1],
  [8104, 8, -8, 1],
  [8124, 1, -9, 1],
  [8140, 1, -9, 1],
  [8188, 1, -9, 1],
  [8486, 1, -7517, 1],
  [8490, 1, -8383, 1],
  [8491, 1, -8262, 1],
  [8498, 1, 28, 1],
  [8544, 16, 16, 1],
  [8579, 1, 1, 1],
  [9398, 26, 26, 1],
  [11264, 48, 48, 1],
  [11360, 1, 1, 1],
  [11362, 1, -10743, 1],
  [11363, 1, -3814, 1],
  [11364, 1, -10727, 1],
  [11367, 3, 1, 2],
  [11373, 1, -10780, 1],
  [11374, 1, -10749, 1],
  [11375, 1, -10783, 1],
  [11376, 1, -10782, 1],
  [11378, 1, 1, 1],
  [11381, 1, 1, 1],
  [11390, 2, -10815, 1],
  [11392, 50, 1, 2],
  [11499, 2, 1, 2],
  [11506, 1, 1, 1],
  [42893, 1, -42280, 1],
  [42922, 1, -42308, 1],
  [42923, 1, -42319, 1],
  [42924, 1, -42315, 1],
  [42925, 1, -42305, 1],
  [42926, 1, -42308, 1],
  [42928, 1, -42258, 1],
  [42929, 1, -42282, 1],
  [42930, 1, -42261, 1],
  [42931, 1, 928, 1],
  [42932, 8, 1, 2],
  [42948, 1, -48, 1],
  [42949, 1, -42307, 1],
  [42950, 1, -35384, 1],
  [42951, 2, 1, 2],
  [42960, 1, 1, 1],
  [42966, 2, 1, 2],
  [42997, 1, 1, 1],
  [66736, 36, 40, 1],
  [66928, 11, 39, 1],
  [66940, 15, 39, 1],
  [66956, 7, 39, 1],
  [66964, 2, 39, 1],
  [68736, 51, 64, 1],
  [93760, 32, 32, 1],
  [125184, 34, 34, 1],
];

/** The single characters to map before `lowerUTF8`, and DuckDB's lower case of each. */
export const LOWER_FIXES: readonly (readonly [string, string])[] = LOWER_FIX_RANGES.flatMap(
  ([first, count, delta, step]) =>
    Array.from({ length: count }, (_, i): [string, string] => {
      const cp = first + i * step;
      return [String.fromCodePoint(cp), String.fromCodePoint(cp + delta)];
    }),
);

const hex = (cp: number) => `\\x{${cp.toString(16).toUpperCase()}}`;

/** The characters of {@link LOWER_FIXES} as the inside of an RE2 class. */
const FIX_CHARS = LOWER_FIX_RANGES.map(([first, count, , step]) =>
  step === 1 && count > 1
    ? `${hex(first)}-${hex(first + count - 1)}`
    : Array.from({ length: count }, (_, i) => hex(first + i * step)).join(''),
).join('');

/** A text's pieces: each character of {@link LOWER_FIXES} alone, every run of other characters whole. */
const FIX_PIECES = `[${FIX_CHARS}]|[^${FIX_CHARS}]+`;

const FIX_FROM = LOWER_FIXES.map(([from]) => from);
const FIX_TO = LOWER_FIXES.map(([, to]) => to);

/**
 * `lower()` as DuckDB computes it: the text split into pieces (each character to fix alone, the runs between
 * whole), each fix mapped by `transform`, joined, then `lowerUTF8`. An ordinary text is one piece: one RE2
 * pass. (An earlier form, `if(match(text, class), <split into characters and map>, text)`, cost ten times
 * more: 18.16's `if` computes both branches for every row — measured, 3.0 s against 0.3 s on 55,000
 * outputs.) The character arrays and the class are our own constants, inlined as literals by the dialect.
 *
 * @example clickHouseLower(sql`output`)
 */
export function clickHouseLower(expr: SqlFragment): SqlFragment {
  return sql`lowerUTF8(arrayStringConcat(arrayMap(c -> transform(c, ${FIX_FROM}, ${FIX_TO}, c), extractAll(${expr}, ${FIX_PIECES}))))`;
}

/** The kana marks and spaceless scripts, as in src/store/duckdb/tokens-sql.ts. */
const SPACELESS = String.raw`\p{Han}\p{Hiragana}\p{Katakana}\x{30FC}\x{FF70}\x{3031}-\x{3035}`;

/** The token pattern of src/store/duckdb/tokens-sql.ts (there `''` is the SQL-escaped apostrophe). */
export const TOKEN_PATTERN = [
  ...['Han', 'Hiragana', 'Katakana'].flatMap((s) => [
    String.raw`[^\P{${s}}\P{L}]`,
    String.raw`[^\P{${s}}\P{N}]`,
  ]),
  String.raw`[\x{30FC}\x{FF70}\x{3031}-\x{3035}]`,
  String.raw`(?:[^\P{L}${SPACELESS}]|[^\P{N}${SPACELESS}]|')+`,
].join('|');

/**
 * ClickHouse SQL expression (an `Array(String)`) with the tokens of `expr`, equal to `tokenize` and to
 * DuckDB's `duckdbTokens`. `extractAll` returns whole matches (the pattern has no capturing group).
 *
 * @example clickHouseTokens(sql`output`)
 */
export function clickHouseTokens(expr: SqlFragment): SqlFragment {
  return sql`extractAll(${clickHouseLower(expr)}, ${TOKEN_PATTERN})`;
}

/** The apostrophe variants `normaliseText` turns into `'` (an RE2 class). */
export const APOSTROPHE_CLASS = String.raw`[\x{2018}\x{2019}\x{201B}\x{02BC}\x{2032}\x{FF07}]`;
const WHITESPACE = String.raw`[\t\n\x{0B}\f\r \x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]+`;

/**
 * `normaliseText` as ClickHouse SQL (the twin of `duckdbNormalise`): apostrophes become `'`, whitespace
 * runs one space, then leading and trailing spaces go (18.16 has no `trim`; after the collapse an end holds
 * at most one space).
 *
 * @example clickHouseNormalise(sql`output`)
 */
export function clickHouseNormalise(expr: SqlFragment): SqlFragment {
  return sql`replaceRegexpAll(replaceRegexpAll(replaceRegexpAll(${expr}, ${APOSTROPHE_CLASS}, ${"'"}), ${WHITESPACE}, ' '), '^ | $', '')`;
}

/**
 * A pattern as DuckDB's RE2 reads it, for \`match\` and \`extractAll\` on ClickHouse. Two 18.16 behaviours are
 * undone:
 *
 * - every regular expression is compiled with RE2's \`dot_nl\` (\`.\` matches a newline): \`(?-s)\` first (a
 *   pattern's own \`(?s)\` still turns it on);
 * - \`match\` ignores a leading \`(?i)\` when the pattern is one literal (\`match('WHY', '(?i)why')\` is 0:
 *   its required-substring shortcut searches case-sensitively — measured). A second, never-matching
 *   alternative (\`\\b\\B\`: a word boundary that is not one) turns the shortcut off without changing what
 *   matches.
 *
 * The pattern goes in a group, so a pattern that is not valid RE2 on its own could become valid here
 * (\`a)|(b\`): patterns from users are compiled unwrapped first (\`checkRe2\`).
 *
 * @example re2Pattern('(?i)a.b') // '(?-s)(?:(?i)a.b)|\\b\\B'
 */
export function re2Pattern(pattern: string): string {
  return `(?-s)(?:${pattern})|\\b\\B`;
}

/**
 * The n-grams of a token array \`tokens\` (an SQL expression), each its n tokens joined by one space, in
 * order: the n shifted slices of the array zipped by one n-ary lambda. (No lambda here reads an array that is
 * not one of its arguments: 18.16 evaluates a captured array wrongly in some queries — measured.)
 *
 * @example clickHouseNgrams(sql\`t\`, 2) // the bigrams of t
 */
export function clickHouseNgrams(tokens: SqlFragment, n: number): SqlFragment {
  if (!Number.isSafeInteger(n) || n < 1)
    throw new RangeError(`n-gram size must be a positive integer, got ${n}`);
  if (n === 1) return tokens;
  const len = sql`toUInt64(greatest(length(${tokens}) - ${n} + 1, 0))`;
  const slices = Array.from({ length: n }, (_, j) => sql`arraySlice(${tokens}, ${j + 1}, ${len})`);
  const args = Array.from({ length: n }, (_, j) => `x${j}`);
  const lambda = `(${args.join(', ')}) -> concat(${args.join(", ' ', ")})`;
  return sql`arrayMap(${raw(lambda)}, ${join(slices)})`;
}
