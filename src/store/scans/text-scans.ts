import type { WindowSpec } from '../../model/windows.ts';

/**
 * Token and n-gram counts of one window, counted inside the engine with the default tokenizer
 * (`tokenize` = `duckdbTokensSql`). Bigrams never cross from one output into the next.
 */
export interface TextWindowCounts {
  /** 0-based window index (for `by: 'step'`, the step). */
  readonly window: number;
  /** First and last session number present in the window. */
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  /** Outputs without a single token. */
  readonly emptyOutputs: number;
  /** Σ tokens over the window's outputs, and the distinct ones (the seed's "vocabulary"). */
  readonly totalTokens: number;
  readonly uniqueTokens: number;
  /** Σ bigrams over the window's outputs, and the distinct ones. */
  readonly totalBigrams: number;
  readonly uniqueBigrams: number;
  /** Mean over outputs of |set(n-grams of the output)| / |tokens of the output| (0 for an empty output). */
  readonly distinct1PerOutput: number;
  readonly distinct2PerOutput: number;
}

/** The outputs to fetch from one window: 0-based ranks of its sessions in session order. */
export interface WindowPick {
  readonly window: number;
  readonly ranks: readonly number[];
}

/** One sampled output. */
export interface SampledOutput {
  readonly window: number;
  /** 0-based rank of the session in its window, in session order. */
  readonly rank: number;
  readonly session: number;
  readonly output: string;
}

/** Classification counts of one window; `byCategory` counts non-compliant sessions per category label. */
export interface ClassificationWindowCounts {
  readonly window: number;
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  /** Sessions with a classification (compliant or non-compliant). */
  readonly classified: number;
  readonly nonCompliant: number;
  /** Non-compliant sessions per category (text, as stored); `null` key = non-compliant without a category. */
  readonly byCategory: readonly { readonly category: string | null; readonly count: number }[];
  /** Up to 5 non-compliant session numbers (lowest first), to cite. */
  readonly evidence: readonly number[];
}

/** A detector rule as the engine runs it: an RE2-compatible pattern, bound as a parameter. */
export interface DetectorRuleSql {
  readonly id: string;
  /** Rules of the same category are counted together in `byCategory`. */
  readonly category: string;
  readonly pattern: string;
  readonly caseSensitive: boolean;
}

/** Detector hits of one window: sessions matching any rule, and per rule. */
export interface DetectorWindowCounts {
  readonly window: number;
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  readonly matched: number;
  /** Sessions matching each rule (a session can match several), in the order of the rules. */
  readonly byRule: readonly number[];
  /** Sessions matching at least one rule of each category, in order of first appearance among the rules. */
  readonly byCategory: readonly { readonly category: string; readonly count: number }[];
  /** Up to `evidence` session numbers of matched sessions (lowest first). */
  readonly evidence: readonly number[];
}

/** The detector against the simulator's ground truth (`meta.true_behaviour` ≠ `compliant`). */
export interface DetectorConfusion {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  /** Per true behaviour: sessions and how many of them the detector matched. */
  readonly byBehaviour: readonly {
    readonly behaviour: string;
    readonly sessions: number;
    readonly matched: number;
  }[];
}

/**
 * The scans behind the text analyses (diversity, unsolicited content). Text is tokenized, counted and
 * matched in the engine; only per-window series and bounded samples come back.
 *
 * @example
 * const counts = await store.scans.textWindowCounts('wild-7', { by: 'session', size: 500 });
 * counts[0].uniqueTokens // the first window's vocabulary
 */
export interface TextScans {
  /** Token, bigram and per-output distinct-n counts per window. */
  textWindowCounts(run: string, window: WindowSpec): Promise<TextWindowCounts[]>;
  /** The outputs at the given ranks of their windows (for seeded samples), ordered by window and rank. */
  sampleOutputs(run: string, window: WindowSpec, picks: readonly WindowPick[]): Promise<SampledOutput[]>;
  /** Classified, non-compliant and per-category counts per window (the record's classification layer). */
  classificationWindowCounts(run: string, window: WindowSpec): Promise<ClassificationWindowCounts[]>;
  /** Sessions whose output matches the detector's rules, per window, with up to `evidence` session ids. */
  detectorWindowCounts(
    run: string,
    window: WindowSpec,
    rules: readonly DetectorRuleSql[],
    evidence?: number,
  ): Promise<DetectorWindowCounts[]>;
  /** Confusion counts of the detector against `meta.true_behaviour` (sessions that carry it). */
  detectorConfusion(run: string, rules: readonly DetectorRuleSql[]): Promise<DetectorConfusion>;
}
