import { type ConformRules, conform } from './conform.ts';

/**
 * Where a dashboard answer's number may differ in its last bits between the engines, and why: the mean of a
 * session-index cell's or a series point's rewards is a sum of doubles whose order the engines choose
 * (DuckDB's aggregate, the shards' partial states merged in arrival order). Every other number, every text
 * and every key (in order) is compared exactly.
 */
const FLOAT_MEAN_FIELDS = new Set(['reward', 'baselineReward', 'adjustedReward']);
const FLOAT_MEAN_PARENTS = /\.(cells|points)\[\d+\]$/;
export const MEAN_TOLERANCE = 1e-12;

const RULES: ConformRules = {
  tolerant: (path) => {
    const i = path.lastIndexOf('.');
    return FLOAT_MEAN_FIELDS.has(path.slice(i + 1)) && FLOAT_MEAN_PARENTS.test(path.slice(0, i));
  },
  tolerance: MEAN_TOLERANCE,
  keyOrder: true,
};

/** Asserts that ClickHouse's answer `actual` is DuckDB's `expected`, as stated above; `path` names the place. */
export function sameAnswer(actual: unknown, expected: unknown, path: string): void {
  conform(actual, expected, path, RULES);
}
