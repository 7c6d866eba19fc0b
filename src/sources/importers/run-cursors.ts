import { basename } from 'node:path';
import { InputError } from '../../model/errors.ts';
import type { OnRestart } from './formats.ts';

/**
 * The sessions a run already holds, step by step: for each step (`null`: sessions without a step) its
 * session numbers in session order. Position `i` in a step's list is the session `rlaudit show --step S
 * --index I` names: the stored copy of the identity (step, i).
 */
export interface StoredRun {
  readonly run: string;
  readonly steps: ReadonlyMap<number | null, readonly number[]>;
  /**
   * For the steps whose every stored session records its index within the step (meta
   * `rlaudit_index_in_step`, written by importers since that key exists): index → session. Such a step's
   * identities are read from it, not from positions, so a row rejected at its first ingest (not stored)
   * shifts nothing. Steps written before the key existed are matched by position.
   */
  readonly indexed?: ReadonlyMap<number | null, ReadonlyMap<number, number>>;
  /** The run's highest session number (of any origin); null when it has no session. */
  readonly lastSession: number | null;
  /** The run's highest step; null when no session has a step. */
  readonly lastStep: number | null;
}

/** Reads what a run and its `-part<n>` runs hold (the store's `storedSessions`); a run not stored is absent. */
export type StoredRunsLoader = (baseRun: string) => Promise<readonly StoredRun[]>;

/** The meta key in which an importer records a session's index within its step (its identity, with the step). */
export const INDEX_IN_STEP_KEY = 'rlaudit_index_in_step';

/** A store that holds nothing: every identity is new (e.g. for per-step metrics, which are keyed by step). */
export const NOTHING_STORED: StoredRunsLoader = async () => [];

interface Cursor {
  part: number;
  lastStep: number | null;
}

interface RunState {
  readonly stored: StoredRun | null;
  nextSession: number;
  /** Rows of each step seen in this ingest so far: the next row's index within its step. */
  readonly seen: Map<number | null, number>;
  /** Whether the run's last stored session belongs to its last stored step (rows can be added to it). */
  readonly lastStepEndsRun: boolean;
}

/**
 * Per-run state of an importing ingest, shared by the files of one `rlaudit ingest`: a session's identity,
 * the session number it gets, and the last step seen, to detect a step counter that restarts.
 *
 * **The identity rule** (docs/importers.md): a row without a session column is identified by (step, index
 * within step) — its step, and its position among the rows of that step in reading order (file order; a
 * trainer directory's rank files merged by step: rank, then line). Rows without a step are identified by
 * their position among the run's rows without a step. An identity the run already holds gets the stored
 * session number (so the merge finds a duplicate, or a conflict naming the stored copy); a new one gets
 * the next number after the run's last stored session, in reading order — so step files ingested one
 * command at a time append, and so do more rows of the run's last stored step (a rank file that caught up).
 * A new identity of an earlier step cannot get a number in step order without renumbering stored sessions,
 * which never happens: the file is refused (`--on-restart continue` appends it after the last session
 * instead, with a warning).
 */
export class RunCursors {
  private readonly cursors = new Map<string, Cursor>();
  private readonly loaded = new Map<string, Map<string, StoredRun>>();
  private readonly states = new Map<string, RunState>();
  /** Files already warned about rows appended out of step order (one warning per file and run). */
  private readonly warnedAppend = new Set<string>();

  /**
   * @param warn where the warnings of the ingest go (restarts here; the readers' warnings, such as NaN read
   *   as null, go through it too, so that each lands in its file's summary)
   * @param storedRuns what the store holds of a run (and its `-part<n>` runs), read once per base run
   */
  constructor(
    readonly onRestart: OnRestart,
    readonly warn: (file: string, message: string) => void,
    private readonly storedRuns: StoredRunsLoader = NOTHING_STORED,
  ) {}

  /** Reads what the store holds of these runs; `next` needs it for every run it numbers. */
  async prepare(baseRuns: Iterable<string>): Promise<void> {
    for (const base of baseRuns) {
      if (this.loaded.has(base)) continue;
      const runs = await this.storedRuns(base);
      this.loaded.set(base, new Map(runs.map((r) => [r.run, r])));
    }
  }

