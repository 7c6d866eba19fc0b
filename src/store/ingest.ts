import { basename, resolve } from 'node:path';
import { formatLocated, InputError } from '../model/errors.ts';
import { runIdProblem, SessionSchema } from '../model/schema.ts';
import type { DetectedFile } from '../sources/detect-format.ts';
import { defaultImportRun } from '../sources/importers/default-run.ts';
import { planImport } from '../sources/importers/detect-importer.ts';
import type { ImportOptions } from '../sources/importers/formats.ts';
import type { ImportPlan, SkippedFile } from '../sources/importers/import-plan.ts';
import {
  type ImportTarget,
  importedRecordItems,
  importedSha256,
  importedStepMetrics,
} from '../sources/importers/import-reader.ts';
import { RunCursors } from '../sources/importers/run-cursors.ts';
import type { StepMetric, StepMetricsItems } from '../sources/importers/step-metrics.ts';
import { isDirectory, rankOf } from '../sources/importers/trainer-dir.ts';
import { type JsonlPrescan, looksMinified, prescanJsonl } from '../sources/jsonl-prescan.ts';
import type { ReadOptions, SourceItem } from '../sources/source-item.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../sources/source-item.ts';
import type { StagedItems, StagedReject } from '../sources/staged.ts';
import { readValidatedBatches, stageItems } from '../sources/validated-batches.ts';
import { loadMerged } from './merged-load.ts';
import {
  addCounts,
  type EngineStagedBatch,
  emptyCounts,
  type IngestCounts,
  type StepMetricRow,
  type Store,
} from './store.ts';

export interface IngestOptions extends ImportOptions {
  /** Put every row in this run (overrides the rows' own `run`). */
  readonly run?: string;
  /**
   * Put every session in this phase (overrides the sessions' own `phase`): `training`, `evaluation`,
   * `deployment` or a user-defined name (docs/record-format.md).
   */
  readonly phase?: string;
  /** Stop at the first bad row, write nothing, throw an `InputError`. */
  readonly strict?: boolean;
  readonly maxLineBytes?: number;
  readonly batchRows?: number;
  /**
   * `engine` (the default) reads a plain record-format JSONL file with the engine path (docs/ingest.md, "The
   * engine path"), tested to store exactly what the TypeScript reader stores; `typescript` reads every file with
   * the TypeScript reader, the reader of every file the engine path does not cover.
   */
  readonly reader?: 'typescript' | 'engine';
  /** Called once per record-format JSONL file with the reader that read it, and why not the engine. */
  readonly onReader?: (file: string, reader: 'engine' | 'typescript', why: string | null) => void;
  /** Called with (bytes read of all files, total bytes of all files). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called with what the engine path is doing (`fast scan written`: all rows written, not yet committed). */
  readonly onTrace?: (file: string, message: string) => void;
  /** Called after each batch is committed, with the file and the batch's counts. */
  readonly onBatch?: (file: string, counts: IngestCounts) => void;
  /** Called once per file, before it is read, with what was detected (see `ImportPlan.message`). */
  readonly onDetect?: (file: string, format: string, message: string) => void;
  /** Called with each warning about a file (e.g. a step counter that restarts). */
  readonly onWarning?: (file: string, message: string) => void;
}

export interface FileIngestSummary extends IngestCounts {
  readonly file: string;
  /**
   * `jsonl`, `csv`, `parquet` (record format v1), an importer (`trl`, `verl`, `step-metrics`, …), or
   * `records` for records produced in memory (`ingestRecords`).
   */
  readonly format: string;
  /** What was detected and how it was mapped (importers), or null. */
  readonly detected: string | null;
  readonly warnings: readonly string[];
  readonly sha256: string | null;
  readonly error: string | null;
}

/** The reconciled result of one ingest: read = accepted + rejected + duplicates, conflicts ⊆ rejected. */
export interface IngestSummary extends IngestCounts {
  /** The run, when all rows went to one run; otherwise null (see `runs`). */
  readonly run: string | null;
  readonly runs: readonly string[];
  readonly files: readonly FileIngestSummary[];
  /** One line per file that could not be read to its end (nothing of that file is kept). */
  readonly errors: readonly string[];
  /** Files of a trainer directory that were not read, and why (`ingestDirectory`); empty otherwise. */
  readonly skippedFiles: readonly SkippedFile[];
}

