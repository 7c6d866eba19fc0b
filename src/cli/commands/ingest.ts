import type { Command } from 'commander';
import { InputError } from '../../record/errors.ts';
import { type IngestSummary, ingestFiles } from '../../store/ingest.ts';
import { intOption, printJson, withStore } from '../context.ts';
import { bytesProgress } from '../progress.ts';
import { renderTable } from '../table.ts';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('validate and store training-record files (JSONL, CSV or Parquet; .gz for JSONL and CSV)')
    .argument('<files...>', 'input files')
    .option('--run <id>', "put every row in this run (default: each row's own `run`, else the file name)")
    .option('--strict', 'stop at the first bad row and write nothing (exit code 2)')
    .option('--format <format>', 'read files as jsonl, csv or parquet instead of detecting it')
    .option('--max-line-bytes <n>', 'reject lines longer than this many bytes', intOption('--max-line-bytes'))
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      `
Every row is validated once. Bad rows are kept in the store (see \`rlaudit rejects\`) and counted:
read = accepted + rejected + duplicates; conflicts (same id, different content) are among the rejected.
Ingesting the same file again adds nothing. Exit code 2 when a file cannot be read.

Example:
  rlaudit ingest run.jsonl --run wild-7
  rlaudit ingest a.jsonl.gz b.csv --json`,
    )
    .action(async (files: string[], opts, cmd: Command) => {
      if (opts.format && !['jsonl', 'csv', 'parquet'].includes(opts.format)) {
        throw new InputError(`--format must be jsonl, csv or parquet, got '${opts.format}'`);
      }
      const summary = await withStore(cmd, async (store) => {
        let bar: ReturnType<typeof bytesProgress> | null = null;
        try {
          return await ingestFiles(store, files, {
            run: opts.run,
            strict: Boolean(opts.strict),
            format: opts.format,
            maxLineBytes: opts.maxLineBytes,
            // RLAUDIT_TRACE=batches reports each committed batch on stderr (used by the crash-safety test)
            onBatch:
              process.env.RLAUDIT_TRACE === 'batches'
                ? (file, k) => process.stderr.write(`batch committed: ${file} read=${k.read}\n`)
                : undefined,
            batchRows: process.env.RLAUDIT_BATCH_ROWS ? Number(process.env.RLAUDIT_BATCH_ROWS) : undefined,
            onProgress: (done, total) => {
              bar ??= bytesProgress('ingest', total);
              bar.update(done);
            },
          });
        } finally {
          (bar as ReturnType<typeof bytesProgress> | null)?.stop();
        }
      });
      if (opts.json) {
        const {
          run,
          read,
          accepted,
          rejected,
          duplicates,
          conflicts,
          runs,
          files: perFile,
          errors,
        } = summary;
        printJson({ run, read, accepted, rejected, duplicates, conflicts, runs, files: perFile, errors });
      } else {
        process.stdout.write(`${describe(summary)}\n`);
      }
      if (summary.errors.length > 0) {
        for (const e of summary.errors) process.stderr.write(`rlaudit: ${e}\n`);
        process.exitCode = 2;
      }
    });
}

function describe(s: IngestSummary): string {
  const table = renderTable(
    ['file', 'read', 'accepted', 'rejected', 'duplicates', 'conflicts'],
    s.files.map((f) => [f.file, f.read, f.accepted, f.rejected, f.duplicates, f.conflicts]),
  );
  const runs = s.runs.length === 0 ? 'no run' : `run${s.runs.length > 1 ? 's' : ''} ${s.runs.join(', ')}`;
  const lines = [
    table,
    '',
    `${runs}: read ${s.read} = accepted ${s.accepted} + rejected ${s.rejected} + duplicates ${s.duplicates}` +
      (s.conflicts > 0 ? ` (${s.conflicts} of the rejected are conflicts)` : ''),
  ];
  if (s.rejected > 0) lines.push('See the rejected rows with: rlaudit rejects');
  return lines.join('\n');
}
