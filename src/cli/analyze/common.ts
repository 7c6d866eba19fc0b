import { type Command, Option } from 'commander';
import type { WindowSupport } from '../../analyses/analysis.ts';
import {
  chooseWindows,
  MAX_WINDOWS,
  scaledSize,
  type WindowChoice,
} from '../../analyses/shared/window-rule.ts';
import { InputError } from '../../model/errors.ts';
import { DEFAULT_WINDOW, type WindowSpec } from '../../model/windows.ts';
import type { RunLayers } from '../../store/scans/index.ts';
import type { Store } from '../../store/store.ts';
import { positiveIntOption, withStore } from '../context.ts';
import { runIdArg } from '../run-id-option.ts';

/** Options every `rlaudit analyze NAME` command takes. */
export interface AnalysisCliOptions {
  readonly run: string;
  readonly window?: number;
  readonly by?: 'session' | 'step';
  readonly json?: boolean;
}

/**
 * Adds `rlaudit analyze NAME` with the common options: --run, the window options the analysis supports
 * (--window W and --by session|step; --window only; or none), --json.
 */
export function analysisCommand(
  analyze: Command,
  name: string,
  description: string,
  windows: WindowSupport = 'any',
): Command {
  const cmd = analyze
    .command(name)
    .description(description)
    .requiredOption('--run <id>', 'the run', runIdArg);
  if (windows !== 'none') {
    cmd.option(
      '--window <n>',
      `sessions per window, taken exactly (default ${(DEFAULT_WINDOW as { size: number }).size}, grown to at most ${MAX_WINDOWS.toLocaleString('en-US')} windows)`,
      positiveIntOption('--window'),
    );
  }
  if (windows === 'any') {
    cmd.addOption(
      new Option(
        '--by <unit>',
        'window by session numbers or by training step (default: by step when the run records training steps)',
      ).choices(['session', 'step']),
    );
  }
  return cmd.option('--json', 'print JSON').exitOverride().showSuggestionAfterError(true);
}

/**
 * The windows of `rlaudit analyze`: the flags, else the windowing rule (by step for a run that records
 * training steps; src/analyses/shared/window-rule.ts). Analyses that take session windows only never get
 * step windows.
 */
export function chooseCliWindows(
  opts: AnalysisCliOptions,
  layers: RunLayers,
  windows: WindowSupport = 'any',
  sessionWindows = 'this analysis locates events by session',
): WindowChoice {
  if (opts.by === 'step' && opts.window !== undefined)
    throw new InputError('--window and --by step exclude each other');
  const choice = chooseWindows(layers, {
    ...(opts.by ? { by: opts.by } : {}),
    ...(opts.window !== undefined ? { size: opts.window } : {}),
  });
  if (windows !== 'any' && choice.window.by === 'step') {
    // --window is not given here (it would have chosen session windows): the rule's size, grown for a long run
    const size = scaledSize(layers);
    return {
      window: { by: 'session', size },
      rule: `windows of ${size.toLocaleString('en-US')} sessions (${sessionWindows})`,
    };
  }
  return choice;
}

/** The windows of `analyze compare` (several runs; no layers needed for an explicit choice). */
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