/** The keys a session row may hold (the record format's fields): `looksMinified`'s guess. */
const SESSION_KEYS: ReadonlySet<string> = new Set(Object.keys(SessionSchema.shape));
/**
 * The session keys the fast scan's typed reader decides in SQL: all but `meta`, which only its map reader writes
 * in canonical form (docs/ingest.md, "The engine path"): a file whose first sessions hold a `meta` is read by the
 * map at once.
 */
const TYPED_SESSION_KEYS: ReadonlySet<string> = new Set([...SESSION_KEYS].filter((k) => k !== 'meta'));

/** The run id a file's rows default to: its name without directories and extensions. */
export function runIdFromFile(path: string): string {
  const name = basename(path)
    .replace(/(\.(jsonl|ndjson|json|csv|tsv|parquet))?(\.gz)?$/i, '')
    .replace(/[\s/\\\u0000-\u001f\u007f]+/g, '-')
    .slice(0, 200);
  return name === '' || runIdProblem(name) !== null ? 'run' : name;
}

/** Refuses a `phase` option that the record format would refuse in a session's `phase`. */
function checkPhaseOption(phase: string | undefined): void {
  if (phase === undefined) return;
  if (phase.length === 0 || phase.length > 100)
    throw new InputError(`expected a phase name of 1–100 characters, got ${JSON.stringify(phase)}`, {
      field: '--phase',
    });
}

/** Refuses a `run` option that breaks the run-id rule (it would name a directory of reports). */
function checkRunOption(run: string | undefined): void {
  if (run === undefined) return;
  const problem = runIdProblem(run);
  if (problem !== null)
    throw new InputError(`expected ${problem}, got ${JSON.stringify(run)}`, { field: '--run' });
}

/**
 * Ingests files into the store, validating each row once. Missing, empty and unrecognised files are refused
 * before anything is written. Each batch is one transaction; a file that fails mid-way (e.g. a truncated
 * .gz) has what it wrote removed. Re-running the same ingest adds nothing: rows come back as duplicates.
 *
 * @example
 * const summary = await ingestFiles(store, ['run.jsonl'], { run: 'wild-7' });
 * // summary.read === summary.accepted + summary.rejected + summary.duplicates
 */
export async function ingestFiles(
  store: Store,
  paths: readonly string[],
  options: IngestOptions = {},
): Promise<IngestSummary> {
  if (paths.length === 0) throw new InputError('no input files given');
  checkRunOption(options.run);
  checkPhaseOption(options.phase);
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const plans: ImportPlan[] = [];
  for (const p of paths) {
    if (await isDirectory(p)) {
      throw new InputError(
        "a directory, not a file: a trainer's directory is read whole by ingestDirectory (rlaudit ingest DIR)",
        { file: p },
      );
    }
    plans.push(await planImport(p, { ...options, maxLineBytes }));
  }
  orderImportedFiles(plans);
  const rankGroups = rankFileGroups(plans, options.run);
  const units: IngestUnit[] = [];
  for (const plan of plans) {
    const group = rankGroups.get(plan);
    // rank files of one run named together: read merged by step, as `ingest DIR` reads them
    if (group === undefined) units.push({ kind: 'file', plan });
    else if (group.plans[0] === plan) units.push({ kind: 'merged', plans: group.plans, run: group.run });
  }
  return ingestUnits(store, units, { ...options, maxLineBytes }, []);
}

/**
 * What one ingest reads, in order: rollout files of one run read together, merged by step (rank files, a
 * trainer directory's step files), or one file on its own.
 */
export type IngestUnit =
  | { readonly kind: 'merged'; readonly plans: readonly ImportPlan[]; readonly run: string }
  | { readonly kind: 'file'; readonly plan: ImportPlan };

/**
 * Reads planned units as one ingest (one `ingests` row; each file one load), shared by `ingestFiles` and
 * `ingestDirectory`: warnings kept per file, one session-identity cursor for the rollouts and one for per-step
 * metrics, progress over all bytes, and on a strict-mode or engine failure every committed batch undone.
 */
