import type { FileFormat } from '../detect-format.ts';

/** Importers: other trainers' logs mapped onto record format v1 (docs/importers.md). */
export const IMPORTER_NAMES = [
  'trl',
  'verl',
  'openrlhf',
  'inspect',
  'wandb',
  'generic',
  'step-metrics',
] as const;
export type ImporterName = (typeof IMPORTER_NAMES)[number];

/** What `--format` accepts: a canonical record-format file format, or an importer. */
export type IngestFormat = FileFormat | ImporterName;
export const INGEST_FORMATS: readonly IngestFormat[] = ['jsonl', 'csv', 'parquet', ...IMPORTER_NAMES];

/** What to do when a run's step counter goes down (a restarted or resumed run in one log). */
export const ON_RESTART = ['split', 'continue', 'error'] as const;
export type OnRestart = (typeof ON_RESTART)[number];

/** The importer options of `rlaudit ingest` (`--format`, `--map`, `--reward`, `--on-restart`). */
export interface ImportOptions {
  readonly format?: IngestFormat;
  /** The `--map` specification, e.g. `session=global_step,output=completion`. */
  readonly map?: string;
  /** The reward component to use as `baseline_reward`. */
  readonly reward?: string;
  readonly onRestart?: OnRestart;
}

export function isCanonicalFormat(f: IngestFormat | undefined): f is FileFormat {
  return f === 'jsonl' || f === 'csv' || f === 'parquet';
}
