import assert from 'node:assert/strict';

/**
 * Where a dashboard answer's number may differ in its last bits between the engines, and why: the mean of a
 * session-index cell's or a series point's rewards is a sum of doubles whose order the engines choose
 * (DuckDB's aggregate, the shards' partial states merged in arrival order). Every other number, every text
 * and every key (in order) is compared exactly.
 */
const FLOAT_MEAN_FIELDS = new Set(['reward', 'baselineReward', 'adjustedReward']);
const FLOAT_MEAN_PARENTS = /\.(cells|points)\[\d+\]$/;
export const MEAN_TOLERANCE = 1e-12;

/** Asserts that ClickHouse's answer `actual` is DuckDB's `expected`, as stated above; `path` names the place. */
export function sameAnswer(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const i = path.lastIndexOf('.');
    const key = path.slice(i + 1);
    if (
      FLOAT_MEAN_FIELDS.has(key) &&
      FLOAT_MEAN_PARENTS.test(path.slice(0, i)) &&
      !Object.is(actual, expected)
    ) {
      const scale = Math.max(1, Math.abs(expected));
      assert.ok(Math.abs(actual - expected) <= MEAN_TOLERANCE * scale, `${path}: ${actual} vs ${expected}`);
      return;
    }
    assert.ok(Object.is(actual, expected), `${path}: ${actual} (ClickHouse) vs ${expected} (DuckDB)`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal((actual as unknown[]).length, expected.length, `${path}: length`);
    for (const [i, e] of expected.entries()) sameAnswer((actual as unknown[])[i], e, `${path}[${i}]`);
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: not an object`);
    // the same keys in the same order: the JSON answers are the same text
    assert.deepEqual(Object.keys(actual as object), Object.keys(expected), `${path}: keys`);
    for (const k of Object.keys(expected)) {
      sameAnswer(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
    }
    return;
  }
  assert.deepEqual(actual, expected, path);
}
