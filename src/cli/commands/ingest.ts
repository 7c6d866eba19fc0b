import { type Command, Option } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import { InputError } from '../../model/errors.ts';
import { MAP_TARGETS } from '../../sources/importers/field-map.ts';
import { INGEST_FORMATS, ON_RESTART } from '../../sources/importers/formats.ts';
import type { IngestOptions, IngestSummary } from '../../store/ingest.ts';
import { intOption, printJson, withStore } from '../context.ts';
import { bytesProgress } from '../progress.ts';
import { runIdArg } from '../run-id-option.ts';
import { terminalText } from './terminal-text.ts';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'validate and store training-record files (JSONL, CSV or Parquet; .gz for JSONL and CSV) or import ' +
        "other trainers' logs (TRL, verl, OpenRLHF, Inspect, W&B tables, per-step metrics), or a trainer's directory",
    )
    .argument('<paths...>', "input files, or one trainer's directory (read whole, merged by step)")
    .option(
      '--run <id>',
      "put every row in this run (default: each row's own `run`, else the file name)",
      runIdArg,
    )
    .option(
      '--phase <name>',
      "put every session in this phase: training, evaluation, deployment or a name of your own (default: each session's own `phase`, else training)",
    )
    .option('--strict', 'stop at the first bad row and write nothing (exit code 2)')
    .addOption(
      new Option(
        '--format <name>',
        'read files with this format or importer instead of detecting it',
      ).choices(INGEST_FORMATS),
    )
    .option(
      '--map <target=column,...>',
      `map source columns onto record fields (${Object.keys(MAP_TARGETS).join(', ')})`,
    )
    .option(
      '--reward <name>',
      'the reward component to use as baseline_reward (all are kept in meta.rewards)',
    )
    .addOption(
      new Option(
        '--on-restart <choice>',
        'when the step counter goes down: split into runs, continue, or error',
      )
        .choices(ON_RESTART)
        .default('error'),
    )
    .option('--max-line-bytes <n>', 'reject lines longer than this many bytes', intOption('--max-line-bytes'))
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      `
Other trainers' logs are detected from their columns and mapped onto record format v1
(docs/importers.md); each file's detection is printed. Every row is validated once. Bad rows are kept in the store (see \`rlaudit rejects\`) and counted:
read = accepted + rejected + duplicates; conflicts (same id, different content) are among the rejected.
Ingesting the same file again adds nothing. Exit code 2 when a file cannot be read.

Sessions of a trainer's log are identified by (step, index within step): step files ingested one
command at a time append to the run (numbered after its stored sessions), a file of a step already
stored is matched against it (duplicates, or conflicts naming the stored copy), and a new row of a
step before the last stored one is refused (stored sessions are never renumbered; --on-restart
continue appends it after the last session).

A directory is read as one trainer run (named after the directory unless --run): verl <step>.jsonl,
RLLoggingBoard rollout_data_rank<N>.jsonl, TRL completions/completions_<step>.parquet and per-step
metrics files, merged by step (rows of one step: rank 0's in file order, then rank 1's, …). Other
files are listed as skipped, with why.

Example:
  rlaudit ingest run.jsonl --run wild-7
  rlaudit ingest a.jsonl.gz b.csv --json
  rlaudit ingest completions/*.parquet --run grpo-1 --reward accuracy_reward
  rlaudit ingest samples.jsonl --run grpo --map prompt=opening
  rlaudit ingest final-checkpoint.eval --run wild-7 --phase deployment   (sessions after training)
  rlaudit ingest rollout_dir/7.jsonl --run ppo-7        (then 8.jsonl, 9.jsonl, … as they appear)
  rlaudit ingest logs/ppo/exp-1                          (rank files merged by step; run exp-1)
  rlaudit ingest log.csv --format generic --map session=global_step,output=completion,baseline=reward_raw`,
    )
    .action(async (files: string[], opts, cmd: Command) => {
      // not at start-up: slow to import
      const { ingestFiles } = await import('../../store/ingest.ts');
      const { ingestDirectory } = await import('../../store/ingest-directory.ts');
      const { isDirectory } = await import('../../sources/importers/trainer-dir.ts');
      const dirs = (await Promise.all(files.map(isDirectory))).filter(Boolean).length;
      if (dirs > 0 && files.length > 1) {
        throw new InputError(
          `give one trainer directory, or files: got ${dirs} director${dirs === 1 ? 'y' : 'ies'} among ${files.length} paths`,
        );
      }
      const out = opts.json ? process.stderr : process.stdout;
      const summary = await withStore(
        cmd,
        async (store) => {
          let bar: ReturnType<typeof bytesProgress> | null = null;
          const ingest = (o: IngestOptions) =>
            dirs > 0
              ? ingestDirectory(store, files[0]!, {
                  ...o,
                  onSkip: (file, why) => out.write(terminalText(`${file}: skipped: ${why}\n`)),
                })
              : ingestFiles(store, files, o);
          try {
            return await ingest({
              run: opts.run,
              phase: opts.phase,
              strict: Boolean(opts.strict),
              format: opts.format,
              map: opts.map,
              reward: opts.reward,
              onRestart: opts.onRestart,
              maxLineBytes: opts.maxLineBytes,
              // which importer reads each file: on stderr with --json, so stdout stays one JSON object
              onDetect: (file, format, message) =>
                out.write(terminalText(`${file}: ${format}: ${message}\n`)),
              onWarning: (file, message) =>
                process.stderr.write(terminalText(`rlaudit: warning: ${file}: ${message}\n`)),
              // RLAUDIT_TRACE=batches reports each committed batch on stderr (used by the crash-safety test)
              onBatch:
                process.env.RLAUDIT_TRACE === 'batches'
                  ? (file, k) => process.stderr.write(`batch committed: ${file} read=${k.read}\n`)
                  : undefined,
              // RLAUDIT_INGEST_READER=typescript: the TypeScript reader for every file (docs/ingest.md)
              reader: process.env.RLAUDIT_INGEST_READER === 'typescript' ? 'typescript' : undefined,
              onTrace:
                process.env.RLAUDIT_TRACE === 'batches'
                  ? (file, message) => process.stderr.write(terminalText(`trace: ${file}: ${message}\n`))
                  : undefined,
              onReader:
                process.env.RLAUDIT_TRACE === 'batches'
                  ? (file, reader, why) =>
                      process.stderr.write(
                        terminalText(`reader: ${file} ${reader}${why ? ` (${why})` : ''}\n`),
                      )
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
        },
        { create: true },
      );
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
          skippedFiles,
        } = summary;
        printJson({
          run,
          read,
          accepted,
          rejected,
          duplicates,
          conflicts,
          runs,
          files: perFile,
          errors,
          skipped: skippedFiles,
        });
      } else {
        process.stdout.write(`${describe(summary)}\n`);
      }
      if (summary.read > 0 && summary.accepted === 0 && summary.duplicates === 0 && summary.rejected > 0) {
        // nothing usable came in: a pipeline pointed at the wrong file must not pass
        process.stderr.write(
          `rlaudit: every one of the ${summary.read} rows was rejected; see: rlaudit rejects\n`,
        );
        process.exitCode = 2;
      }
      if (summary.errors.length > 0) {
        for (const e of summary.errors) process.stderr.write(`rlaudit: ${terminalText(e)}\n`);
        process.exitCode = 2;
      }
    });
}

