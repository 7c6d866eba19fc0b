import type { Command } from 'commander';
import { registerAnalyze } from './commands/analyze.ts';
import { buildProgram } from './program.ts';

function helpOf(cmd: Command): string {
  let out = '';
  cmd.configureOutput({ writeOut: (s) => (out += s) });
  cmd.configureHelp({ helpWidth: 100 });
  cmd.outputHelp();
  return out.trimEnd();
}

/** The CLI reference (docs/cli.md), generated from the commands' own help so it cannot drift. */
export function renderCliDocs(): string {
  const program = buildProgram(registerAnalyze);
  const parts = [
    '# CLI reference',
    '',
    "Generated from `rlaudit --help` and each command's `--help` (`npm run docs`).",
    '',
    'Exit codes: 0 success; 1 reserved for `rlaudit check` findings; 2 bad input or usage (the message',
    'names the file, line, field or flag), a file system error (naming the path), or an audit whose failed',
    'sections each failed on their data; 3 internal or engine failure; 130 / 143 / 129 interrupted (SIGINT /',
    "SIGTERM / SIGHUP; on ClickHouse the command's running statements are cancelled first).",
    '',
    'The database file is `--db PATH`, else `$RLAUDIT_DB`, else `./.rlaudit/rlaudit.duckdb`. A ClickHouse',
    'store is `--store clickhouse://user@host:port/database[?cluster=NAME]` or `$RLAUDIT_STORE` (password',
    'from `$RLAUDIT_CLICKHOUSE_PASSWORD`; what runs on it: docs/deploy-clickhouse.md). Progress bars',
    'appear on stderr only when stdout and stderr are terminals.',
    '',
    '## rlaudit',
    '',
    '```text',
    helpOf(program),
    '```',
  ];
  for (const cmd of program.commands) {
    parts.push('', `## rlaudit ${cmd.name()}`, '', '```text', helpOf(cmd), '```');
  }
  return `${parts.join('\n')}\n`;
}
