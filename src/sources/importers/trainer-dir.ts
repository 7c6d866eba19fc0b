import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../../model/errors.ts';
import { defaultDirectoryRun } from './default-run.ts';
import { planImport } from './detect-importer.ts';
import type { ImportOptions } from './formats.ts';
import type { ImportPlan, SkippedFile } from './import-plan.ts';

/** How `rlaudit ingest DIR` reads a trainer's directory: decided before anything is written. */
export interface DirectoryPlan {
  readonly dir: string;
  /** `--run`, else the directory's name (its parent's when it is named like `completions`). */
  readonly run: string;
  /** Rollout files, in rank order (the number after `rank` in the name, else 0), then natural name order. */
  readonly rollouts: readonly ImportPlan[];
  /** Per-step metrics files, in natural name order. */
  readonly metrics: readonly ImportPlan[];
  readonly skipped: readonly SkippedFile[];
}

/** The subdirectory a trainer writes its rollouts into, read with the directory (TRL: `completions/`). */
const READ_SUBDIRS = new Set(['completions']);

/** A rank file's rank: `rollout_data_rank3.jsonl` → 3, `samples_rank-0.jsonl` → 0; null when none. */
export function rankOf(path: string): number | null {
  const m = /rank[_-]?(\d+)/i.exec(basename(path));
  return m ? Number(m[1]) : null;
}

const natural = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/**
 * Plans a trainer directory: its files (and those of a `completions/` subdirectory, where TRL writes
 * `completions_<step>.parquet`) are detected one by one like `rlaudit ingest FILE`; rollout logs of a
 * trainer (verl step files, RLLoggingBoard / OpenRLHF rank files, TRL completions) and per-step metrics are
 * read, everything else is listed as skipped with the reason. An error when nothing can be read.
 */
export async function planDirectory(
  dir: string,
  options: ImportOptions & { readonly maxLineBytes: number; readonly run?: string },
): Promise<DirectoryPlan> {
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  const list = async (d: string, top: boolean) => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      throw new InputError(`cannot read directory (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
        file: d,
      });
    }
    for (const e of entries.sort((a, b) => natural(a.name, b.name))) {
      const path = join(d, e.name);
      if (e.name.startsWith('.')) skipped.push({ file: path, why: 'a hidden file' });
      else if (e.isDirectory()) {
        if (top && READ_SUBDIRS.has(e.name)) await list(path, false);
        else
          skipped.push({
            file: path,
            why: 'a directory (ingest DIR reads the files of DIR and of its completions/)',
          });
      } else if (e.isFile()) files.push(path);
      else skipped.push({ file: path, why: 'not a regular file' });
    }
  };
  await list(dir, true);

  const rollouts: ImportPlan[] = [];
  const metrics: ImportPlan[] = [];
  for (const file of files) {
    let plan: ImportPlan;
    try {
      plan = await planImport(file, options);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      skipped.push({ file, why: err.message.replace(`${file}: `, '') });
      continue;
    }
    if (plan.mapping === null) {
      skipped.push({ file, why: `${plan.message}, not a trainer's log (ingest it by name)` });
    } else if (plan.container.kind === 'inspect-eval' || plan.container.kind === 'inspect-json') {
      skipped.push({
        file,
        why: 'an Inspect eval log, not a training step or rank file (ingest it by name)',
      });
    } else if (plan.mapping.kind === 'step-metrics') metrics.push(plan);
    else rollouts.push(plan);
  }
  rollouts.sort((a, b) => (rankOf(a.path) ?? 0) - (rankOf(b.path) ?? 0) || natural(a.path, b.path));
  if (rollouts.length === 0 && metrics.length === 0) {
    const why = skipped.map((s) => `${basename(s.file)} (${s.why})`).join('; ');
    const subdir = (await Promise.all(skipped.map((s) => isDirectory(s.file)))).findIndex(Boolean);
    const hint =
      subdir >= 0
        ? `; a directory of runs? ingest each run's directory: rlaudit ingest ${skipped[subdir]!.file}`
        : '';
    throw new InputError(
      `no trainer log found in the directory (verl <step>.jsonl, RLLoggingBoard rollout_data_rank<N>.jsonl, ` +
        `TRL completions/completions_<step>.parquet, per-step metrics)${why ? `: skipped ${why}` : ''}${hint}`,
      { file: dir },
    );
  }
  return { dir, run: options.run ?? defaultDirectoryRun(dir), rollouts, metrics, skipped };
}

/** Whether a path names a directory (a missing path is not one: the file checks report it). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(resolve(path))).isDirectory();
  } catch {
    return false;
  }
}