export async function ingestUnits(
  store: Store,
  units: readonly IngestUnit[],
  options: IngestOptions & { readonly maxLineBytes: number },
  skippedFiles: readonly SkippedFile[],
): Promise<IngestSummary> {
  const { maxLineBytes } = options;
  const batchRows = options.batchRows ?? 50_000;
  const bytesOf = (u: IngestUnit) =>
    u.kind === 'file' ? u.plan.bytes : u.plans.reduce((a, p) => a + p.bytes, 0);
  const total = units.reduce((a, u) => a + bytesOf(u), 0);
  let doneBefore = 0;

  const warnings = new Map<string, string[]>();
  const warn = (file: string, message: string) => {
    warnings.set(file, [...(warnings.get(file) ?? []), message]);
    options.onWarning?.(file, message);
  };
  // rollouts and per-step metrics are separate step sequences: each has its own restart detection
  const cursors = {
    rollouts: new RunCursors(options.onRestart ?? 'error', warn, (run) => store.storedSessions(run)),
    metrics: new RunCursors(options.onRestart ?? 'error', warn),
  };
  const ingestId = await store.beginIngest(options.run ?? null);
  const all = emptyCounts();
  const runs = new Set<string>();
  const summaries: FileIngestSummary[] = [];
  const errors: string[] = [];
  const loads: number[] = [];
  try {
    for (const unit of units) {
      if (unit.kind === 'merged') {
        const merged = await loadMerged(store, ingestId, unit.plans, unit.run, cursors.rollouts, {
          ...options,
          batchRows,
          maxLineBytes,
          total,
          loads,
        });
        for (const f of merged.files) {
          addCounts(all, f);
          summaries.push({ ...f, warnings: warnings.get(f.file) ?? [] });
        }
        if (merged.error !== null) errors.push(merged.error);
        for (const r of merged.runs) runs.add(r);
        doneBefore += bytesOf(unit);
        continue;
      }
      const plan = unit.plan;
      options.onDetect?.(plan.path, plan.format, plan.message);
      const source = { path: plan.path, absPath: resolve(plan.path), format: plan.format, bytes: plan.bytes };
      const before = doneBefore;
      const readOptions: ReadOptions = {
        maxLineBytes,
        batchRows,
        onProgress: (n: number) => options.onProgress?.(before + n, total),
      };
      const summary = await loadPlan(store, ingestId, source, plan, readOptions, options, loads, cursors);
      addCounts(all, summary);
      if (summary.error) errors.push(`${summary.error} (nothing of this file was kept)`);
      for (const r of summary.runs) runs.add(r);
      summaries.push({ ...summary, warnings: warnings.get(plan.path) ?? [] });
      doneBefore += plan.bytes;
    }
  } catch (err) {
    // strict mode or an engine failure: undo this ingest's committed batches, so nothing is half-written
    for (const id of loads) await store.discardLoad(id).catch(() => undefined);
    await store.finishIngest(ingestId, emptyCounts(), 'failed').catch(() => undefined);
    throw err;
  }
  await store.finishIngest(ingestId, all, errors.length > 0 ? 'failed' : 'complete');
  const runList = [...runs].sort();
  return {
    run: runList.length === 1 ? runList[0]! : null,
    runs: runList,
    files: summaries,
    errors,
    skippedFiles,
    ...all,
  };
}

/**
 * Rank files (`rollout_data_rank<N>.jsonl`: rollouts with a rank in the name) given together for one run:
 * two or more of them are read merged by step (rank, then line), in rank order. Each plan maps to its group.
 */
function rankFileGroups(
  plans: readonly ImportPlan[],
  forcedRun: string | undefined,
): Map<ImportPlan, { run: string; plans: ImportPlan[] }> {
  const byRun = new Map<string, ImportPlan[]>();
  for (const p of plans) {
    if (p.mapping?.kind !== 'rollouts' || rankOf(p.path) === null) continue;
    const run = forcedRun ?? defaultImportRun(p.path);
    byRun.set(run, [...(byRun.get(run) ?? []), p]);
  }
  const out = new Map<ImportPlan, { run: string; plans: ImportPlan[] }>();
  for (const [run, group] of byRun) {
    if (group.length < 2) continue;
    group.sort(
      (a, b) =>
        rankOf(a.path)! - rankOf(b.path)! || a.path.localeCompare(b.path, undefined, { numeric: true }),
    );
    for (const p of group) out.set(p, { run, plans: group });
  }
  return out;
}

/**
 * Files read by an importer are taken in natural order of their names (`2.jsonl` before `10.jsonl`), since
 * session numbers are assigned in file order; record-format files keep their places.
 */
