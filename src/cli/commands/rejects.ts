import type { Command } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import { InputError } from '../../model/errors.ts';
import { intOption, printJson, withStoreReading } from '../context.ts';
import { runIdArg } from '../run-id-option.ts';

export function registerRejects(program: Command): void {
  program
    .command('rejects')
    .description('list rows that were quarantined at ingest: file, line, field, what was expected, what came')
    .option('--run <id>', 'only rows of this run', runIdArg)
    .option('--unattributed', 'only rows that name no run (see `rlaudit runs`)')
    .option('--limit <n>', 'at most this many rows', intOption('--limit'), 1000)
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      if (opts.unattributed && opts.run !== undefined) {
        throw new InputError('--unattributed lists the rows of no run: leave out --run');
      }
      const run: string | null | undefined = opts.unattributed ? null : opts.run;
      const { rows, total } = await withStoreReading(cmd, async (store) => ({
        rows: await store.listRejects({ run, limit: opts.limit }),
        total: await store.countRejects({ run }),
      }));
      if (opts.json) return printJson(rows);
      if (rows.length === 0) {
        process.stdout.write('No rejected rows.\n');
        return;
      }
      process.stdout.write(
        `${renderTable(
          ['file', 'line', 'field', 'expected', 'got', 'conflicts with'],
          rows.map((r) => [
            r.file,
            r.line,
            r.field,
            r.expected,
            r.got,
            r.conflictWith ? `${r.conflictWith.file}:${r.conflictWith.line}` : null,
          ]),
        )}\n`,
      );
      if (total > rows.length)
        process.stdout.write(`(${rows.length} of ${total} shown; raise --limit for more)\n`);
    });
}
