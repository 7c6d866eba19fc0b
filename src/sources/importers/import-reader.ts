import { sha256File } from '../parquet-reader.ts';
import { openRecords } from '../read-records.ts';
import type { ReadOptions, SourceItem } from '../source-item.ts';
import type { ImportPlan } from './import-plan.ts';
import { readInspectEval, readInspectJson, type WarnFn } from './inspect-log.ts';
import { mapRolloutItems, type RolloutMapping } from './rollout-mapper.ts';
import { idText } from './row-values.ts';
import type { RunCursors } from './run-cursors.ts';
import { type StepMetricsItems, stageStepMetrics } from './step-metrics.ts';

/** Where an imported file's rows go: the run they default to (`--run`, else `defaultImportRun`). */
export interface ImportTarget {
  readonly baseRun: string;
  readonly cursors: RunCursors;
}

/**
 * The raw rows of a planned file, in file order (Inspect logs: sample order), with their line (or row, or
 * sample) numbers. `warn` hears about values read leniently (bare NaN/Infinity read as null).
 */
export async function* rawItems(
  plan: ImportPlan,
  options: ReadOptions,
  warn: WarnFn = () => undefined,
): AsyncGenerator<SourceItem[]> {
  const c = plan.container;
  if (c.kind === 'file') {
    yield* openRecords(c.file, options).batches;
  } else if (c.kind === 'inspect-eval') {
    yield* readInspectEval(plan.path, options.batchRows, warn);
  } else if (c.kind === 'inspect-json') {
    yield* readInspectJson(plan.path, plan.bytes, options.batchRows, warn);
  } else {
    for (let i = 0; i < c.rows.length; i += options.batchRows) {
      yield c.rows
        .slice(i, i + options.batchRows)
        .map((value, j) => ({ kind: 'row', line: i + j + 1, value }));
    }
    if (c.nonFiniteWarning !== null) warn(plan.path, c.nonFiniteWarning);
  }
  options.onProgress?.(plan.bytes);
}

/** The rows of an importer's file mapped onto record format v1 (not validated: `stageItems` does that). */
export async function* importedRecordItems(
  plan: ImportPlan,
  options: ReadOptions,
  target: ImportTarget,
): AsyncGenerator<SourceItem[]> {
  if (plan.mapping?.kind !== 'rollouts') throw new Error('importedRecordItems: not a rollout plan');
  const m = plan.mapping.rollout;
  const where = { baseRun: target.baseRun, file: plan.path };
  const c = plan.container;
  if ((c.kind === 'inspect-eval' || c.kind === 'inspect-json') && c.model !== null) {
    // the log's header names the model: a run record, line 0 (no sample line is 0)
    yield [{ kind: 'row', line: 0, value: { type: 'run', run: target.baseRun, model: c.model } }];
  }
  for await (const items of rawItems(plan, options, target.cursors.warn)) {
    await target.cursors.prepare(baseRunsOf(m, items, target.baseRun));
    yield mapRolloutItems(m, items, where, target.cursors);
  }
}

/** The runs a batch's rows go to before any split: the file's run, and the values of a mapped run column. */
export function baseRunsOf(m: RolloutMapping, items: readonly SourceItem[], fileRun: string): Set<string> {
  const runs = new Set([fileRun]);
  const column = m.fields.run;
  if (column === undefined) return runs;
  for (const item of items) {
    if (item.kind !== 'row' || item.value === null || typeof item.value !== 'object') continue;
    const v = idText((item.value as Record<string, unknown>)[column]);
    if (typeof v === 'string' && v.length > 0) runs.add(v);
  }
  return runs;
}

/** The validated lines of a per-step metrics file. */
export async function* importedStepMetrics(
  plan: ImportPlan,
  options: ReadOptions,
  target: ImportTarget,
): AsyncGenerator<StepMetricsItems> {
  if (plan.mapping?.kind !== 'step-metrics') throw new Error('importedStepMetrics: not a metrics plan');
  const m = plan.mapping.metrics;
  const where = { baseRun: target.baseRun, file: plan.path };
  for await (const items of rawItems(plan, options, target.cursors.warn)) {
    yield stageStepMetrics(items, m, where, target.cursors);
  }
}

/** SHA-256 of the file as stored, for the load's provenance. */
export function importedSha256(plan: ImportPlan): Promise<string> {
  return sha256File(plan.path);
}
