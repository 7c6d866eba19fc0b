import { resolve } from 'node:path';
import { InputError } from '../model/errors.ts';
import type { ImportPlan } from '../sources/importers/import-plan.ts';
import { baseRunsOf, importedSha256, rawItems } from '../sources/importers/import-reader.ts';
import { mapRollout } from '../sources/importers/rollout-mapper.ts';
import { numberOf } from '../sources/importers/row-values.ts';
import type { RunCursors } from '../sources/importers/run-cursors.ts';
import { type MergeInput, mergeByStep } from '../sources/importers/step-merge.ts';
import { rankOf } from '../sources/importers/trainer-dir.ts';
import type { ReadOptions, SourceItem } from '../sources/source-item.ts';
import { stageItems } from '../sources/validated-batches.ts';
import type { FileIngestSummary, IngestOptions } from './ingest.ts';
import { addCounts, emptyCounts, type IngestCounts, type Store } from './store.ts';

interface Source {
  readonly plan: ImportPlan;
  readonly loadId: number;
  readonly detected: string;
  readonly counts: IngestCounts;
  readonly runs: Set<string>;
  pending: SourceItem[];
}

/**
 * Reads rollout files merged by step (a trainer directory's, or rank files named in one command), maps each row in merged order (so the session identity sees the
 * directory's order), and writes each file's rows to the file's own load, a batch per file when a chunk of
 * the merged stream is complete.
 */
export async function loadMerged(
  store: Store,
  ingestId: number,
  plans: readonly ImportPlan[],
  run: string,
  cursors: RunCursors,
  o: IngestOptions & {
    readonly batchRows: number;
    readonly maxLineBytes: number;
    readonly total: number;
    readonly loads: number[];
  },
): Promise<{ files: FileIngestSummary[]; runs: Set<string>; error: string | null }> {
  const sources: Source[] = [];
  for (const plan of plans) {
    const rank = rankOf(plan.path);
    const others = plans.length - 1;
    const merged =
      others === 0
        ? plan.message
        : `${plan.message}; merged by step with ${others} other rollout file${others === 1 ? '' : 's'} of run ${run} ` +
          `(${rank === null ? 'rank 0: none in the name' : `rank ${rank}`}, then line)`;
    o.onDetect?.(plan.path, plan.format, merged);
    const loadId = await store.beginLoad({
      ingestId,
      path: plan.path,
      absPath: resolve(plan.path),
      format: plan.format,
      bytes: plan.bytes,
    });
    o.loads.push(loadId);
    sources.push({ plan, loadId, detected: merged, counts: emptyCounts(), runs: new Set(), pending: [] });
  }
  const done = new Map<number, number>();
  const inputs: MergeInput[] = sources.map((s, i) => {
    const m = rolloutOf(s.plan);
    const stepColumn = m.fields.step;
    const readOptions: ReadOptions = {
      maxLineBytes: o.maxLineBytes,
      batchRows: Math.min(o.batchRows, 10_000),
      onProgress: (n: number) => {
        done.set(i, n);
        o.onProgress?.(
          [...done.values()].reduce((a, b) => a + b, 0),
          o.total,
        );
      },
    };
    return {
      batches: rawItems(s.plan, readOptions, cursors.warn),
      stepOf: (row) => {
        if (stepColumn === undefined || row === null || typeof row !== 'object') return null;
        const v = numberOf((row as Record<string, unknown>)[stepColumn], m.textual);
        return typeof v === 'number' && Number.isFinite(v) ? v : null;
      },
    };
  });
  const assignment = { forcedRun: undefined, fileRun: run, phase: o.phase };
  const flush = async (s: Source) => {
    if (s.pending.length === 0) return;
    const staged = stageItems(s.pending, assignment);
    s.pending = [];
    for (const r of staged.runIds) s.runs.add(r);
    if (o.strict && staged.rejects.length > 0) {
      const r = staged.rejects[0]!;
      throw new InputError(`expected ${r.expected}, got ${r.got} (--strict: nothing was ingested)`, {
        file: s.plan.path,
        line: r.line,
        field: r.field,
      });
    }
    const k = await store.writeBatch({ loadId: s.loadId, sourceFile: resolve(s.plan.path), ...staged });
    if (o.strict && k.conflicts > 0) {
      throw new InputError(
        'a row conflicts with a stored row of the same id (--strict: nothing was ingested); see `rlaudit rejects`',
        { file: s.plan.path },
      );
    }
    addCounts(s.counts, k);
    o.onBatch?.(s.plan.path, k);
  };

  let error: string | null = null;
  try {
    for await (const chunk of mergeByStep(inputs, o.batchRows)) {
      const byRun = new Set<string>();
      for (const { input, item } of chunk) {
        if (item.kind === 'row')
          for (const r of baseRunsOf(rolloutOf(sources[input]!.plan), [item], run)) byRun.add(r);
      }
      await cursors.prepare(byRun);
      for (const { input, item } of chunk) {
        const s = sources[input]!;
        if (
          item.kind !== 'row' ||
          item.value === null ||
          typeof item.value !== 'object' ||
          Array.isArray(item.value)
        ) {
          s.pending.push(item);
          continue;
        }
        const where = { baseRun: run, file: s.plan.path, line: item.line };
        const value = mapRollout(rolloutOf(s.plan), item.value as Record<string, unknown>, where, cursors);
        s.pending.push({ kind: 'row', line: item.line, value });
      }
      for (const s of sources) await flush(s);
    }
  } catch (err) {
    if (o.strict || !(err instanceof InputError)) throw err;
    error = `${err.message} (rollout files merged by step are numbered together: nothing of them was kept)`;
    for (const s of sources) {
      await store.discardLoad(s.loadId);
      Object.assign(s.counts, emptyCounts());
      s.runs.clear();
    }
  }
  const files: FileIngestSummary[] = [];
  const runs = new Set<string>();
  for (const s of sources) {
    const sha = error === null ? await importedSha256(s.plan) : null;
    const onlyRun = s.runs.size === 1 ? [...s.runs][0]! : null;
    await store.finishLoad(s.loadId, s.counts, sha, error ? 'failed' : 'complete', onlyRun);
    for (const r of s.runs) runs.add(r);
    files.push({
      file: s.plan.path,
      format: s.plan.format,
      detected: s.detected,
      warnings: [],
      sha256: sha,
      error: error === null ? null : 'not kept: a rollout file merged with it failed',
      ...s.counts,
    });
  }
  return { files, runs, error };
}

function rolloutOf(plan: ImportPlan) {
  if (plan.mapping?.kind !== 'rollouts') throw new Error('ingestDirectory: not a rollout plan');
  return plan.mapping.rollout;
}
