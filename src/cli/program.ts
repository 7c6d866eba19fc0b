import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { ConfigError, InputError, QueryError } from '../model/errors.ts';
import { fsProblem } from '../sources/detect-format.ts';
import type { registerAnalyze as RegisterAnalyze } from './commands/analyze.ts';
import { registerAudit } from './commands/audit.ts';
import { registerCalibrate } from './commands/calibrate.ts';
import { registerCheck } from './commands/check.ts';
import { registerClickHouseDdl } from './commands/clickhouse-ddl.ts';
import { registerCopy } from './commands/copy.ts';
import { registerDemo } from './commands/demo.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerRejects } from './commands/rejects.ts';
import { registerRuns } from './commands/runs.ts';
import { registerServe } from './commands/serve.ts';
import { registerServeReward } from './commands/serve-reward.ts';
import { registerSessions } from './commands/sessions.ts';
import { registerShow } from './commands/show.ts';
import { registerSimulate } from './commands/simulate.ts';
import { terminalText } from './commands/terminal-text.ts';
import { registerWatch } from './commands/watch.ts';
import { DEFAULT_DB_PATH } from './db-path.ts';

/** Commands that cannot reach `analyze` nor print its help: they start without the analysis registry. */
export const WITHOUT_ANALYZE: ReadonlySet<string> = new Set([
  'ingest',
  'runs',
  'sessions',
  'show',
  'rejects',
  'calibrate',
  'simulate',
  'audit',
  'check',
  'demo',
  'serve-reward',
  'watch',
  'serve',
  'copy',
  'clickhouse-ddl',
]);

/**
 * Whether this command line needs the `analyze` command: building it imports every analysis module (its
 * subcommands and options are generated from the registry), which costs more than the rest of start-up.
 * Only a known command other than `analyze`, or a bare `--version`, goes without; help, `analyze`, an unknown
 * word (whose suggestions list `analyze`) and no command at all get the full program.
 */
export function needsAnalyze(args: readonly string[]): boolean {
  let version = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--db' || arg === '--store') i++;
    else if (arg === '-V' || arg === '--version') version = true;
    else if (arg === '-h' || arg === '--help') return true;
    else if (!arg.startsWith('-')) return !WITHOUT_ANALYZE.has(arg);
  }
  return !version;
}

/**
 * Exit codes: 0 success; 1 reserved for `check` findings; 2 bad input or usage (the message names the file,
 * line, field or flag); 3 an internal or engine failure.
 *
 * Without `registerAnalyze` the program has no `analyze` command (see {@link needsAnalyze}); the CLI passes it
 * when the command line needs it, the CLI reference always.
 */
export function buildProgram(registerAnalyze?: typeof RegisterAnalyze): Command {
  const program = new Command('rlaudit')
    .description('Audit reinforcement-learning fine-tuning runs: what did the reward signal do to the model?')
    .version(packageJson.version)
    .option('--db <path>', `database file (default: $RLAUDIT_DB or ${DEFAULT_DB_PATH})`)
    .option(
      '--store <url>',
      'the store instead of --db: clickhouse://user@host:port/database[?cluster=NAME] (password from $RLAUDIT_CLICKHOUSE_PASSWORD) or duckdb:PATH (default: $RLAUDIT_STORE, else the --db file)',
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  registerIngest(program);
  registerRuns(program);
  registerSessions(program);
  registerShow(program);
  registerRejects(program);
  registerCalibrate(program);
  registerCopy(program);
  registerClickHouseDdl(program);
  registerSimulate(program);
  registerAnalyze?.(program);
  registerAudit(program);
  registerCheck(program);
  registerDemo(program);
  registerServeReward(program);
  registerWatch(program);
  registerServe(program);
  for (const cmd of program.commands) cmd.exitOverride().showSuggestionAfterError(true);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const analyze = needsAnalyze(argv.slice(2))
    ? (await import('./commands/analyze.ts')).registerAnalyze
    : undefined;
  const program = buildProgram(analyze);
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end here too, with code 0; commander has already printed its message
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof InputError || err instanceof ConfigError) {
      // messages quote the input (a file name, a cell, a `got`): never let it drive the terminal
      process.stderr.write(`rlaudit: ${terminalText(err.message)}\n`);
      return 2;
    }
    const fsError = fileSystemError(err);
    if (fsError !== null) {
      process.stderr.write(`rlaudit: ${terminalText(fsError)}\n`);
      return 2;
    }
    if (err instanceof QueryError) {
      process.stderr.write(
        `rlaudit: ${err.message}\n  backend: ${err.backend}\n  sql: ${err.sql.trim().slice(0, 500)}\n`,
      );
      return 3;
    }
    process.stderr.write(`rlaudit: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 3;
  }
}

/**
 * A file system error (opening, reading or writing a path: `EACCES`, `ENOSPC`, …) as one line naming the
 * path, or null for any other error. Every such error is the user's environment, not a bug: exit code 2.
 */
export function fileSystemError(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException | null;
  if (e === null || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.syscall !== 'string')
    return null;
  if (!/^E[A-Z]+$/.test(e.code)) return null;
  const what = `${fsProblem(e)} on ${e.syscall}`;
  return e.path ? `${e.path}: ${what}` : what;
}
