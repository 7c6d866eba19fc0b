import { describeValue } from '../../model/validate.ts';
import type { SourceItem } from '../source-item.ts';
import type { StagedReject } from '../staged.ts';
import { numberOf } from './row-values.ts';
import type { RunCursors } from './run-cursors.ts';

/** One named value a trainer logged at one optimisation step (train_reward, kl, grad_norm, …). */
export interface StepMetric {
  readonly name: string;
  readonly value: number;
}

/** One validated line of a per-step metrics file: its step and every numeric metric on it. */
export interface StagedStepMetrics {
  readonly run: string;
  readonly line: number;
  readonly step: number;
  readonly metrics: readonly StepMetric[];
}

/** One batch of a metrics file, validated. */
export interface StepMetricsItems {
  readonly rows: StagedStepMetrics[];
  readonly rejects: StagedReject[];
  readonly runIds: string[];
}

export interface StepMetricsMapping {
  readonly stepColumn: string;
  readonly textual: boolean;
}

function flatten(prefix: string, value: unknown, out: [string, unknown][]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else out.push([prefix, value]);
}

/**
 * Validates the lines of a per-step metrics file, once: the step must be a non-negative integer and every
 * other value a finite number (nested objects become dotted names; null values are skipped, as trainers
 * log null for "not measured at this step"). A line that breaks this is rejected whole, naming the field.
 */
export function stageStepMetrics(
  items: readonly SourceItem[],
  m: StepMetricsMapping,
  where: { readonly baseRun: string; readonly file: string },
  cursors: RunCursors,
): StepMetricsItems {
  const out: StepMetricsItems = { rows: [], rejects: [], runIds: [] };
  const runIds = new Set<string>();
  for (const item of items) {
    if (item.kind === 'unreadable') {
      out.rejects.push({ run: null, recordType: null, ...item });
      continue;
    }
    const reject = (field: string, expected: string, value: unknown) =>
      out.rejects.push({
        run: where.baseRun,
        line: item.line,
        recordType: 'step_metrics',
        field,
        expected,
        got: describeValue(value),
      });
    const row = item.value;
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      reject('(row)', 'a JSON object', row);
      continue;
    }
    const step = numberOf((row as Record<string, unknown>)[m.stepColumn], m.textual);
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
      reject(m.stepColumn, 'a non-negative integer step', step);
      continue;
    }
    const pairs: [string, unknown][] = [];
    for (const [k, v] of Object.entries(row)) if (k !== m.stepColumn) flatten(k, v, pairs);
    const metrics: StepMetric[] = [];
    let bad: [string, unknown] | null = null;
    for (const [name, raw] of pairs) {
      if (raw === null || raw === undefined || raw === '') continue;
      const v = numberOf(raw, m.textual);
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        bad = [name, raw];
        break;
      }
      metrics.push({ name, value: v });
    }
    if (bad !== null) {
      reject(bad[0], 'a finite number (a per-step metric)', bad[1]);
      continue;
    }
    if (metrics.length === 0) {
      reject('(row)', 'at least one numeric metric beside the step', row);
      continue;
    }
    const run = cursors.observe(where.baseRun, step, where.file, item.line);
    runIds.add(run);
    out.rows.push({ run, line: item.line, step, metrics });
  }
  out.runIds.push(...runIds);
  return out;
}

/**
 * The detection rule of per-step metrics: every sampled row has a `step` and only numbers (or null, or
 * objects of numbers) beside it, at least one of them, and no record field such as `session` or `output`.
 */
export function looksLikeStepMetrics(rows: readonly Record<string, unknown>[], stepColumn = 'step'): boolean {
  if (rows.length === 0) return false;
  let numbers = 0;
  for (const row of rows) {
    if (!(stepColumn in row) || 'session' in row || 'output' in row || 'type' in row) return false;
    const pairs: [string, unknown][] = [];
    for (const [k, v] of Object.entries(row)) if (k !== stepColumn) flatten(k, v, pairs);
    for (const [, v] of pairs) {
      if (typeof v === 'number') numbers++;
      else if (v !== null) return false;
    }
  }
  return numbers > 0;
}
