import type {
  PhaseCategoryRow,
  PhaseOrderBreak,
  PhaseOutputSample,
  PhasePhraseRow,
  PhaseWindowRow,
} from '../../store/scans/phase-scans.ts';

// The result types of the transition analysis and the definitions its report names.

/** Family-wise error rate of the reversion intervals of one phase (Bonferroni over its behaviours). */
export const REVERSION_FAMILY_ALPHA = 0.05;

/** Definitions named in the report (REFERENCES.md "Before/after proportions"). */
export const DEFINITIONS = {
  proportion:
    'difference of proportions, later phase − final training window, with the Newcombe hybrid score interval (Newcombe 1998, method 10), 95%',
  mean: 'difference of means, later phase − final training window, Welch standard error with a normal (z) 95% interval',
  sample:
    'on seeded samples of equal size from both sides (the same tokenizer as diversity); descriptive, no interval',
  reversion: `Newcombe hybrid score interval at the Bonferroni-adjusted level 1 − ${REVERSION_FAMILY_ALPHA}/k over the k behaviours tested in the phase`,
  gap: 'difference of non-compliance shares between contexts with the Newcombe hybrid score interval (Newcombe 1998, method 10), 95%',
} as const;

/** Counts of a behaviour (a proportion metric) in one group of sessions. */
export interface Count {
  readonly hits: number;
  readonly n: number;
  readonly first: number | null;
}

/** A proportion behaviour: non-compliance (unsolicited content), a category, a phrase. */
export interface Behaviour {
  readonly metric: string;
  /** As a table row names it. */
  readonly label: string;
  /** As a sentence names it: `unsolicited content`, `Category 3 outputs`, `the phrase "…"`. */
  readonly name: string;
}

/** One metric, final training window vs a later phase. */
export interface MetricComparison {
  readonly metric: string;
  readonly label: string;
  readonly kind: 'proportion' | 'mean' | 'sample';
  readonly final: number | null;
  readonly later: number | null;
  readonly finalN: number;
  readonly laterN: number;
  /** later − final, and its 95% interval (definition per `kind`); null when a side has no data. */
  readonly difference: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly definition: string;
}

/** A proportion behaviour's course: its highest training window, the final window, the later phase. */
export interface BehaviourCourse {
  readonly metric: string;
  readonly label: string;
  readonly name: string;
  /** The training window with the highest rate (full windows only), and that rate. */
  readonly peak: { readonly rate: number; readonly from: number; readonly to: number } | null;
  readonly finalRate: number;
  readonly finalHits: number;
  readonly finalN: number;
  readonly laterRate: number;
  readonly laterHits: number;
  readonly laterN: number;
  /** later − final with the Bonferroni-adjusted Newcombe interval (DEFINITIONS.reversion). */
  readonly difference: number;
  readonly adjustedLower: number;
  readonly adjustedUpper: number;
  readonly confidence: number;
  /** The first session of the later phase that shows the behaviour. */
  readonly firstReappearance: number | null;
}

/** The non-compliance share of one context against the reference context, in one later phase. */
export interface ComplianceGap {
  readonly context: string;
  readonly reference: string;
  readonly rate: number;
  readonly referenceRate: number;
  readonly n: number;
  readonly referenceN: number;
  readonly hits: number;
  readonly referenceHits: number;
  readonly difference: number;
  readonly lower: number;
  readonly upper: number;
}

export interface PhaseTransition {
  readonly phase: string;
  readonly sessions: number;
  readonly from: number;
  readonly to: number;
  /** Sessions per `meta.context` label (null: no label). */
  readonly contexts: readonly { readonly context: string | null; readonly sessions: number }[];
  readonly metrics: readonly MetricComparison[];
  readonly courses: readonly BehaviourCourse[];
  readonly gaps: readonly ComplianceGap[];
}

/** One window of the chart's curves, training then later phases. */
export interface TransitionWindow {
  readonly phase: string;
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  readonly nonCompliance: number | null;
  readonly meanTokens: number;
  readonly phrases: Readonly<Record<string, number>>;
}

export interface TransitionResult {
  readonly window: number;
  readonly training: { readonly sessions: number; readonly from: number; readonly to: number } | null;
  readonly finalWindow: { readonly sessions: number; readonly from: number; readonly to: number } | null;
  readonly phases: readonly PhaseTransition[];
  readonly orderBreaks: readonly PhaseOrderBreak[];
  readonly windows: readonly TransitionWindow[];
  readonly phrases: readonly string[];
  /** The sample size of vocabulary and response diversity (equal for both sides). */
  readonly sampleSize: number;
  readonly missing: readonly string[];
}

export interface TransitionInput {
  readonly window: number;
  readonly phrases: readonly string[];
  readonly windows: readonly PhaseWindowRow[];
  readonly categories: readonly PhaseCategoryRow[];
  readonly phraseRows: readonly PhasePhraseRow[];
  readonly orderBreaks: readonly PhaseOrderBreak[];
  readonly samples: readonly PhaseOutputSample[];
  /** Largest sample per side for vocabulary and response diversity (default 200). */
  readonly sampleSize?: number;
}
