import { type WindowInfo, type WindowSpec, windowLabel } from '../../model/windows.ts';
import { wilsonInterval } from '../../stats/wilson-interval.ts';
import { firstLastFull } from '../shared/first-last.ts';

/** Where an output's "unsolicited" status comes from. */
export type UnsolicitedSource = 'classification' | 'detector';

/** Counts of one window, from the classification layer or from the detector. */
export interface UnsolicitedWindowCounts {
  readonly window: number;
  readonly from: number;
  readonly to: number;
  readonly sessions: number;
  /** Sessions the rate is over: classified sessions (classification) or all sessions (detector). */
  readonly n: number;
  readonly unsolicited: number;
  /** Unsolicited sessions per category (record category, or detector rule category). */
  readonly byCategory: readonly { readonly category: string | null; readonly count: number }[];
  /** Session numbers to cite (a few unsolicited ones). */
  readonly evidence?: readonly number[];
}

/** The detector against ground truth, as confusion counts. */
export interface DetectorEvaluationInput {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  readonly byBehaviour: readonly {
    readonly behaviour: string;
    readonly sessions: number;
    readonly matched: number;
  }[];
}

export interface UnsolicitedInput {
  readonly spec: WindowSpec;
  readonly source: UnsolicitedSource;
  readonly counts: readonly UnsolicitedWindowCounts[];
  /** The detector's name when it is the source or was evaluated. */
  readonly detector?: string;
  readonly evaluation?: DetectorEvaluationInput;
  readonly missing?: readonly string[];
}

export interface RateWithInterval {
  readonly count: number;
  readonly rate: number;
  /** Wilson 95% interval of the rate (null when n = 0). */
  readonly ci95: { readonly lower: number; readonly upper: number } | null;
}

export interface UnsolicitedWindow extends WindowInfo, RateWithInterval {
  readonly label: string;
  readonly n: number;
  /** Per category (sorted: numeric categories by value, then labels), count / n with its Wilson interval. */
  readonly categories: readonly ({ readonly category: string } & RateWithInterval)[];
  readonly evidence: readonly number[];
}

export interface DetectorEvaluation extends DetectorEvaluationInput {
  readonly detector: string;
  /** TP / (TP + FP); null without positives predicted. */
  readonly precision: number | null;
  /** TP / (TP + FN); null without true positives in the data. */
  readonly recall: number | null;
  readonly f1: number | null;
}

export interface UnsolicitedResult {
  readonly windowSpec: WindowSpec;
  readonly source: UnsolicitedSource;
  readonly detector: string | null;
  readonly windows: readonly UnsolicitedWindow[];
  /** The categories present anywhere in the run (same order as in each window). */
  readonly categories: readonly string[];
  /**
   * First vs last FULL window (equal sizes; a trailing partial window set aside, shared/first-last.ts);
   * `equalSize` false only when the run has fewer than two full windows.
   */
  readonly firstLast: {
    readonly firstWindow: string;
    readonly lastWindow: string;
    readonly first: RateWithInterval;
    readonly last: RateWithInterval;
    readonly firstN: number;
    readonly lastN: number;
    readonly equalSize: boolean;
    /** The partial last window left out, with its own count. */
    readonly setAside: ({ readonly window: string; readonly n: number } & RateWithInterval) | null;
  } | null;
  readonly evaluation: DetectorEvaluation | null;
  readonly definitions: Readonly<Record<string, string>>;
  readonly missing: readonly string[];
}

export const UNSOLICITED_DEFINITIONS: Readonly<Record<string, string>> = {
  rate: 'unsolicited / n per window; n = classified sessions (classification) or all sessions (detector)',
  unsolicited_classification:
    "sessions classified 'non_compliant' (every non-compliance category is unsolicited)",
  unsolicited_detector:
    'sessions whose output matches at least one detector rule (docs/analyses/unsolicited.md)',
  ci95: 'Wilson score interval, 95%, no continuity correction',
  category_rate:
    'non-compliant sessions of the category / n (classification) or sessions matching a rule of the category / n (detector)',
  precision: 'detector vs simulator ground truth: TP / (TP + FP), positive = meta.true_behaviour ≠ compliant',
  recall: 'TP / (TP + FN)',
};

