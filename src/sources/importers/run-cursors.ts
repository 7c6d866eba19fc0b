import { InputError } from '../../model/errors.ts';
import type { OnRestart } from './formats.ts';

interface Cursor {
  part: number;
  nextSession: number;
  lastStep: number | null;
}

/**
 * Per-run state of an importing ingest, shared by the files of one `rlaudit ingest`: the next session number
 * (sessions are numbered in file order, continuing across the files of a run) and the last step seen, to
 * detect a step counter that restarts.
 */
export class RunCursors {
  private readonly cursors = new Map<string, Cursor>();

  /**
   * @param warn where the warnings of the ingest go (restarts here; the readers' warnings, such as NaN read
   *   as null, go through it too, so that each lands in its file's summary)
   */
  constructor(
    readonly onRestart: OnRestart,
    readonly warn: (file: string, message: string) => void,
  ) {}

  /**
   * The run and session number of the next row of `baseRun` at `step`. On a restart (step goes down):
   * `error` throws an `InputError` naming file and line; `split` moves the rest into `<run>-part<n>` with
   * session numbers from 1; `continue` keeps one run. Both report a warning.
   */
  next(baseRun: string, step: unknown, file: string, line: number): { run: string; session: number } {
    let c = this.cursors.get(baseRun);
    if (c === undefined) {
      c = { part: 1, nextSession: 1, lastStep: null };
      this.cursors.set(baseRun, c);
    }
    if (typeof step === 'number' && Number.isFinite(step)) {
      if (c.lastStep !== null && step < c.lastStep) this.restart(c, baseRun, step, file, line);
      c.lastStep = step;
    }
    return { run: partName(baseRun, c.part), session: c.nextSession++ };
  }

  /** Records a step for a row whose session number comes from the source (restarts are still detected). */
  observe(baseRun: string, step: unknown, file: string, line: number): string {
    let c = this.cursors.get(baseRun);
    if (c === undefined) {
      c = { part: 1, nextSession: 1, lastStep: null };
      this.cursors.set(baseRun, c);
    }
    if (typeof step === 'number' && Number.isFinite(step)) {
      if (c.lastStep !== null && step < c.lastStep) this.restart(c, baseRun, step, file, line);
      c.lastStep = step;
    }
    return partName(baseRun, c.part);
  }

  private restart(c: Cursor, baseRun: string, step: number, file: string, line: number): void {
    const what = `step counter restarts at line ${line} (step ${c.lastStep} → ${step})`;
    if (this.onRestart === 'error') {
      throw new InputError(
        `${what}: a restarted or resumed run is never merged silently; choose --on-restart split ` +
          `(a new run from here: ${partName(baseRun, c.part + 1)}), continue (one run, sessions keep counting) or error`,
        { file, line, field: 'step' },
      );
    }
    if (this.onRestart === 'split') {
      c.part++;
      c.nextSession = 1;
      this.warn(file, `${what}: rows from here go to run ${partName(baseRun, c.part)} (--on-restart split)`);
    } else {
      this.warn(
        file,
        `${what}: kept in run ${partName(baseRun, c.part)}, sessions keep counting (--on-restart continue)`,
      );
    }
  }
}

function partName(run: string, part: number): string {
  return part === 1 ? run : `${run}-part${part}`;
}