  /**
   * The run and session number of the next row of `baseRun` at `step`. On a restart (step goes down):
   * `error` throws an `InputError` naming file and line; `split` moves the rest into `<run>-part<n>`;
   * `continue` keeps one run. Both report a warning.
   */
  next(
    baseRun: string,
    step: unknown,
    file: string,
    line: number,
  ): { run: string; session: number; index: number } {
    const run = this.observe(baseRun, step, file, line);
    const key = typeof step === 'number' && Number.isFinite(step) ? step : null;
    const state = this.state(baseRun, run);
    const index = state.seen.get(key) ?? 0;
    state.seen.set(key, index + 1);
    const byIndex = state.stored?.indexed?.get(key);
    const stored = state.stored?.steps.get(key);
    if (byIndex !== undefined) {
      const session = byIndex.get(index);
      if (session !== undefined) return { run, session, index };
    } else if (stored !== undefined && index < stored.length) return { run, session: stored[index]!, index };
    const lastStep = state.stored?.lastStep ?? null;
    // more rows of the last stored step go after it, in step order, while nothing was stored after them
    const appendable = key === lastStep && state.lastStepEndsRun;
    if (key !== null && lastStep !== null && key <= lastStep && !appendable) {
      this.outOfOrder(state, key, index, file, line);
    }
    return { run, session: state.nextSession++, index };
  }

  /** Records a step for a row whose session number comes from the source (restarts are still detected). */
  observe(baseRun: string, step: unknown, file: string, line: number): string {
    let c = this.cursors.get(baseRun);
    if (c === undefined) {
      c = { part: 1, lastStep: null };
      this.cursors.set(baseRun, c);
    }
    if (typeof step === 'number' && Number.isFinite(step)) {
      if (c.lastStep !== null && step < c.lastStep) this.restart(c, baseRun, step, file, line);
      c.lastStep = step;
    }
    return partName(baseRun, c.part);
  }

  private state(baseRun: string, run: string): RunState {
    let s = this.states.get(run);
    if (s === undefined) {
      const loaded = this.loaded.get(baseRun);
      if (loaded === undefined) throw new Error(`RunCursors.next: run ${baseRun} was not prepared`);
      const stored = loaded.get(run) ?? null;
      const lastOfStep = stored?.lastStep == null ? undefined : stored.steps.get(stored.lastStep)?.at(-1);
      s = {
        stored,
        nextSession: (stored?.lastSession ?? 0) + 1,
        seen: new Map(),
        lastStepEndsRun: lastOfStep !== undefined && lastOfStep === stored?.lastSession,
      };
      this.states.set(run, s);
    }
    return s;
  }

  private outOfOrder(state: RunState, step: number, index: number, file: string, line: number): void {
    const stored = state.stored!;
    const have = stored.steps.get(step)?.length ?? 0;
    const what =
      have > 0
        ? `row #${index + 1} of step ${step}, but run ${stored.run} holds ${have} session${have === 1 ? '' : 's'} of step ${step}`
        : `step ${step}, older than the last step stored in run ${stored.run} (step ${stored.lastStep})`;
    if (this.onRestart === 'continue') {
      const once = `${stored.run}\u0000${file}`;
      if (this.warnedAppend.has(once)) return;
      this.warnedAppend.add(once);
      this.warn(
        file,
        `line ${line}: ${what}: appended after session ${state.nextSession - 1}, and so are the file's other rows of stored steps (--on-restart continue)`,
      );
      return;
    }
    throw new InputError(
      `${what}: sessions are numbered in step order and stored sessions are never renumbered, so a step ` +
        `before the run's last stored step cannot gain rows (ingest a step's files together, e.g. the rank files ` +
        `of a trainer directory with \`rlaudit ingest DIR\`; or use --on-restart continue to append them ` +
        `after session ${state.nextSession - 1})`,
      { file, line, field: 'step' },
    );
  }

  private restart(c: Cursor, baseRun: string, step: number, file: string, line: number): void {
    const what = `step counter restarts at line ${line} (step ${c.lastStep} → ${step})`;
    if (this.onRestart === 'error') {
      // rank files given one after the other: each starts again at the first step
      const ranks = /rank[_-]?\d+/i.test(basename(file))
        ? '; rank files of one run are merged by step with `rlaudit ingest DIR`'
        : '';
      throw new InputError(
        `${what}: a restarted or resumed run is never merged silently; choose --on-restart split ` +
          `(a new run from here: ${partName(baseRun, c.part + 1)}), continue (one run, sessions keep counting) or error${ranks}`,
        { file, line, field: 'step' },
      );
    }
    if (this.onRestart === 'split') {
      c.part++;
      this.warn(file, `${what}: rows from here go to run ${partName(baseRun, c.part)} (--on-restart split)`);
    } else {
      this.warn(
        file,
        `${what}: kept in run ${partName(baseRun, c.part)}, sessions keep counting (--on-restart continue)`,
      );
    }
  }
}

export function partName(run: string, part: number): string {
  return part === 1 ? run : `${run}-part${part}`;
}
