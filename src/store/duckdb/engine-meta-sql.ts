/**
 * `meta` in SQL for the engine path's fast scan (docs/ingest.md, "The engine path"): the canonical JSON text the
 * TypeScript stage stores (`stableStringify`: keys sorted at every depth, values as `JSON.stringify` writes
 * them), built from the JSON text DuckDB's reader writes back, or NULL when SQL cannot build it exactly — the row
 * then goes to the validator. SQL builds it for an object whose keys are plain ASCII names (a letter, then letters,
 * digits, `_` or `-`; none twice), whose values are strings without escapes, `true`, `false`, `null`, numbers in a
 * form whose `JSON.stringify` text is known (below), arrays of those, or objects of those (one level down).
 * Anything else — an escape, a number such as `1e-7` or `1e21`, an array of objects, a deeper object, a key
 * written twice — is the validator's, which gives it its message or its stored value.
 */

/** A key SQL sorts as JavaScript does (ASCII: the same order in UTF-8 bytes and UTF-16 units). */
const KEY = '[A-Za-z][A-Za-z0-9_-]{0,63}';
/** An integer JavaScript reads exactly (|n| < 10^15) and writes as the same digits (not -0). */
const INTEGER = '-?[1-9][0-9]{0,14}|0';
/** A number DuckDB writes with `.0` (an integral double): JavaScript writes the digits before the point. */
const INTEGRAL = '-?[1-9][0-9]{0,14}\\.0|0\\.0';
/**
 * A fraction DuckDB writes in the shortest digits that read back as the same double — as JavaScript does — in
 * plain notation where JavaScript uses it too (10^-6 ≤ |x| < 10^15 here; JavaScript's own bounds are wider).
 */
const FRACTION = '-?(0\\.0{0,5}[1-9][0-9]{0,16}|[1-9][0-9]{0,14}\\.[0-9]{0,16}[1-9])';

/** A scalar's canonical text (its JSON text `v` as DuckDB writes it), or NULL. */
function scalar(v: string): string {
  // one regular expression for the usual numbers (integers, fractions), another for integral doubles
  return `CASE WHEN starts_with(${v}, '"') THEN CASE WHEN NOT contains(${v}, '\\') THEN ${v} END
    WHEN ${v} IN ('true', 'false', 'null') THEN ${v}
    WHEN regexp_full_match(${v}, '${INTEGER}|${FRACTION}') THEN ${v}
    WHEN regexp_full_match(${v}, '${INTEGRAL}') THEN split_part(${v}, '.', 1) END`;
}

/** The texts of a list joined by commas, or NULL when any is NULL (`||` keeps a NULL; `array_to_string` skips it). */
const joined = (list: string, d: number) => `list_reduce(${list}, (a${d}, b${d}) -> a${d} || ',' || b${d})`;

/** An array's canonical text (its elements scalars), or NULL. `d` names the lambdas' variables. */
function array(v: string, d: number): string {
  const e = `e${d}`;
  return `CASE WHEN ${v} = '[]' THEN '[]'
    ELSE '[' || ${joined(`list_transform(CAST(json_extract(${v}, '$[*]') AS VARCHAR[]), ${e} -> ${scalar(e)})`, d)} || ']' END`;
}

/** A value's canonical text: a scalar or an array, or (above `depth` 0) an object one level down; or NULL. */
function value(v: string, depth: number): string {
  return `CASE WHEN starts_with(${v}, '[') THEN ${array(v, depth)}
    ${depth > 0 ? `WHEN starts_with(${v}, '{') THEN ${object(v, depth - 1)}` : ''}
    WHEN starts_with(${v}, '{') THEN NULL
    ELSE ${scalar(v)} END`;
}

/**
 * An object's canonical text (keys sorted), or NULL. `depth`: how many levels of objects it may hold. It is read
 * once, into a map (`TRY_CAST` gives NULL for a key written twice, which a map cannot hold).
 */
function object(o: string, depth: number): string {
  const m = `m${depth}`;
  const mp = `mp${depth}`;
  const member = `'"' || ${m}.key || '":' || (${value(`coalesce(CAST(${m}.value AS VARCHAR), 'null')`, depth)})`;
  // the map is read once and bound to a lambda's variable (a one-element list), so its uses below do not read the
  // object again; it keeps a key written twice twice: such an object is the validator's; the keys are checked at
  // once (a key holds no comma: the joined keys match only when each does)
  const keys = `map_keys(${mp})`;
  return `CASE WHEN ${o} = '{}' THEN '{}'
    ELSE list_transform([TRY_CAST(CAST(${o} AS JSON) AS MAP(VARCHAR, JSON))], ${mp} -> CASE
      WHEN len(list_distinct(${keys})) = len(${keys})
        AND regexp_full_match(array_to_string(${keys}, ','), '(${KEY})(,(${KEY}))*')
      THEN '{' || ${joined(`list_transform(list_sort(map_entries(${mp})), ${m} -> ${member})`, depth)} || '}' END)[1] END`;
}

/**
 * The canonical JSON text of `meta` (the SQL of its JSON text as DuckDB writes it back, VARCHAR), or NULL when it
 * is not an object SQL can write as `stableStringify` does: an object holding objects one level down.
 */
export function metaCanonicalSql(meta: string): string {
  return `CASE WHEN starts_with(${meta}, '{') THEN ${object(meta, 1)} END`;
}
