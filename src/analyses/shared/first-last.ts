import type { WindowInfo, WindowSpec } from '../../model/windows.ts';

/** The two windows a first → last comparison uses, and whether they hold the same number of sessions. */
export interface FirstLastPair<W extends WindowInfo> {
  readonly first: W;
  readonly last: W;
  /** True when both are full session windows (or the run is windowed by step: a step is its own unit). */
  readonly equalSize: boolean;
  /** A last window left out because it is partial (fewer sessions than the window size), else null. */
  readonly setAside: W | null;
}

/**
 * The first and the last FULL window of a run, for every first → last comparison (vocabulary, response
 * diversity, unsolicited and category rates, length): a count of distinct tokens grows with the number of
 * outputs, and a rate's interval with it, so windows of unequal size are not compared. With session windows,
 * the windows holding exactly `size` sessions are full; the trailing partial window is set aside. With fewer
 * than two full windows the first and last windows are returned with `equalSize: false` (the claim must say
 * so). Step windows are compared as they are (`equalSize: true`): a step is the trainer's own unit.
 *
 * @example
 * firstLastFull({ by: 'session', size: 500 }, windows) // first: 1–500, last: 12,001–12,500, setAside: 12,501–12,847
 */
export function firstLastFull<W extends WindowInfo>(
  spec: WindowSpec,
  windows: readonly W[],
): FirstLastPair<W> | null {
  if (windows.length === 0) return null;
  if (spec.by === 'step')
    return { first: windows[0]!, last: windows.at(-1)!, equalSize: true, setAside: null };
  const full = windows.filter((w) => w.sessions === spec.size);
  const tail = windows.at(-1)!;
  if (full.length >= 2) {
    return {
      first: full[0]!,
      last: full.at(-1)!,
      equalSize: true,
      setAside: tail.sessions < spec.size ? tail : null,
    };
  }
  return { first: windows[0]!, last: tail, equalSize: false, setAside: null };
}