function orderImportedFiles(plans: ImportPlan[]): void {
  const at = plans.flatMap((p, i) => (p.mapping === null ? [] : [i]));
  const sorted = at
    .map((i) => plans[i]!)
    .sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }));
  at.forEach((i, k) => {
    plans[i] = sorted[k]!;
  });
}

/** Reads one planned file with the reader its plan names and writes it as one load. */
export function loadPlan(
  store: Store,
  ingestId: number,
  source: SourceInfo,
  plan: ImportPlan,
  readOptions: ReadOptions,
  options: IngestOptions,
  loads: number[],
  cursors: { readonly rollouts: RunCursors; readonly metrics: RunCursors },
): Promise<FileIngestSummary & { runs: readonly string[] }> {
  const detected = plan.mapping === null ? null : plan.message;
  if (plan.mapping === null && plan.container.kind === 'file') {
    let sha: string | null = null;
    const file = plan.container.file;
    const runs = {
      forcedRun: options.run,
      fileRun: options.run ?? runIdFromFile(plan.path),
      phase: options.phase,
    };
    const onSha = (x: string) => {
      sha = x;
    };
    const engine = engineReadable(store, file, source.absPath, options);
    async function* batches(): AsyncGenerator<ReadBatch> {
      if (engine !== null) {
        const prescan = prescanJsonl(file.path, readOptions.maxLineBytes, readOptions.onProgress);
        if (engine.ingestJsonlFast !== undefined) {
          // the fast scan: the whole file (two commits, all or nothing), or nothing: then the line-by-line scan
          const fast: FastBatch = { kind: 'fast', prescan, runIds: [], rejects: [], done: false };
          yield fast;
          if (fast.done) {
            onSha((await prescan).sha256);
            options.onReader?.(plan.path, 'engine', null);
            return;
          }
        }
        const pre = await prescan;
        const staged =
          pre.fallback === null
            ? await engine.stageJsonlInEngine({
                path: source.absPath,
                sourceFile: source.absPath,
                longestLine: pre.longestLine,
                lines: pre.lines,
                checksum: pre.checksum,
                runs,
              })
            : null;
        if (staged !== null) {
          onSha(pre.sha256);
          options.onReader?.(plan.path, 'engine', 'line by line: the fast scan gave the file up');
          // merged batch by batch (one transaction each, as the TypeScript reader's batches): a kill leaves
          // whole batches, and a batch's rejects come before the next batch is written (--strict)
          const step = readOptions.batchRows;
          for (let from = 1; from <= Math.max(staged.lines, 1); from += step) {
            const to = from + step - 1;
            const rejects = staged.rejects.filter((r) => r.line >= from && r.line <= to);
            yield {
              kind: 'engine',
              staged,
              from,
              to,
              last: to >= staged.lines,
              runIds: staged.runIds,
              rejects,
            };
          }
          return;
        }
        options.onReader?.(
          plan.path,
          'typescript',
          pre.fallback ?? 'the engine could not read it line by line',
        );
      } else if (file.format === 'jsonl') {
        options.onReader?.(
          plan.path,
          'typescript',
          options.reader === 'typescript'
            ? 'reader: typescript'
            : file.gzip
              ? 'gzip-compressed'
              : 'a path DuckDB reads as a glob',
        );
      }
      for await (const b of readAhead(readValidatedBatches(file, readOptions, runs, onSha)))
        yield { kind: 'ts', ...b };
    }
    const writeFast = async (b: FastBatch, loadId: number, sourceFile: string): Promise<IngestCounts> => {
      const fast = await engine!.ingestJsonlFast!({
        path: source.absPath,
        sourceFile,
        maxLineBytes: readOptions.maxLineBytes,
        prescan: b.prescan,
        typed: await looksMinified(source.absPath, TYPED_SESSION_KEYS),
        onTrace: (what) => options.onTrace?.(plan.path, what),
        runs,
        loadId,
        onWritten: () => options.onTrace?.(plan.path, 'fast scan written, not committed'),
        checkRejects: options.strict
          ? (rejects) => {
              if (rejects.length > 0) throw strictError(source.path, rejects[0]!);
            }
          : undefined,
      });
      if (fast === null) return emptyCounts();
      b.done = true;
      b.runIds.push(...fast.runIds);
      return fast.counts;
    };
    const write = (b: ReadBatch, loadId: number, sourceFile: string) =>
      b.kind === 'fast'
        ? writeFast(b, loadId, sourceFile)
        : b.kind === 'engine'
          ? engine!.writeEngineBatch(b.staged, { loadId, sourceFile, from: b.from, to: b.to, last: b.last })
          : store.writeBatch({ loadId, sourceFile, ...b });
    return loadBatches(store, ingestId, source, batches(), write, options, loads, () => sha, detected);
  }
  let sha: string | null = null;
  const baseRun = options.run ?? defaultImportRun(plan.path);
  const withSha = async function* <B>(inner: AsyncGenerator<B>): AsyncGenerator<B> {
    yield* inner;
    sha = await importedSha256(plan);
  };
  if (plan.mapping?.kind === 'step-metrics') {
    const batches = withSha(importedStepMetrics(plan, readOptions, { baseRun, cursors: cursors.metrics }));
    const write = (b: StepMetricsItems, loadId: number, sourceFile: string) =>
      store.writeStepMetrics({ ...b, loadId, sourceFile });
    return loadBatches(store, ingestId, source, batches, write, options, loads, () => sha, detected);
  }
  const target: ImportTarget = { baseRun, cursors: cursors.rollouts };
  const assignment = { forcedRun: undefined, fileRun: baseRun, phase: options.phase };
  const batches = withSha(
    (async function* () {
      for await (const items of importedRecordItems(plan, readOptions, target))
        yield stageItems(items, assignment);
    })(),
  );
  const write = (b: StagedItems, loadId: number, sourceFile: string) =>
    store.writeBatch({ loadId, sourceFile, ...b });
  return loadBatches(store, ingestId, source, batches, write, options, loads, () => sha, detected);
}

