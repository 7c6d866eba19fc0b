import { InputError } from '../../model/errors.ts';
import type { Store } from '../../store/store.ts';
import { terminalText } from './terminal-text.ts';

/**
 * Refuses a run the store does not hold, naming the runs it does (an `InputError`: exit 2).
 *
 * @example await requireRun(store, 'wild-8') // throws: no run 'wild-8' in … (runs: wild-7)
 */
export async function requireRun(store: Store, run: string): Promise<void> {
  if (await store.hasRun(run)) return;
  const known = (await store.listRuns()).map((r) => r.run);
  throw new InputError(
    terminalText(
      `no run '${run}' in ${store.location}${known.length ? ` (runs: ${known.join(', ')})` : ' (it is empty)'}`,
    ),
  );
}

/** The runs named in a message: the first 20, then how many more. */
function runList(runs: readonly string[]): string {
  const shown = runs.slice(0, 20).map((r) => terminalText(r));
  return runs.length > 20 ? `${shown.join(', ')} and ${runs.length - 20} more` : shown.join(', ');
}

/**
 * The run a command works on: `--run` when given (refused when the store does not hold it), else the store's
 * only run. An empty store, or one of several runs without `--run`, is an `InputError` (exit 2) that says
 * what to do and names the runs.
 *
 * @example const run = await resolveRun(store, opts.run) // 'baseline' when it is the only run
 */
export async function resolveRun(store: Store, run: string | undefined): Promise<string> {
  if (run !== undefined) {
    await requireRun(store, run);
    return run;
  }
  const runs = (await store.listRuns()).map((r) => r.run);
  if (runs.length === 1) return runs[0]!;
  if (runs.length === 0) {
    throw new InputError(
      `${store.location} holds no run yet: add one first (rlaudit ingest FILE, rlaudit simulate, or rlaudit demo)`,
    );
  }
  throw new InputError(`give --run: ${store.location} holds ${runs.length} runs (${runList(runs)})`, {
    field: '--run',
  });
}
