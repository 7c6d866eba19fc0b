import { basename, resolve } from 'node:path';
import { InputError } from '../record/errors.ts';
import { type DetectedFile, detectFormat, type FileFormat } from '../sources/detect-format.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../sources/source-item.ts';
import { readValidatedBatches } from '../sources/validated-batches.ts';
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
  readonly format: FileFormat;
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
      const absPath = resolve(file.path);
      const loadId = await store.beginLoad({
        ingestId,
        path: file.path,
        absPath,
        format: file.format,
        bytes: file.bytes,
      });
      loads.push(loadId);
      const counts = emptyCounts();
      const fileRun = options.run ?? runIdFromFile(file.path);
      const readOptions = {
        maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
        batchRows: options.batchRows ?? 50_000,
        onProgress: (n: number) => options.onProgress?.(doneBefore + n, total),
      };
      const assignment = { forcedRun: options.run, fileRun };
      const fileRuns = new Set<string>();
      let sha: string | null = null;
      const onSha = (s: string) => {
        sha = s;
      };
      let error: string | null = null;
      try {
        for await (const batch of readValidatedBatches(file, readOptions, assignment, onSha)) {
          for (const r of batch.runIds) fileRuns.add(r);
          if (options.strict && batch.rejects.length > 0) {
            const r = batch.rejects[0]!;
            throw new InputError(`expected ${r.expected}, got ${r.got} (--strict: nothing was ingested)`, {
              file: file.path,
              line: r.line,
              field: r.field,
            });
          }
          const k = await store.writeBatch({ loadId, sourceFile: absPath, ...batch });
          if (options.strict && k.conflicts > 0) {
            throw new InputError(
              'a row conflicts with a stored row of the same id (--strict: nothing was ingested); see `rlaudit rejects`',
              { file: file.path },
            );
          }
          addCounts(counts, k);
          options.onBatch?.(file.path, k);
        }
      } catch (err) {
        if (options.strict || !(err instanceof InputError)) throw err;
        error = err.message;
        errors.push(`${err.message} (nothing of this file was kept)`);
        await store.discardLoad(loadId);
        Object.assign(counts, emptyCounts());
      }
      if (error === null) for (const r of fileRuns) runs.add(r);
      // rows that could not be parsed name no run: they belong to the file's run when it has exactly one
      const onlyRun = fileRuns.size === 1 ? [...fileRuns][0]! : null;
      await store.finishLoad(loadId, counts, sha, error ? 'failed' : 'complete', onlyRun);
      addCounts(all, counts);
      summaries.push({ file: file.path, format: file.format, sha256: sha, error, ...counts });
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