/**
 * The batches of `source`, each next one read while the one before is written: the reader (parsing and
 * validating in Node) and the store's write (in its engine) overlap instead of taking turns. At most two
 * batches are held. Only for a reader whose reading touches no store (the record-format reader): the
 * importers' session cursors ask the store what it holds.
 */
export async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    while (true) {
      const r = await next;
      if (r.done) return;
      next = source.next();
      // a failure of the read ahead is thrown where it is awaited (above), not as an unhandled rejection
      next.catch(() => undefined);
      yield r.value;
    }
  } finally {
    // the consumer stopped early (a failed write): end the source once its pending read settles
    await next.catch(() => undefined);
    await source.return(undefined);
  }
}

/**
 * The engine path's fast scan, as one batch: its write ingests the whole file and sets `done` and the runs, or
 * leaves `done` false (nothing written) for the line-by-line scan to follow.
 */
interface FastBatch {
  readonly kind: 'fast';
  readonly prescan: Promise<JsonlPrescan>;
  readonly runIds: string[];
  readonly rejects: readonly StagedReject[];
  done: boolean;
}

/** A batch of a record-format file: read by the TypeScript reader, the fast scan, or a batch of the engine path. */
type ReadBatch =
  | FastBatch
  | ({ readonly kind: 'ts' } & StagedItems)
  | {
      readonly kind: 'engine';
      readonly staged: EngineStagedBatch;
      readonly from: number;
      readonly to: number;
      readonly last: boolean;
      /** The runs of the file's valid rows, and the rejects of these lines (for --strict). */
      readonly runIds: readonly string[];
      readonly rejects: readonly StagedReject[];
    };

/** Characters DuckDB's file readers take as a glob or a URL: such a path is read by the TypeScript reader. */
const GLOB = /[*?[\]{}]|^[a-z0-9+]+:\/\//i;

/**
 * The store's engine path for a plain record-format JSONL file (docs/ingest.md, "The engine path"), or null
 * when the file takes the TypeScript reader: `reader: 'typescript'`, gzip, CSV and Parquet, a path DuckDB
 * would read as a glob, or a backend without an engine path.
 */
