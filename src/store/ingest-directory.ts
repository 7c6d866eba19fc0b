import { resolve } from 'node:path';
import { RunCursors } from '../sources/importers/run-cursors.ts';
import { planDirectory } from '../sources/importers/trainer-dir.ts';
import type { ReadOptions } from '../sources/source-item.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../sources/source-item.ts';
import { type FileIngestSummary, type IngestOptions, type IngestSummary, loadPlan } from './ingest.ts';
import { loadMerged } from './merged-load.ts';
import { addCounts, emptyCounts, type Store } from './store.ts';

/**
 * Ingests a trainer's directory as one run (`rlaudit ingest DIR`): verl step files `<step>.jsonl`,
 * RLLoggingBoard / OpenRLHF rank files `rollout_data_rank<N>.jsonl`, TRL `completions/completions_<step>.parquet`,
 * and per-step metrics files. The rollout files are read together, **merged by step**: all rows of the
 * smallest step first — rank 0's rows in file order, then rank 1's, … — then the next step, so sessions
 * are numbered in step order (session identity: docs/importers.md). Files no importer recognises are not
 * read and are listed in `skippedFiles` with the reason. Each file stays one load (provenance, rejects by file
 * and line); since session numbers depend on every rollout file, a rollout file that fails part-way (a
 * truncated .gz, a restart with `--on-restart error`) fails them all: nothing of them is kept.
 *
 * @example
 * const s = await ingestDirectory(store, 'ckpts/ppo-7/rollout_data');
 * // s.run === 'rollout_data' unless options.run; s.skippedFiles lists e.g. README.md
 */
export async function ingestDirectory(
  store: Store,
  dir: string,
  options: IngestOptions & { readonly onSkip?: (file: string, why: string) => void } = {},
): Promise<IngestSummary> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const plan = await planDirectory(dir, { ...options, maxLineBytes });
  for (const s of plan.skipped) options.onSkip?.(s.file, s.why);
  const run = plan.run;
  const batchRows = options.batchRows ?? 50_000;
  const total = [...plan.rollouts, ...plan.metrics].reduce((a, p) => a + p.bytes, 0);

  const warnings = new Map<string, string[]>();
  const warn = (file: string, message: string) => {
    warnings.set(file, [...(warnings.get(file) ?? []), message]);
    options.onWarning?.(file, message);
  };
  const cursors = {
    rollouts: new RunCursors(options.onRestart ?? 'error', warn, (r) => store.storedSessions(r)),
    metrics: new RunCursors(options.onRestart ?? 'error', warn),
  };
  const ingestId = await store.beginIngest(run);
  const loads: number[] = [];
  const all = emptyCounts();
  const files: FileIngestSummary[] = [];
  const errors: string[] = [];
  const runs = new Set<string>();
  try {
    if (plan.rollouts.length > 0) {
      const merged = await loadMerged(store, ingestId, plan.rollouts, run, cursors.rollouts, {
        ...options,
        batchRows,
        maxLineBytes,
        total,
        loads,
      });
      for (const f of merged.files) {
        addCounts(all, f);
        files.push({ ...f, warnings: warnings.get(f.file) ?? [] });
      }
      if (merged.error !== null) errors.push(merged.error);
      for (const r of merged.runs) runs.add(r);
    }
    let doneBefore = plan.rollouts.reduce((a, p) => a + p.bytes, 0);
    for (const p of plan.metrics) {
      options.onDetect?.(p.path, p.format, p.message);
      const source = { path: p.path, absPath: resolve(p.path), format: p.format, bytes: p.bytes };
      const before = doneBefore;
      const readOptions: ReadOptions = {
        maxLineBytes,
        batchRows,
        onProgress: (n: number) => options.onProgress?.(before + n, total),
      };
      const s = await loadPlan(store, ingestId, source, p, readOptions, { ...options, run }, loads, cursors);
      addCounts(all, s);
      if (s.error) errors.push(`${s.error} (nothing of this file was kept)`);
      for (const r of s.runs) runs.add(r);
      files.push({ ...s, warnings: warnings.get(p.path) ?? [] });
      doneBefore += p.bytes;
    }
  } catch (err) {
    for (const id of loads) await store.discardLoad(id).catch(() => undefined);
    await store.finishIngest(ingestId, emptyCounts(), 'failed').catch(() => undefined);
    throw err;
  }
  await store.finishIngest(ingestId, all, errors.length > 0 ? 'failed' : 'complete');
  const runList = [...runs].sort();
  return {
    run: runList.length === 1 ? runList[0]! : null,
    runs: runList,
    files,
    errors,
    skippedFiles: plan.skipped,
    ...all,
  };
}
