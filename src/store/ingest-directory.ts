import { planDirectory } from '../sources/importers/trainer-dir.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../sources/source-item.ts';
import { type IngestOptions, type IngestSummary, type IngestUnit, ingestUnits } from './ingest.ts';
import type { Store } from './store.ts';

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
  const units: IngestUnit[] = [
    ...(plan.rollouts.length > 0 ? [{ kind: 'merged' as const, plans: plan.rollouts, run: plan.run }] : []),
    ...plan.metrics.map((p) => ({ kind: 'file' as const, plan: p })),
  ];
  return ingestUnits(store, units, { ...options, run: plan.run, maxLineBytes }, plan.skipped);
}