function engineReadable(
  store: Store,
  file: DetectedFile,
  absPath: string,
  options: IngestOptions,
):
  | (Required<Pick<Store, 'stageJsonlInEngine' | 'writeEngineBatch'>> & Pick<Store, 'ingestJsonlFast'>)
  | null {
  if (options.reader === 'typescript' || file.format !== 'jsonl' || file.gzip || GLOB.test(absPath))
    return null;
  // --phase sets every session's phase: the TypeScript reader's (the engine scan stages the record as written)
  if (options.phase !== undefined) return null;
  const { stageJsonlInEngine, writeEngineBatch, ingestJsonlFast } = store;
  if (stageJsonlInEngine === undefined || writeEngineBatch === undefined) return null;
  return {
    stageJsonlInEngine: stageJsonlInEngine.bind(store),
    writeEngineBatch: writeEngineBatch.bind(store),
    ingestJsonlFast: ingestJsonlFast?.bind(store),
  };
}

/** The error of `--strict` at a file's first reject. */
function strictError(file: string, r: StagedReject): InputError {
  return new InputError(`expected ${r.expected}, got ${r.got} (--strict: nothing was ingested)`, {
    file,
    line: r.line,
    field: r.field,
  });
}

export interface SourceInfo {
  readonly path: string;
  readonly absPath: string;
  readonly format: string;
  readonly bytes: number;
}

/**
 * Writes one source's validated batches as one load: each batch in its own transaction; on an `InputError`
 * mid-source everything the load wrote is removed again (or, in strict mode, the error propagates).
 */
async function loadBatches<
  B extends { readonly runIds: readonly string[]; readonly rejects: readonly StagedReject[] },
>(
  store: Store,
  ingestId: number,
  source: SourceInfo,
  batches: AsyncGenerator<B>,
  write: (batch: B, loadId: number, sourceFile: string) => Promise<IngestCounts>,
  options: IngestOptions,
  loads: number[],
  sha256: () => string | null,
  detected: string | null,
): Promise<FileIngestSummary & { runs: readonly string[] }> {
  const loadId = await store.beginLoad({ ingestId, ...source });
  loads.push(loadId);
  const counts = emptyCounts();
  const sourceRuns = new Set<string>();
  let error: string | null = null;
  try {
    for await (const batch of batches) {
      if (options.strict && batch.rejects.length > 0) throw strictError(source.path, batch.rejects[0]!);
      const k = await write(batch, loadId, source.absPath);
      for (const r of batch.runIds) sourceRuns.add(r); // after the write: the fast scan learns them there
      if (options.strict && k.conflicts > 0) {
        throw new InputError(
          'a row conflicts with a stored row of the same id (--strict: nothing was ingested); see `rlaudit rejects`',
          { file: source.path },
        );
      }
      addCounts(counts, k);
      options.onBatch?.(source.path, k);
    }
  } catch (err) {
    if (options.strict || !(err instanceof InputError)) throw err;
    error = err.message;
    await store.discardLoad(loadId);
    Object.assign(counts, emptyCounts());
  }
  if (error === null && counts.read === 0 && source.format !== 'records') {
    // a file too large (or compressed) for detection to see whole, with no record in it: as an empty file
    error = formatLocated('file has no records (only blank lines, or a CSV header and no rows)', {
      file: source.path,
    });
  }
  const sha = error === null ? sha256() : null;
  // rows that could not be parsed name no run: they belong to the source's run when it has exactly one
  const onlyRun = sourceRuns.size === 1 ? [...sourceRuns][0]! : null;
  await store.finishLoad(loadId, counts, sha, error ? 'failed' : 'complete', onlyRun);
  return {
    file: source.path,
    format: source.format,
    detected,
    warnings: [],
    sha256: sha,
    error,
    runs: error === null ? [...sourceRuns] : [],
    ...counts,
  };
}

/**
 * One in-memory source written as one ingest of one load (`ingestRecords`, `ingestStepMetricRows`): the
 * ingest and its load are opened, the batches written, the ingest finished; on a throw the load is discarded
 * and the ingest marked failed.
 */
async function ingestInMemory<
  B extends { readonly runIds: readonly string[]; readonly rejects: readonly StagedReject[] },
>(
  store: Store,
  run: string | null,
  source: SourceInfo,
  batches: AsyncGenerator<B>,
  write: (batch: B, loadId: number, sourceFile: string) => Promise<IngestCounts>,
  options: IngestOptions,
): Promise<FileIngestSummary & { runs: readonly string[] }> {
  const ingestId = await store.beginIngest(run);
  const loads: number[] = [];
  try {
    const summary = await loadBatches(
      store,
      ingestId,
      source,
      batches,
      write,
      options,
      loads,
      () => null,
      null,
    );
    await store.finishIngest(ingestId, summary, summary.error ? 'failed' : 'complete');
    return summary;
  } catch (err) {
    for (const id of loads) await store.discardLoad(id).catch(() => undefined);
    await store.finishIngest(ingestId, emptyCounts(), 'failed').catch(() => undefined);
    throw err;
  }
}

