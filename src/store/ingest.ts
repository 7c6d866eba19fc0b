import { basename, resolve } from 'node:path';
import { InputError } from '../record/errors.ts';
import { type DetectedFile, detectFormat, type FileFormat } from '../sources/detect-format.ts';
import type { SourceItem } from '../sources/source-item.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../sources/source-item.ts';
import type { StagedItems } from '../sources/staged.ts';
import { readValidatedBatches, stageItems } from '../sources/validated-batches.ts';
import { addCounts, emptyCounts, type IngestCounts, type Store } from './store.ts';

export interface IngestOptions {
  /** Put every row in this run (overrides the rows' own `run`). */
  readonly run?: string;
  /** Stop at the first bad row, write nothing, throw an `InputError`. */
  readonly strict?: boolean;
  readonly format?: FileFormat;
  readonly maxLineBytes?: number;
  readonly batchRows?: number;
  /** Called with (bytes read of all files, total bytes of all files). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called after each batch is committed, with the file and the batch's counts. */
  readonly onBatch?: (file: string, counts: IngestCounts) => void;
}

export interface FileIngestSummary extends IngestCounts {
  readonly file: string;
  /** The file's format, or `records` for records produced in memory (`ingestRecords`). */
  readonly format: FileFormat | 'records';
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
}

/** The run id a file's rows default to: its name without directories and extensions. */
export function runIdFromFile(path: string): string {
  return basename(path).replace(/(\.(jsonl|ndjson|json|csv|tsv|parquet))?(\.gz)?$/i, '') || 'run';
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
  const files: DetectedFile[] = [];
  for (const p of paths) files.push(await detectFormat(p, options.format));
  const total = files.reduce((a, f) => a + f.bytes, 0);
  let doneBefore = 0;

  const ingestId = await store.beginIngest(options.run ?? null);
  const all = emptyCounts();
  const runs = new Set<string>();
  const summaries: FileIngestSummary[] = [];
  const errors: string[] = [];
  const loads: number[] = [];
  try {
    for (const file of files) {
      const source = {
        path: file.path,
        absPath: resolve(file.path),
        format: file.format,
        bytes: file.bytes,
      };
      const fileRun = options.run ?? runIdFromFile(file.path);
      const readOptions = {
        maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
        batchRows: options.batchRows ?? 50_000,
        onProgress: (n: number) => options.onProgress?.(doneBefore + n, total),
      };
      let sha: string | null = null;
      const batches = readValidatedBatches(file, readOptions, { forcedRun: options.run, fileRun }, (s) => {
        sha = s;
      });
      const summary = await loadBatches(store, ingestId, source, batches, options, loads, () => sha);
      addCounts(all, summary);
      if (summary.error) errors.push(`${summary.error} (nothing of this file was kept)`);
      for (const r of summary.runs) runs.add(r);
      summaries.push(summary);
      doneBefore += file.bytes;
    }
  } catch (err) {
    // strict mode or an engine failure: undo this ingest's committed batches, so nothing is half-written
    for (const id of loads) await store.discardLoad(id).catch(() => undefined);
    await store.finishIngest(ingestId, emptyCounts(), 'failed').catch(() => undefined);
    throw err;
  }
  await store.finishIngest(ingestId, all, errors.length > 0 ? 'failed' : 'complete');
  const runList = [...runs].sort();
  return { run: runList.length === 1 ? runList[0]! : null, runs: runList, files: summaries, errors, ...all };
}

interface SourceInfo {
  readonly path: string;
  readonly absPath: string;
  readonly format: FileFormat | 'records';
  readonly bytes: number;
}

/**
 * Writes one source's validated batches as one load: each batch in its own transaction; on an `InputError`
 * mid-source everything the load wrote is removed again (or, in strict mode, the error propagates).
 */
async function loadBatches(
  store: Store,
  ingestId: number,
  source: SourceInfo,
  batches: AsyncGenerator<StagedItems>,
  options: IngestOptions,
  loads: number[],
  sha256: () => string | null,
): Promise<FileIngestSummary & { runs: readonly string[] }> {
  const loadId = await store.beginLoad({ ingestId, ...source });
  loads.push(loadId);
  const counts = emptyCounts();
  const sourceRuns = new Set<string>();
  let error: string | null = null;
  try {
    for await (const batch of batches) {
      for (const r of batch.runIds) sourceRuns.add(r);
      if (options.strict && batch.rejects.length > 0) {
        const r = batch.rejects[0]!;
        throw new InputError(`expected ${r.expected}, got ${r.got} (--strict: nothing was ingested)`, {
          file: source.path,
          line: r.line,
          field: r.field,
        });
      }
      const k = await store.writeBatch({ loadId, sourceFile: source.absPath, ...batch });
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
  const sha = error === null ? sha256() : null;
  // rows that could not be parsed name no run: they belong to the source's run when it has exactly one
  const onlyRun = sourceRuns.size === 1 ? [...sourceRuns][0]! : null;
  await store.finishLoad(loadId, counts, sha, error ? 'failed' : 'complete', onlyRun);
  return {
    file: source.path,
    format: source.format,
    sha256: sha,
    error,
    runs: error === null ? [...sourceRuns] : [],
    ...counts,
  };
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
  const ingestId = await store.beginIngest(options.run ?? null);
  const loads: number[] = [];
  const assignment = { forcedRun: options.run, fileRun: options.run ?? runIdFromFile(options.name) };
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
  try {
    const source: SourceInfo = { path: options.name, absPath: options.name, format: 'records', bytes: 0 };
    const summary = await loadBatches(store, ingestId, source, batches(), options, loads, () => null);
    await store.finishIngest(ingestId, summary, summary.error ? 'failed' : 'complete');
    const runs = [...summary.runs].sort();
    return {
      run: runs.length === 1 ? runs[0]! : null,
      runs,
      files: [summary],
      errors: summary.error ? [summary.error] : [],
      read: summary.read,
      accepted: summary.accepted,
      rejected: summary.rejected,
      duplicates: summary.duplicates,
      conflicts: summary.conflicts,
    };
  } catch (err) {
    for (const id of loads) await store.discardLoad(id).catch(() => undefined);
    await store.finishIngest(ingestId, emptyCounts(), 'failed').catch(() => undefined);
    throw err;
  }
}
