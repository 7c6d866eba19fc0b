import type { Command } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import { printJson, withStoreReading } from '../context.ts';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list the runs in the store with their session, event, annotation and reject counts')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const { runs, unattributed } = await withStoreReading(cmd, async (store) => ({
        runs: await store.listRuns(),
        unattributed: await store.countRejects({ run: null }),
      }));
      if (opts.json) return printJson(runs);
      const noRunLine =
        unattributed > 0
          ? `${unattributed} rejected row${unattributed === 1 ? '' : 's'} named no run (see: rlaudit rejects --unattributed)\n`
          : '';
      if (runs.length === 0) {
        process.stdout.write(noRunLine);
        process.stdout.write('No runs yet. Add one with: rlaudit ingest FILE\n');
        return;
      }
      process.stdout.write(
        `${renderTable(
          ['run', 'model', 'sessions', 'first', 'last', 'events', 'annotations', 'rejects'],
          runs.map((r) => [
            r.run,
            r.model,
            r.sessions,
            r.firstSession,
            r.lastSession,
            r.events,
            r.annotations,
            r.rejects,
          ]),
        )}\n${noRunLine}`,
      );
    });
}
