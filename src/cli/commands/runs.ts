import type { Command } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import type { LastAudit } from '../../store/audit-tracking.ts';
import { printJson, withStoreReading } from '../context.ts';

/** A run's last audit as `runs` prints it: id, status, when it started; `none` for a run never audited. */
function auditCell(a: LastAudit | undefined): string {
  if (a === undefined) return 'none';
  const when = a.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  return `${a.auditId} ${a.status} ${when}`;
}

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description(
      'list the runs in the store with their session, event, annotation and reject counts and their last audit',
    )
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const { runs, unattributed, audits } = await withStoreReading(cmd, async (store) => ({
        runs: await store.listRuns(),
        unattributed: await store.countRejects({ run: null }),
        audits: new Map((await store.audits.lastAudits()).map((a) => [a.run, a])),
      }));
      if (opts.json) {
        return printJson(
          runs.map((r) => {
            const a = audits.get(r.run);
            return {
              ...r,
              lastAudit: a
                ? {
                    id: a.auditId,
                    template: a.template,
                    status: a.status,
                    startedAt: a.startedAt,
                    finishedAt: a.finishedAt,
                  }
                : null,
            };
          }),
        );
      }
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
          ['run', 'model', 'sessions', 'first', 'last', 'events', 'annotations', 'rejects', 'last audit'],
          runs.map((r) => [
            r.run,
            r.model,
            r.sessions,
            r.firstSession,
            r.lastSession,
            r.events,
            r.annotations,
            r.rejects,
            auditCell(audits.get(r.run)),
          ]),
        )}\n${noRunLine}`,
      );
    });
}
