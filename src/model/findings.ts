import type { TopLevelSpec } from 'vega-lite';

/**
 * What an audit says, as data: findings with their evidence, tables and chart data. Analyses produce them,
 * the audit collects them, `report/` renders them (charts to SVG, findings to Markdown and HTML).
 */

export type Severity = 'info' | 'notice' | 'warning' | 'alert';

/**
 * What the record row of a cited session satisfies, beyond lying in the named span: its classification,
 * category, a phrase its output contains (case-insensitive), a reward below a value.
 */
export interface EvidenceCondition {
  readonly classification?: 'compliant' | 'non_compliant';
  readonly category?: string;
  readonly phrase?: string;
  /** The row's reward column (`adjusted_reward` or `baseline_reward`) is below `value`. */
  readonly rewardBelow?: { readonly reward: 'adjusted_reward' | 'baseline_reward'; readonly value: number };
}

/**
 * Why a cited session shows the claim, as data a test checks against the record: the session lies in a span
 * the claim names (`named` is the claim's own words for it: `sessions 1–500`, `step 12`, `4,846`) and its row
 * satisfies `where`. Every cited session is covered by at least one of a finding's `shows`.
 */
export interface EvidenceShows {
  readonly named: string;
  readonly from: number;
  readonly to: number;
  readonly where?: EvidenceCondition;
}

/** Evidence a finding cites: ids that exist in the store, and what each cited session shows. */
export interface Evidence {
  readonly sessions: readonly number[];
  readonly events: readonly string[];
  readonly annotations: readonly string[];
  readonly shows?: readonly EvidenceShows[];
}

/** One claim of the audit with its numbers, its method and its evidence. */
export interface Finding {
  readonly id: string;
  readonly section: string;
  readonly severity: Severity;
  /** A plain declarative sentence. */
  readonly claim: string;
  readonly numbers: Readonly<Record<string, number | string | null>>;
  /** How the numbers were obtained: analysis, definitions, parameters. */
  readonly method: string;
  readonly evidence: Evidence;
  /** Machine-readable tags `rlaudit check` rules match on, e.g. `diversity_collapse`. */
  readonly tags: readonly string[];
}

export interface ReportTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | null)[])[];
}

/** One cell of the session index: a session, or a bucket of consecutive sessions on large runs. */
export interface SessionIndexCell {
  /** First and last session of the cell. */
  readonly from: number;
  readonly to: number;
  /** Sessions in the cell and how many of them are non-compliant (null when none is classified). */
  readonly sessions: number;
  readonly nonCompliant: number | null;
  /** The most frequent category among non-compliant sessions, if any. */
  readonly category: string | null;
  /** Mean reward of the cell's sessions (the audit's reward column), null when none has one. */
  readonly reward: number | null;
  /** First and last training step of the cell's sessions, null when none records a step. */
  readonly stepFrom: number | null;
  readonly stepTo: number | null;
  readonly flagged: boolean;
  /** Calibration event ids at a session of the cell. */
  readonly events: readonly string[];
}

/** A chart as data, before rendering: what to draw, not how it looks in a given format. */
export type ChartData =
  | {
      readonly id: string;
      readonly title: string;
      /** What the reader should look at, in one sentence. */
      readonly caption: string;
      readonly kind: 'vega-lite';
      readonly spec: TopLevelSpec;
    }
  | {
      readonly id: string;
      readonly title: string;
      readonly caption: string;
      readonly kind: 'session-index';
      /** The heading drawn inside the picture, e.g. `Session index of wild-7`. */
      readonly heading: string;
      readonly cells: readonly SessionIndexCell[];
      /** Sessions that findings cite: their cells link to the excerpts. */
      readonly linked: readonly number[];
      /**
       * What a cell's colour shows: classification and category (the run has a classification), the mean
       * reward on a continuous scale (it has none, but rewards), or nothing.
       */
      readonly colour: 'classification' | 'reward' | 'none';
      /** The reward column the colour shows (`colour: 'reward'`). */
      readonly reward: string | null;
      /** One row (or more) per training step when the audit's windows are steps; else rows of sessions. */
      readonly rows: 'session' | 'step';
    };
