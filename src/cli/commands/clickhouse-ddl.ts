import type { Command } from 'commander';
import { InputError } from '../../model/errors.ts';
import { resolveStore, type StoreOptions } from '../db-path.ts';

const PARTS = ['all', 'shard', 'distributed'] as const;
type Part = (typeof PARTS)[number];

export function registerClickHouseDdl(program: Command): void {
  program
    .command('clickhouse-ddl')
    .description(
      'print the DDL of the ClickHouse store for the database and cluster of --store (to create or upgrade its tables)',
    )
    .option(
      '--part <part>',
      'what to print: all (with comments on where each part runs), shard (the local tables, for every shard) or distributed (the Distributed tables, then the schema version)',
      'all',
    )
    .option(
      '--upgrade [version]',
      'the statements that bring tables of an earlier schema version (2, or 3: the default) to this version, not the tables',
    )
    .addHelpText(
      'after',
      `
rlaudit creates its tables itself on a single ClickHouse server; on a cluster the DDL is its operators' to run
(docs/deploy-clickhouse.md): the local tables on every shard, then the Distributed tables on every server a
store URL may name. This prints it for the database and cluster the store URL names; it connects to nothing.

Examples:
  rlaudit clickhouse-ddl --store 'clickhouse://default@ch1:8123/rl?cluster=prod' > rl.sql
  rlaudit clickhouse-ddl --store 'clickhouse://default@ch1:8123/rl?cluster=prod' --part shard \\
    | clickhouse-client --host ch2 --database rl --multiquery
  rlaudit clickhouse-ddl --store 'clickhouse://default@ch1:8123/rl' --upgrade
  rlaudit clickhouse-ddl --store 'clickhouse://default@ch1:8123/rl' --upgrade 2`,
    )
    .action(async (opts, cmd: Command) => {
      const part = opts.part as Part;
      if (!PARTS.includes(part)) {
        throw new InputError(`expected one of ${PARTS.join(', ')}, got '${opts.part}'`, { field: '--part' });
      }
      const choice = resolveStore(cmd.optsWithGlobals<StoreOptions>());
      if (choice.kind !== 'clickhouse') {
        throw new InputError(
          'expected a ClickHouse store: give --store clickhouse://user@host:port/database[?cluster=NAME] (or set RLAUDIT_STORE)',
          { field: '--store' },
        );
      }
      const [{ parseClickHouseUrl }, { clickHouseDdlText, UPGRADABLE_FROM, CLICKHOUSE_SCHEMA_VERSION }] =
        await Promise.all([
          import('../../store/clickhouse/store-url.ts'),
          import('../../store/clickhouse/clickhouse-schema.ts'),
        ]);
      const from =
        opts.upgrade === undefined
          ? null
          : opts.upgrade === true
            ? CLICKHOUSE_SCHEMA_VERSION - 1
            : Number(opts.upgrade);
      if (from !== null && !UPGRADABLE_FROM.includes(from)) {
        throw new InputError(
          `expected the schema version to upgrade from, ${UPGRADABLE_FROM.join(' or ')}, got '${opts.upgrade}'`,
          { field: '--upgrade' },
        );
      }
      const target = parseClickHouseUrl(choice.url);
      if (target.cluster === null && part !== 'all') {
        throw new InputError(
          `--part ${part} is for a cluster: the store URL names a single server (add ?cluster=NAME for a cluster)`,
          { field: '--part' },
        );
      }
      process.stdout.write(
        clickHouseDdlText({
          database: target.database,
          cluster: target.cluster,
          part,
          upgrade: from,
        }),
      );
    });
}
