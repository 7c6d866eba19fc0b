import type { Command } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import { intOption, printJson, withStore } from '../context.ts';

export function registerRejects(program: Command): void {
  program
    .command('rejects')
    .description('list rows that were quarantined at ingest: file, line, field, what was expected, what came')
    .option('--run <id>', 'only rows of this run')
    .option('--limit <n>', 'at most this many rows', intOption('--limit'), 1000)
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const { rows, total } = await withStore(cmd, async (store) => ({
        rows: await store.listRejects({ run: opts.run, limit: opts.limit }),
        total: await store.countRejects({ run: opts.run }),
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
