/**
 * JSON for cached analysis results that keeps what plain JSON loses: NaN and ±Infinity (a threshold that
 * could not be computed, an empty series' statistic) come back as numbers, not null.
 *
 * @example parseResult(stringifyResult({ x: Number.NaN })) // { x: NaN }
 */
const TAG = '$rlaudit_number';

export function stringifyResult(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? { [TAG]: String(v) } : v,
  );
}

export function parseResult(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && TAG in v
      ? Number((v as Record<string, string>)[TAG])
      : v,
  );
}