/**
 * Ingests a run's per-step metrics produced in memory (`rlaudit copy` reads them from another store) exactly
 * like a metrics file's lines: one line per step with every metric of that step, so the counts are by step
 * (read = accepted + rejected + duplicates), a stored equal value is a duplicate and a different one a
 * conflict that keeps the stored value. `rows` must be ordered by step, as `Store.listStepMetrics` returns
 * them.
 *
 * @example await ingestStepMetricRows(to, 'baseline', await from.listStepMetrics({ run: 'baseline' }), { name: 'copy:a.duckdb' });
 */
export async function ingestStepMetricRows(
  store: Store,
  run: string,
  rows: readonly StepMetricRow[],
  options: IngestOptions & { readonly name: string },
): Promise<IngestCounts> {
  checkRunOption(run);
  const steps: { run: string; line: number; step: number; metrics: StepMetric[] }[] = [];
  for (const r of rows) {
    const last = steps.at(-1);
    if (last?.step === r.step) last.metrics.push({ name: r.name, value: r.value });
    else
      steps.push({ run, line: steps.length + 1, step: r.step, metrics: [{ name: r.name, value: r.value }] });
  }
  const batchSteps = options.batchRows ?? 50_000;
  async function* batches(): AsyncGenerator<StepMetricsItems> {
    for (let i = 0; i < steps.length; i += batchSteps) {
      yield { rows: steps.slice(i, i + batchSteps), rejects: [], runIds: [run] };
    }
  }
  const source: SourceInfo = { path: options.name, absPath: options.name, format: 'step-metrics', bytes: 0 };
  const write = (b: StepMetricsItems, loadId: number, sourceFile: string) =>
    store.writeStepMetrics({ ...b, loadId, sourceFile });
  const summary = await ingestInMemory(store, run, source, batches(), write, options);
  if (summary.error) throw new InputError(`copying the per-step metrics of run '${run}': ${summary.error}`);
  const { read, accepted, rejected, duplicates, conflicts } = summary;
  return { read, accepted, rejected, duplicates, conflicts };
}

/**
 * Ingests records produced in memory (the simulator, a calibration replay) exactly like a file's rows:
 * validated once, batched, deduplicated, reconciled. `name` identifies the source in rejects and loads.
 *
 * @example
 * await ingestRecords(store, simulate({ scenario: 'wild-7' }), { name: 'simulate:wild-7' });
 */
export async function ingestRecords(
  store: Store,
  records: Iterable<unknown> | AsyncIterable<unknown>,
  options: IngestOptions & { readonly name: string },
): Promise<IngestSummary> {
  checkRunOption(options.run);
  checkPhaseOption(options.phase);
  const assignment = {
    forcedRun: options.run,
    fileRun: options.run ?? runIdFromFile(options.name),
    phase: options.phase,
  };
  const batchRows = options.batchRows ?? 50_000;
  async function* batches(): AsyncGenerator<StagedItems> {
    let items: SourceItem[] = [];
    let line = 0;
    for await (const value of records) {
      items.push({ kind: 'row', line: ++line, value });
      if (items.length >= batchRows) {
        yield stageItems(items, assignment);
        items = [];
      }
    }
    if (items.length > 0) yield stageItems(items, assignment);
  }
  const source: SourceInfo = { path: options.name, absPath: options.name, format: 'records', bytes: 0 };
  const write = (b: StagedItems, loadId: number, sourceFile: string) =>
    store.writeBatch({ loadId, sourceFile, ...b });
  const summary = await ingestInMemory(store, options.run ?? null, source, batches(), write, options);
  const runs = [...summary.runs].sort();
  return {
    run: runs.length === 1 ? runs[0]! : null,
    runs,
    files: [summary],
    errors: summary.error ? [summary.error] : [],
    skippedFiles: [],
    read: summary.read,
    accepted: summary.accepted,
    rejected: summary.rejected,
    duplicates: summary.duplicates,
    conflicts: summary.conflicts,
  };
}