const rated = (count: number, n: number): RateWithInterval => ({
  count,
  rate: n === 0 ? 0 : count / n,
  ci95: n === 0 ? null : wilsonInterval(count, n),
});

/** Numeric categories by value ("2" < "10"), then text labels alphabetically; "uncategorised" last. */
function compareCategories(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  const numA = a.trim() !== '' && Number.isFinite(na);
  const numB = b.trim() !== '' && Number.isFinite(nb);
  if (numA && numB) return na - nb;
  if (numA !== numB) return numA ? -1 : 1;
  if ((a === UNCATEGORISED) !== (b === UNCATEGORISED)) return a === UNCATEGORISED ? 1 : -1;
  return a.localeCompare(b);
}

const UNCATEGORISED = 'uncategorised';
const ratioOrNull = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/**
 * Unsolicited content per window: count, rate and Wilson 95% interval, per-category rates, first vs last
 * window, and (when ground truth exists) the detector's precision and recall. Pure over per-window counts.
 *
 * @example
 * unsolicitedAnalysis({ spec: { by: 'session', size: 500 }, source: 'classification', counts }).firstLast?.first.rate
 */
export function unsolicitedAnalysis(input: UnsolicitedInput): UnsolicitedResult {
  const categories = [
    ...new Set(input.counts.flatMap((c) => c.byCategory.map((k) => k.category ?? UNCATEGORISED))),
  ].sort(compareCategories);
  const windows = input.counts.map((c): UnsolicitedWindow => {
    const info = { index: c.window, from: c.from, to: c.to, sessions: c.sessions };
    const byCategory = new Map<string, number>();
    for (const k of c.byCategory) {
      const key = k.category ?? UNCATEGORISED;
      byCategory.set(key, (byCategory.get(key) ?? 0) + k.count);
    }
    return {
      ...info,
      label: windowLabel(input.spec, info),
      n: c.n,
      ...rated(c.unsolicited, c.n),
      categories: categories.map((category) => ({ category, ...rated(byCategory.get(category) ?? 0, c.n) })),
      evidence: c.evidence ?? [],
    };
  });
  const missing = [...(input.missing ?? [])];
  if (categories.length === 0 && windows.some((w) => w.count > 0)) {
    missing.push('categories: no unsolicited session carries a category, so there are no per-category rates');
  }
  const pair = firstLastFull(
    input.spec,
    windows.filter((w) => w.n > 0),
  );
  const ev = input.evaluation;
  let evaluation: DetectorEvaluation | null = null;
  if (ev) {
    const precision = ratioOrNull(ev.truePositives, ev.truePositives + ev.falsePositives);
    const recall = ratioOrNull(ev.truePositives, ev.truePositives + ev.falseNegatives);
    const f1 =
      precision !== null && recall !== null && precision + recall > 0
        ? (2 * precision * recall) / (precision + recall)
        : null;
    evaluation = { ...ev, detector: input.detector ?? 'detector', precision, recall, f1 };
  }
  return {
    windowSpec: input.spec,
    source: input.source,
    detector: input.detector ?? null,
    windows,
    categories,
    firstLast: pair
      ? {
          firstWindow: pair.first.label,
          lastWindow: pair.last.label,
          first: rated(pair.first.count, pair.first.n),
          last: rated(pair.last.count, pair.last.n),
          firstN: pair.first.n,
          lastN: pair.last.n,
          equalSize: pair.equalSize,
          setAside: pair.setAside
            ? {
                window: pair.setAside.label,
                n: pair.setAside.n,
                ...rated(pair.setAside.count, pair.setAside.n),
              }
            : null,
        }
      : null,
    evaluation,
    definitions: UNSOLICITED_DEFINITIONS,
    missing,
  };
}
