import type { AnnotationRecord, EventRecord, RunRecord, SessionRecord } from '../model/schema.ts';
import { runIdProblem } from '../model/schema.ts';
import { validateRow } from '../model/validate.ts';
import type { DetectedFile } from './detect-format.ts';
import { openRecords } from './read-records.ts';
import type { ReadOptions, SourceItem } from './source-item.ts';
import type { StagedItems } from './staged.ts';

/**
 * Which run a row belongs to: `forcedRun` (from --run) wins, then the row's own `run`, then `fileRun`. With
 * `phase` (from --phase), every session is put in that phase, as --run puts every row in its run.
 */
export interface RunAssignment {
  readonly forcedRun: string | undefined;
  readonly fileRun: string;
  readonly phase?: string | undefined;
}

/**
 * Reads a file and validates each row once, yielding batches sorted by record type. Used in-thread and
 * inside the validation worker (see `validatedBatchesInWorker`).
 */
export async function* readValidatedBatches(
  file: DetectedFile,
  options: ReadOptions,
  runs: RunAssignment,
  onSha256: (sha: string) => void,
): AsyncGenerator<StagedItems> {
  const source = openRecords(file, options);
  for await (const items of source.batches) yield stageItems(items, runs);
  onSha256(await source.sha256());
}

export function stageItems(
  items: readonly SourceItem[],
  { forcedRun, fileRun, phase }: RunAssignment,
): StagedItems {
  const out: StagedItems = { runs: [], sessions: [], annotations: [], events: [], rejects: [], runIds: [] };
  const runIds = new Set<string>();
  for (const item of items) {
    if (item.kind === 'unreadable') {
      // a line that could not be parsed names no run; the store gives it the file's run later
      out.rejects.push({ run: forcedRun ?? null, recordType: null, ...item });
      continue;
    }
    const v = validateRow(item.value);
    if (!v.ok) {
      // a row's own run when it is a valid run id; else none here: the store files it under the source's
      // run when the source's valid rows have exactly one, else under no run (docs/ingest.md)
      const rowRun = (item.value as { run?: unknown } | null)?.run;
      const validRun = typeof rowRun === 'string' && runIdProblem(rowRun) === null ? rowRun : null;
      out.rejects.push({
        run: forcedRun ?? validRun,
        line: item.line,
        recordType: v.type,
        field: v.field,
        expected: v.expected,
        got: v.got,
      });
      continue;
    }
    const run = forcedRun ?? (v.record as { run?: string }).run ?? fileRun;
    runIds.add(run);
    const staged = { run, line: item.line };
    switch (v.type) {
      case 'session': {
        const record = v.record as SessionRecord;
        out.sessions.push({ ...staged, record: phase === undefined ? record : { ...record, phase } });
        break;
      }
      case 'annotation':
        out.annotations.push({ ...staged, record: v.record as AnnotationRecord });
        break;
      case 'event':
        out.events.push({ ...staged, record: v.record as EventRecord });
        break;
      case 'run':
        out.runs.push({ ...staged, record: v.record as RunRecord });
        break;
    }
  }
  out.runIds.push(...runIds);
  return out;
}
