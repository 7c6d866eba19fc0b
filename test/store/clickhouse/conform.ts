import assert from 'node:assert/strict';

/** How `conform` compares: which numbers may differ in their last bits, and whether key order counts. */
export interface ConformRules {
  /** True for a number whose path names a float sum or mean, which is compared with a relative tolerance. */
  readonly tolerant: (path: string) => boolean;
  /** The relative tolerance of those numbers. */
  readonly tolerance: number;
  /** Objects must list the same keys in the same order (the JSON answers are then the same text). */
  readonly keyOrder: boolean;
}

/**
 * Asserts that ClickHouse's `actual` is DuckDB's `expected`: exact everywhere (`Object.is` for numbers), except
 * the numbers `rules.tolerant` names — float sums whose order of addition the engines choose (DuckDB's
 * parallel aggregate, the shards' partial states merged in arrival order). `path` names the place in messages.
 */
export function conform(actual: unknown, expected: unknown, path: string, rules: ConformRules): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (rules.tolerant(path) && !Object.is(actual, expected)) {
      const scale = Math.max(1, Math.abs(expected));
      assert.ok(Math.abs(actual - expected) <= rules.tolerance * scale, `${path}: ${actual} vs ${expected}`);
      return;
    }
    assert.ok(Object.is(actual, expected), `${path}: ${actual} (ClickHouse) vs ${expected} (DuckDB)`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal((actual as unknown[]).length, expected.length, `${path}: length`);
    for (const [i, e] of expected.entries()) conform((actual as unknown[])[i], e, `${path}[${i}]`, rules);
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: not an object`);
    const keys = rules.keyOrder
      ? Object.keys(expected)
      : [...new Set([...Object.keys(expected), ...Object.keys(actual as object)])];
    if (rules.keyOrder) assert.deepEqual(Object.keys(actual as object), keys, `${path}: keys`);
    for (const k of keys) {
      conform(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        `${path}.${k}`,
        rules,
      );
    }
    return;
  }
  assert.deepEqual(actual, expected, path);
}
