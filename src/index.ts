/**
 * rlaudit's public library API. Everything importable from 'rlaudit' is listed here explicitly.
 *
 * @example
 * import { DuckDbStore, ingestFiles } from 'rlaudit';
 * const store = await DuckDbStore.open('.rlaudit/rlaudit.duckdb');
 * const summary = await ingestFiles(store, ['run.jsonl']);
 */

// The analyses (one registry), the audit and its report: what `rlaudit analyze`, `audit` and `check` run.
export {
  type AnalysisDefinition,
  type AnyAnalysis,
  defineAnalysis,
  type ResultOf,
} from './analyses/analysis.ts';
export { ANALYSES, ANALYSIS_NAMES, type AnalysisName } from './analyses/registry.ts';
export { chooseWindows, type WindowChoice, type WindowRequest } from './analyses/shared/window-rule.ts';
export { AnalysisResults } from './audit/analysis-results.ts';
export { CHECK_RULES, type CheckOutcome, checkReport } from './audit/check.ts';
export type { AuditReport } from './audit/report-model.ts';
export { type AuditOptions, type AuditOutcome, runAudit } from './audit/run-audit.ts';
export { loadTemplate } from './audit/template.ts';
export { type WatchOptions, type WatchSummary, watchRun } from './audit/watch/watch-run.ts';
export {
  adjustedRewardFor,
  type CalibrationEvent,
  type CalibrationInput,
  type CalibrationStep,
  Calibrator,
  type CalibratorState,
  calibrateAll,
  type Protocol,
  parseProtocol,
  type RecurrenceRule,
  type ScheduledAdjustment,
  wild7Protocol,
} from './calibration/index.ts';
export { type Alert, AlertSchema, alertsLogPath } from './model/alerts.ts';
export { ConfigError, InputError, QueryError } from './model/errors.ts';
export type { ChartData, Finding } from './model/findings.ts';
export {
  type AnnotationRecord,
  AnnotationSchema,
  CLASSIFICATIONS,
  type EventRecord,
  EventSchema,
  type EventTarget,
  type NestedAnnotation,
  NestedAnnotationSchema,
  RECORD_TYPES,
  type RecordType,
  type RunRecord,
  RunSchema,
  type SessionRecord,
  SessionSchema,
  type TrainingRecord,
} from './model/schema.ts';
export { stableStringify } from './model/stable-stringify.ts';
export { type RowProblem, type RowResult, validateRow } from './model/validate.ts';
export type { WindowSpec } from './model/windows.ts';
export { type RenderedReport, renderReportCharts } from './report/render-charts.ts';
export { writeReport } from './report/write-report.ts';
export { type DetectedFile, detectFormat, type FileFormat } from './sources/detect-format.ts';
export {
  type CcfPoint,
  type ChangePointOptions,
  type ChangePointResult,
  type Coefficient,
  type Corpus,
  ccf,
  ccfBestLag,
  changePoints,
  compressionRatio,
  type DifferenceInterval,
  type DistinctNOptions,
  defaultNeweyWestLag,
  distinctN,
  EAD_DEFAULT_VOCAB_SIZE,
  type EadOptions,
  ead,
  eadMean,
  erf,
  erfc,
  type Interval,
  mulberry32,
  newcombeInterval,
  ngramDiversityScore,
  normalCdf,
  normalQuantile,
  type SegmentedRegressionResult,
  type SelfBleuOptions,
  type SelfBleuResult,
  seededSampleIndices,
  segmentedRegression,
  selfBleu,
  type Tokenizer,
  type TwoProportionTest,
  tokenize,
  twoProportionZ,
  whitespaceTokenize,
  wilsonInterval,
} from './stats/index.ts';
export { DuckDbStore } from './store/duckdb/duckdb-store.ts';
export { SCHEMA_VERSION } from './store/duckdb/migrations.ts';
export { duckdbTokensSql } from './store/duckdb/tokens-sql.ts';
export {
  type FileIngestSummary,
  type IngestOptions,
  type IngestSummary,
  ingestFiles,
  runIdFromFile,
} from './store/ingest.ts';
export { ingestDirectory } from './store/ingest-directory.ts';
export type { Query } from './store/query.ts';
export type { ResultCache } from './store/result-cache.ts';
export type {
  IngestCounts,
  RejectRow,
  RunSummary,
  SessionBounds,
  SessionDetail,
  SessionQuery,
  SessionRow,
  SessionSort,
  Store,
} from './store/store.ts';
