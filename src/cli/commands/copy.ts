import type { Command } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import { InputError } from '../../model/errors.ts';
import { printJson, withStoreAt } from '../context.ts';
import { runIdArg } from '../run-id-option.ts';

export function registerCopy(program: Command): void {
  program
    .command('copy')
    .description(
      'copy runs between stores (DuckDB file ⇄ ClickHouse), reconciled by counts and content hashes',
    )
    .requiredOption(
      '--from <store>',
      'the store to read: duckdb:PATH, a DuckDB file, or clickhouse://user@host:port/db',
    )
    .requiredOption(
      '--to <store>',
      'the store to write (created when it is a new DuckDB file or an empty server)',
    )
    .option('--run <id>', 'only this run (default: every run of --from)', runIdArg)
    .option('--json', 'print the outcome as JSON')
    .addHelpText(
      'after',
      `
Each run's record, sessions (with their nested annotations), standalone annotations, events and per-step
metrics are read from --from page by page and ingested into --to with the ingest's rules: copying again adds nothing (every row a
duplicate), and a run that already differs in --to keeps its rows (conflicts: rlaudit rejects on --to).
Then both sides are counted and hashed (SHA-256 over the run as records, docs/deploy-clickhouse.md): the
command prints both and exits 1 when any run differs. Rejected rows of --from are not copied.

Examples:
  rlaudit copy --from duckdb:.rlaudit/rlaudit.duckdb --to 'clickhouse://rlaudit@ch1:8123/rlaudit?cluster=prod'
  rlaudit copy --from 'clickhouse://rlaudit@ch1:8123/rlaudit' --to duckdb:grpo-7.duckdb --run grpo-7`,
    )
    .action(async (opts) => {
      if (opts.from === opts.to)
        throw new InputError('--from and --to name the same store', { field: '--to' });
      const { copyRuns } = await import('../../store/copy.ts');
      const copied = await withStoreAt(opts.from, '--from', (from) =>
        withStoreAt(opts.to, '--to', (to) => copyRuns(from, to, { run: opts.run }), { create: true }),
      );
      const bad = copied.filter((c) => !c.matches);
      if (opts.json) printJson(copied);
      else {
        process.stdout.write(
          `${renderTable(
            [
              'run',
              'read',
              'accepted',
              'duplicates',
              'rejected',
              'sessions',
              'annotations',
              'events',
              'step metrics',
              'sha256 (from)',
              'sha256 (to)',
              'same',
            ],
            copied.map((c) => [
              c.run,
              c.read,
              c.accepted,
              c.duplicates,
              c.rejected,
              c.to.sessions === c.from.sessions ? c.to.sessions : `${c.from.sessions} → ${c.to.sessions}`,
              c.to.annotations === c.from.annotations
                ? c.to.annotations
                : `${c.from.annotations} → ${c.to.annotations}`,
              c.to.events === c.from.events ? c.to.events : `${c.from.events} → ${c.to.events}`,
              c.to.stepMetrics === c.from.stepMetrics
                ? c.to.stepMetrics
                : `${c.from.stepMetrics} → ${c.to.stepMetrics}`,
              c.from.sha256.slice(0, 16),
              c.to.sha256.slice(0, 16),
              c.matches ? 'yes' : 'NO',
            ]),
          )}\n`,
        );
      }
      if (copied.length === 0) process.stderr.write('rlaudit: --from holds no runs: nothing copied\n');
      if (bad.length > 0) {
        process.stderr.write(
          `rlaudit: ${bad.length} run(s) differ between --from and --to after the copy (${bad.map((b) => b.run).join(', ')}): ` +
            'see rlaudit rejects on --to for the conflicting rows\n',
        );
        process.exitCode = 1;
      }
    });
}
