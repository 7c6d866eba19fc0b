import type { DetectedFile } from '../detect-format.ts';
import type { DocumentShape } from './json-document.ts';
import type { RolloutMapping } from './rollout-mapper.ts';
import type { StepMetricsMapping } from './step-metrics.ts';

/** Where an importer's raw rows come from. */
export type ImportContainer =
  /** a JSONL, CSV or Parquet file, streamed by the canonical readers */
  | { readonly kind: 'file'; readonly file: DetectedFile }
  /**
   * a whole JSON document (records, columns or a W&B table), parsed once at detection;
   * `nonFiniteWarning`: its bare NaN/Infinity read as null, warned about when it is read
   */
  | {
      readonly kind: 'document';
      readonly shape: DocumentShape;
      readonly rows: readonly unknown[];
      readonly nonFiniteWarning: string | null;
    }
  /** an Inspect log (`.json` document or `.eval` zip archive); `model` is its `eval.model` */
  | { readonly kind: 'inspect-json'; readonly model: string | null }
  | { readonly kind: 'inspect-eval'; readonly model: string | null };

/** How one input file will be read: decided before anything is written, and reported to the user. */
export interface ImportPlan {
  readonly path: string;
  readonly bytes: number;
  /** `jsonl`, `csv`, `parquet` (record format v1) or an importer name (`trl`, `verl`, …). */
  readonly format: string;
  /** One line saying what was detected and how it maps, e.g. "detected TRL GRPO completions (columns …)". */
  readonly message: string;
  readonly container: ImportContainer;
  /** null: the file is record format v1, read as it is. */
  readonly mapping:
    | { readonly kind: 'rollouts'; readonly rollout: RolloutMapping }
    | { readonly kind: 'step-metrics'; readonly metrics: StepMetricsMapping }
    | null;
}

/** A file of a trainer directory that is not read, and why (`rlaudit ingest DIR`). */
export interface SkippedFile {
  readonly file: string;
  readonly why: string;
}
