import { type Command, InvalidArgumentError, Option } from 'commander';
import { InputError } from '../../model/errors.ts';
import { DEFAULT_WINDOW, type WindowSpec } from '../../model/windows.ts';
import type { RunLayers } from '../../store/scans/index.ts';
import type { Store } from '../../store/store.ts';
import { withStore } from '../context.ts';

/** Options every `rlaudit analyze NAME` command takes. */
export interface AnalysisCliOptions {
  readonly run: string;
  readonly window?: number;
  readonly by: 'session' | 'step';
  readonly json?: boolean;
}

const positiveInt = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1)
    throw new InvalidArgumentError(`${name} expects a positive integer.`);
  return Number(v);
};

/** Adds `rlaudit analyze NAME` with the common options: --run, --window W, --by session|step, --json. */
export function analysisCommand(analyze: Command, name: string, description: string): Command {
  return analyze
    .command(name)
    .description(description)
    .requiredOption('--run <id>', 'the run')
    .option(
      '--window <n>',
      `sessions per window (default ${(DEFAULT_WINDOW as { size: number }).size})`,
      positiveInt('--window'),
    )
    .addOption(
      new Option('--by <unit>', 'window by session numbers or by training step')
        .choices(['session', 'step'])
        .default('session'),
    )
    .option('--json', 'print JSON')
    .exitOverride()
    .showSuggestionAfterError(true);
}

export function windowSpec(opts: AnalysisCliOptions): WindowSpec {
  if (opts.by === 'step') {
    if (opts.window !== undefined) throw new InputError('--window and --by step exclude each other');
    return { by: 'step' };
  }
  return { by: 'session', size: opts.window ?? (DEFAULT_WINDOW as { size: number }).size };
}

/**
 * Opens the store, checks the run exists (naming the runs that do when it does not) and reads which layers
 * it has, then runs `fn`.
 */
export async function withRun<T>(
  cmd: Command,
  run: string,
  fn: (store: Store, layers: RunLayers) => Promise<T>,
): Promise<T> {
  return withStore(cmd, async (store) => {
    if (!(await store.hasRun(run))) {
      const known = (await store.listRuns()).map((r) => r.run);
      throw new InputError(
        `no run '${run}' in ${store.location}${known.length ? ` (runs: ${known.join(', ')})` : ' (it is empty)'}`,
      );
    }
    const layers = await store.scans.runLayers(run);
    if (layers.sessions === 0) throw new InputError(`run '${run}' has no sessions`);
    return fn(store, layers);
  });
}

/** Prints the one-line notes of what an analysis could not do for lack of data. */
export function printMissing(missing: readonly string[]): void {
  for (const m of missing) process.stdout.write(`not available: ${m}\n`);
}
