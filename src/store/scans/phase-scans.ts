/**
 * The store scans behind `transition`: a run's sessions by phase (training, then whatever came after it),
 * in windows counted back from the end of training and forward from the start of each later phase, with
 * the context label of the sessions after training (docs/record-format.md: `meta.context`).
 */

/** Per window of a phase (and context, after training): counts, sums and first sessions. */
export interface PhaseWindowRow {
  /** The session's phase (`training` when the record names none). */
  readonly phase: string;
  /**
   * Training: 0 is the final window (the last W training sessions), 1 the W before it, …; a later phase:
   * 0 is its first W sessions, 1 the next W, …
   */
  readonly window: number;
  /** `meta.context` of the sessions (null for training windows, which are not split by context). */
  readonly context: string | null;
  readonly sessions: number;
  readonly from: number;
  readonly to: number;
  /** Sessions with a classification, and those non-compliant; the first non-compliant session. */
  readonly classified: number;
  readonly nonCompliant: number;
  readonly firstNonCompliant: number | null;
  /** Σ tokens and Σ tokens² of the outputs (default tokenizer). */
  readonly tokens: number;
  readonly tokensSquared: number;
  /** Sessions with a baseline reward, Σ and Σ² of it. */
  readonly rewarded: number;
  readonly rewardSum: number;
  readonly rewardSquared: number;
}

/** Sessions of one category in one window (and context) of a phase. */
export interface PhaseCategoryRow {
  readonly phase: string;
  readonly window: number;
  readonly context: string | null;
  readonly category: string;
  readonly sessions: number;
  readonly first: number;
}

/** Sessions whose output contains a phrase, in one window (and context) of a phase. */
export interface PhasePhraseRow {
  readonly phase: string;
  readonly window: number;
  readonly context: string | null;
  readonly phrase: string;
  readonly hits: number;
  readonly first: number | null;
}

/** Training sessions numbered after the first session of a later phase: the phase order goes back. */
export interface PhaseOrderBreak {
  /** The later phase and its first session. */
  readonly phase: string;
  readonly phaseFirst: number;
  /** How many training sessions come after it, and the first of them (at most `limit`). */
  readonly count: number;
  readonly sessions: readonly number[];
}

/** A seeded sample of outputs of the final training window or of a later phase (all its sessions). */
export interface PhaseOutputSample {
  readonly phase: string;
  readonly outputs: readonly string[];
}

export interface PhaseWindowOptions {
  /** W: sessions per window. */
  readonly size: number;
  /** Phrases whose hits are counted (matched as `model/phrase-pattern.ts` matches a phrase). */
  readonly phrases: readonly string[];
}

/** The sessions of one phase of a run. */
export interface PhaseSpan {
  readonly phase: string;
  readonly sessions: number;
  readonly from: number;
  readonly to: number;
}

export interface PhaseScans {
  /** The run's phases (`training` for sessions without one), in order of their first session. */
  phaseSpans(run: string): Promise<PhaseSpan[]>;
  phaseWindows(run: string, options: PhaseWindowOptions): Promise<PhaseWindowRow[]>;
  phaseCategories(run: string, options: PhaseWindowOptions): Promise<PhaseCategoryRow[]>;
  phasePhrases(run: string, options: PhaseWindowOptions): Promise<PhasePhraseRow[]>;
  /** Later phases followed by training sessions; the first `limit` such sessions of each. */
  phaseOrderBreaks(run: string, limit: number): Promise<PhaseOrderBreak[]>;
  /** Up to `size` outputs per group (final training window of W, each later phase), seeded order. */
  phaseOutputSamples(
    run: string,
    options: { size: number; window: number; seed: number },
  ): Promise<PhaseOutputSample[]>;
}
