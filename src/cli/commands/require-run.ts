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