function describe(s: IngestSummary): string {
  const table = renderTable(
    ['file', 'format', 'read', 'accepted', 'rejected', 'duplicates', 'conflicts'],
    s.files.map((f) => [f.file, f.format, f.read, f.accepted, f.rejected, f.duplicates, f.conflicts]),
  );
  const runs =
    s.runs.length === 0
      ? s.errors.length > 0
        ? 'nothing stored'
        : 'no run'
      : `run${s.runs.length > 1 ? 's' : ''} ${s.runs.join(', ')}`;
  const lines = [
    table,
    '',
    `${runs}: read ${s.read} = accepted ${s.accepted} + rejected ${s.rejected} + duplicates ${s.duplicates}` +
      (s.conflicts > 0 ? ` (${s.conflicts} of the rejected are conflicts)` : ''),
  ];
  if (s.rejected > 0) lines.push('See the rejected rows with: rlaudit rejects');
  // a refused file keeps nothing, so its row counts are 0 however many rows it has: say so, not just 'read 0'
  if (s.errors.length > 0)
    lines.push(
      `Refused (${s.errors.length === 1 ? 'one error' : `${s.errors.length} errors`}, on stderr): nothing of a refused file was kept, so its counts above are 0.`,
    );
  if (s.conflicts > 0)
    lines.push(
      'A conflict keeps the stored copy (stored sessions are never overwritten): to store this version, ' +
        'ingest it as another run (--run NAME) or into a new database (--db PATH).',
    );
  return lines.join('\n');
}
