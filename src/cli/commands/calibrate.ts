import { type Command, Option } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import { InputError } from '../../model/errors.ts';
import { printJson, withStore } from '../context.ts';
import { loadProtocol } from '../load-protocol.ts';
import { runIdArg } from '../run-id-option.ts';

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('recompute adjusted rewards and calibration events for a run under a protocol, as a new run')
    .argument('[files...]', 'ingest these files first and calibrate the run they form')
    .requiredOption('--protocol <file|name>', 'protocol file (YAML or JSON), or a built-in name: wild-7')
    .option('--run <id>', 'the source run (with files: the run to ingest them into)', runIdArg)
    .option('--out-run <id>', 'the new run (default: <run>--<protocol>)', runIdArg)
    .addOption(
      new Option('--unclassified <policy>', 'sessions without a classification')
        .choices(['error', 'compliant', 'skip'])
        .default('error'),
    )
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Asks "what would this protocol have done to my run?": the run's outputs and baseline rewards are replayed in
session order through the calibration engine (docs/calibration.md), and the result is stored as a new run
with the protocol's adjusted rewards, differentials, compliance trajectory index and events. The source
values stay in each session's meta.source_reward_signal.

Examples:
  rlaudit calibrate --protocol wild-7 --run my-run
  rlaudit calibrate --protocol my-protocol.yaml trainer-log.jsonl --run trainer-log`,
    )
    .action(async (files: string[], opts, cmd: Command) => {
      const protocol = await loadProtocol(opts.protocol);
      const { calibrateRun } = await import('../../calibration/calibrate-run.ts');
      const { ingestFiles } = await import('../../store/ingest.ts');
      const summary = await withStore(
        cmd,
        async (store) => {
          let run: string | undefined = opts.run;
          if (files.length > 0) {
            const ingested = await ingestFiles(store, files, { run });
            if (ingested.errors.length > 0) throw new InputError(ingested.errors[0]!);
            if (ingested.runs.length !== 1) {
              throw new InputError(
                `the files hold ${ingested.runs.length} runs (${ingested.runs.join(', ')}); name one with --run`,
              );
            }
            run = ingested.runs[0]!;
          }
          if (!run) throw new InputError('name the source run with --run, or give files to ingest first');
          return calibrateRun(store, protocol, { run, outRun: opts.outRun, unclassified: opts.unclassified });
        },
        { create: true },
      );
      if (opts.json) {
        const {
          sourceRun,
          outRun,
          sessions,
          skipped,
          afterTraining,
          events,
          read,
          accepted,
          rejected,
          duplicates,
          conflicts,
        } = summary;
        return printJson({
          sourceRun,
          outRun,
          protocol: protocol.protocol,
          sessions,
          skipped,
          afterTraining,
          events,
          read,
          accepted,
          rejected,
          duplicates,
          conflicts,
        });
      }
      process.stdout.write(
        `${renderTable(
          ['source run', 'new run', 'protocol', 'sessions', 'skipped', 'events'],
          [
            [
              summary.sourceRun,
              summary.outRun,
              protocol.protocol,
              summary.sessions,
              summary.skipped,
              summary.events,
            ],
          ],
        )}\n\nSee it with: rlaudit sessions --run ${summary.outRun}\n`,
      );
    });
}
