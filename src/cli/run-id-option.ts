import { InvalidArgumentError } from 'commander';
import { runIdProblem } from '../model/schema.ts';

/**
 * Commander's parser for `--run` (and `--out-run`): the run-id rule of the record format, checked where the
 * id enters, so that no command can use `..` or a path as a run (a run id names `reports/<run>`).
 *
 * @example program.requiredOption('--run <id>', 'the run', runIdArg)
 */
export function runIdArg(value: string): string {
  const problem = runIdProblem(value);
  if (problem !== null) throw new InvalidArgumentError(`expected ${problem}.`);
  return value;
}

/** Parser for a comma-separated list of run ids (`--runs a,b`): each is held to the run-id rule. */
export function runIdListArg(value: string): string {
  for (const id of value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0))
    runIdArg(id);
  return value;
}
