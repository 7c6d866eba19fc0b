/**
 * The run's own per-step metrics (the `step_metrics` table, `--format step-metrics`) as tables and as
 * series at an analysis's step windows, so that a trainer's metric can be set beside rlaudit's measure.
 */

/** One stored metric value (as `store.listStepMetrics` returns it). */
export interface StepMetricValue {
  readonly step: number;
  readonly name: string;
  readonly value: number;
}

/** A wide table: one row per step, one column per metric name (null where the step did not log it). */
export interface StepMetricTable {
  readonly names: readonly string[];
  readonly rows: readonly { readonly step: number; readonly values: readonly (number | null)[] }[];
}

/** One of the run's own metrics at given steps, with its first and last value there. */
export interface RunMetricSeries {
  readonly name: string;
  readonly values: readonly { readonly step: number; readonly value: number | null }[];
  /** First and last non-null value over the steps, and their steps (null when none). */
  readonly first: { readonly step: number; readonly value: number } | null;
  readonly last: { readonly step: number; readonly value: number } | null;
}

/** Names of trainer metrics that measure output diversity (set beside rlaudit's cross-output measure). */
export const DIVERSITY_METRIC_PATTERN = /distinct|diversity|self[_-]?bleu|entropy/i;

/**
 * Pivots stored metric values into one row per step; `steps` keeps only those steps (in that order),
 * `names` only those metrics (in that order; otherwise sorted by name).
 *
 * @example
 * pivotStepMetrics([{ step: 1, name: 'kl', value: 0 }, { step: 1, name: 'reward', value: 0.7 }])
 * // { names: ['kl', 'reward'], rows: [{ step: 1, values: [0, 0.7] }] }
 */
export function pivotStepMetrics(
  values: readonly StepMetricValue[],
  options: { readonly steps?: readonly number[]; readonly names?: readonly string[] } = {},
): StepMetricTable {
  const names = options.names ?? [...new Set(values.map((v) => v.name))].sort();
  const byStep = new Map<number, Map<string, number>>();
  for (const v of values) {
    const m = byStep.get(v.step) ?? new Map<string, number>();
    m.set(v.name, v.value);
    byStep.set(v.step, m);
  }
  const steps = options.steps ?? [...byStep.keys()].sort((a, b) => a - b);
  return {
    names,
    rows: steps.map((step) => ({ step, values: names.map((n) => byStep.get(step)?.get(n) ?? null) })),
  };
}

/**
 * The run's metrics whose name matches `pattern` at the given steps (e.g. the steps of `--by step`
 * windows); metrics without a value at any of those steps are left out.
 *
 * @example
 * runMetricSeries(values, [0, 10, 100])[0] // { name: 'eval_distinct_2', first: { step: 0, value: 0.997 }, … }
 */
export function runMetricSeries(
  values: readonly StepMetricValue[],
  steps: readonly number[],
  pattern: RegExp = DIVERSITY_METRIC_PATTERN,
): RunMetricSeries[] {
  const names = [...new Set(values.map((v) => v.name))].filter((n) => pattern.test(n)).sort();
  const table = pivotStepMetrics(values, { steps, names });
  return names
    .map((name, j) => {
      const series = table.rows.map((r) => ({ step: r.step, value: r.values[j] ?? null }));
      const present = series.filter((s): s is { step: number; value: number } => s.value !== null);
      return { name, values: series, first: present[0] ?? null, last: present.at(-1) ?? null };
    })
    .filter((s) => s.first !== null);
}
