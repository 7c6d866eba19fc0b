import type { Command } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import { InputError } from '../../model/errors.ts';
import { intOption, printJson, withStore } from '../context.ts';

export function registerSessions(program: Command): void {
  program
    .command('sessions')
    .description('cluster review: a session range row by row with its reward signal, in session order')
    .requiredOption('--run <id>', 'the run')
    .option('--from <session>', 'first session (inclusive)', intOption('--from'))
    .option('--to <session>', 'last session (inclusive)', intOption('--to'))
    .option('--limit <n>', 'at most this many rows', intOption('--limit'), 200)
    .option('--chars <n>', 'characters of each output to show', intOption('--chars'), 60)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  rlaudit sessions --run wild-7 --from 4800 --to 4950')
    .action(async (opts, cmd: Command) => {
      if (opts.from !== undefined && opts.to !== undefined && opts.from > opts.to) {
        throw new InputError(`--from ${opts.from} is after --to ${opts.to}`);
      }
      const rows = await withStore(cmd, async (store) => {
        if (!(await store.hasRun(opts.run))) {
          const known = (await store.listRuns()).map((r) => r.run);
          throw new InputError(
            `no run '${opts.run}' in ${store.location}${known.length ? ` (runs: ${known.join(', ')})` : ' (it is empty)'}`,
          );
        }
        return store.listSessions({
          run: opts.run,
          from: opts.from,
          to: opts.to,
          limit: opts.limit,
          outputChars: opts.json ? 200 : opts.chars,
        });
      });
      if (opts.json) return printJson(rows);
      if (rows.length === 0) {
        process.stdout.write('No sessions in that range.\n');
        return;
      }
      process.stdout.write(
        `${renderTable(
          ['session', 'class', 'cat', 'baseline', 'adjusted', 'diff %', 'CTI', 'ann', 'evt', 'output'],
          rows.map((r) => [
            r.session,
            r.classification,
            r.category,
            r.baselineReward,
            r.adjustedReward,
            r.differentialPct,
            r.complianceTrajectoryIndex,
            r.annotations,
            r.events,
            r.outputStart,
          ]),
        )}\n`,
      );
      if (rows.length === opts.limit)
        process.stdout.write(`(first ${opts.limit} rows; raise --limit for more)\n`);
    });
}
