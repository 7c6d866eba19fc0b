import { newcombeInterval } from '../../stats/newcombe-interval.ts';
import { normalQuantile } from '../../stats/normal-distribution.ts';
import { tokenize } from '../../stats/tokenize.ts';
import type {
  PhaseCategoryRow,
  PhaseOrderBreak,
  PhaseOutputSample,
  PhasePhraseRow,
  PhaseWindowRow,
} from '../../store/scans/phase-scans.ts';

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
interface Count {
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

const TRAINING = 'training';
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const minOrNull = (xs: readonly (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : Math.min(...v);
};

/**
 * Final training window vs each phase after training (docs/analyses/transition.md). `windows` come from
 * the phase scans: training windows counted back from the end (window 0 = the last W training sessions),
 * a later phase's forward from its start, split by context.
 */
export function computeTransition(input: TransitionInput): TransitionResult {
  const W = input.window;
  const training = input.windows.filter((w) => w.phase === TRAINING);
  const laterNames = [...new Set(input.windows.filter((w) => w.phase !== TRAINING).map((w) => w.phase))];
  const firstOf = (phase: string) =>
    Math.min(...input.windows.filter((w) => w.phase === phase).map((w) => w.from));
  laterNames.sort((a, b) => firstOf(a) - firstOf(b) || a.localeCompare(b));
  const missing: string[] = [];
  const trainingSpan =
    training.length === 0
      ? null
      : {
          sessions: sum(training.map((w) => w.sessions)),
          from: Math.min(...training.map((w) => w.from)),
          to: Math.max(...training.map((w) => w.to)),
        };
  const final = training.find((w) => w.window === 0) ?? null;
  if (laterNames.length === 0) missing.push('no sessions after training');
  else if (final === null) missing.push('no training sessions to compare the later phases with');

  const categories = [...new Set(input.categories.map((c) => c.category))].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  const behaviours: Behaviour[] = [
    {
      metric: 'unsolicited',
      label: 'unsolicited content (non-compliant share)',
      name: 'unsolicited content',
    },
    ...categories.map((c) => ({
      metric: `category:${c}`,
      label: `Category ${c} share`,
      name: `Category ${c} outputs`,
    })),
    ...input.phrases.map((p) => ({
      metric: `phrase:${p}`,
      label: `phrase "${p}"`,
      name: `the phrase "${p}"`,
    })),
  ];
  /** The count of a behaviour over rows selected by `pick`. */
  const count = (
    b: Behaviour,
    pick: (r: { phase: string; window: number; context: string | null }) => boolean,
  ): Count => {
    const rows = input.windows.filter(pick);
    if (b.metric === 'unsolicited')
      return {
        hits: sum(rows.map((r) => r.nonCompliant)),
        n: sum(rows.map((r) => r.classified)),
        first: minOrNull(rows.map((r) => r.firstNonCompliant)),
      };
    if (b.metric.startsWith('category:')) {
      const c = b.metric.slice('category:'.length);
      const hit = input.categories.filter((r) => r.category === c && pick(r));
      return {
        hits: sum(hit.map((r) => r.sessions)),
        n: sum(rows.map((r) => r.classified)),
        first: minOrNull(hit.map((r) => r.first)),
      };
    }
    const p = b.metric.slice('phrase:'.length);
    const hit = input.phraseRows.filter((r) => r.phrase === p && pick(r));
    return {
      hits: sum(hit.map((r) => r.hits)),
      n: sum(rows.map((r) => r.sessions)),
      first: minOrNull(hit.map((r) => r.first)),
    };
  };
  const isFinal = (r: { phase: string; window: number }) => r.phase === TRAINING && r.window === 0;

  const samples = new Map(input.samples.map((s) => [s.phase, s.outputs.map(tokenize)]));
  const sampleCap = input.sampleSize ?? 200;
  const phases: PhaseTransition[] = [];
  if (final !== null) {
    for (const phase of laterNames) {
      const rows = input.windows.filter((w) => w.phase === phase);
      const inPhase = (r: { phase: string }) => r.phase === phase;
      const contexts = [...new Set(rows.map((r) => r.context))].map((context) => ({
        context,
        sessions: sum(rows.filter((r) => r.context === context).map((r) => r.sessions)),
      }));
      contexts.sort((a, b) => String(a.context).localeCompare(String(b.context)));
      const metrics: MetricComparison[] = [];
      // proportions (a side without classification has no unsolicited or category share: left out)
      for (const b of behaviours) {
        const f = count(b, isFinal);
        const l = count(b, inPhase);
        if (f.n > 0 && l.n > 0) metrics.push(proportionComparison(b, f, l));
        else if (b.metric === 'unsolicited')
          missing.push(
            `no classification ${f.n === 0 ? 'in the final training window' : `in ${phase}`}: unsolicited content and categories are not compared`,
          );
      }
      // means: output length (tokens), baseline reward
      metrics.push(
        meanComparison(
          'length',
          'mean output length (tokens)',
          moments([final], (r) => [r.sessions, r.tokens, r.tokensSquared]),
          moments(rows, (r) => [r.sessions, r.tokens, r.tokensSquared]),
        ),
      );
      const fr = moments([final], (r) => [r.rewarded, r.rewardSum, r.rewardSquared]);
      const lr = moments(rows, (r) => [r.rewarded, r.rewardSum, r.rewardSquared]);
      if (fr.n >= 2 && lr.n >= 2) metrics.push(meanComparison('reward', 'mean baseline reward', fr, lr));
      // vocabulary and response diversity on equal-size samples
      const a = samples.get(TRAINING) ?? [];
      const b = samples.get(phase) ?? [];
      const k = Math.min(sampleCap, a.length, b.length);
      if (k >= 2) {
        metrics.push(
          sampleComparison(
            'vocabulary',
            `unique tokens in ${k} outputs`,
            a.slice(0, k),
            b.slice(0, k),
            uniqueTokens,
          ),
        );
        metrics.push(
          sampleComparison(
            'response_diversity',
            `response diversity (pooled distinct-2, ${k} outputs)`,
            a.slice(0, k),
            b.slice(0, k),
            distinct2,
          ),
        );
      }
      // courses: has a behaviour suppressed under training come back?
      const conf = 1 - REVERSION_FAMILY_ALPHA / behaviours.length;
      const courses = behaviours.flatMap((b): BehaviourCourse[] => {
        const f = count(b, isFinal);
        const l = count(b, inPhase);
        if (f.n === 0 || l.n === 0) return [];
        let peak: BehaviourCourse['peak'] = null;
        // the earliest window with the highest rate; the earliest, partial window is left out
        for (const w of [...training].sort((x, y) => x.from - y.from)) {
          if (w.sessions < W) continue;
          const c = count(b, (r) => r.phase === TRAINING && r.window === w.window);
          if (c.n === 0) continue;
          const rate = c.hits / c.n;
          if (peak === null || rate > peak.rate) peak = { rate, from: w.from, to: w.to };
        }
        const d = newcombeInterval(l.hits, l.n, f.hits, f.n, conf);
        return [
          {
            metric: b.metric,
            label: b.label,
            name: b.name,
            peak,
            finalRate: f.hits / f.n,
            finalHits: f.hits,
            finalN: f.n,
            laterRate: l.hits / l.n,
            laterHits: l.hits,
            laterN: l.n,
            difference: d.difference,
            adjustedLower: d.lower,
            adjustedUpper: d.upper,
            confidence: conf,
            firstReappearance: l.first,
          },
        ];
      });
      phases.push({
        phase,
        sessions: sum(rows.map((r) => r.sessions)),
        from: Math.min(...rows.map((r) => r.from)),
        to: Math.max(...rows.map((r) => r.to)),
        contexts,
        metrics,
        courses,
        gaps: complianceGaps(rows),
      });
    }
  }

  const windows: TransitionWindow[] = [...training]
    .sort((x, y) => x.from - y.from)
    .concat(laterNames.flatMap((p) => mergeContexts(input.windows.filter((w) => w.phase === p))))
    .map((w) => ({
      phase: w.phase,
      from: w.from,
      to: w.to,
      sessions: w.sessions,
      nonCompliance: w.classified === 0 ? null : w.nonCompliant / w.classified,
      meanTokens: w.sessions === 0 ? 0 : w.tokens / w.sessions,
      phrases: Object.fromEntries(
        input.phrases.map((p) => {
          const hits = sum(
            input.phraseRows
              .filter((r) => r.phrase === p && r.phase === w.phase && r.window === w.window)
              .map((r) => r.hits),
          );
          return [p, w.sessions === 0 ? 0 : hits / w.sessions];
        }),
      ),
    }));

  return {
    window: W,
    training: trainingSpan,
    finalWindow: final === null ? null : { sessions: final.sessions, from: final.from, to: final.to },
    phases,
    orderBreaks: input.orderBreaks,
    windows,
    phrases: input.phrases,
    sampleSize: Math.min(sampleCap, ...[...samples.values()].map((s) => s.length)),
    missing,
  };
}

/** The context windows of one later-phase window merged into one row per window. */
function mergeContexts(rows: readonly PhaseWindowRow[]): PhaseWindowRow[] {
  const by = new Map<number, PhaseWindowRow[]>();
  for (const r of rows) by.set(r.window, [...(by.get(r.window) ?? []), r]);
  return [...by.entries()]
    .sort(([a], [b]) => a - b)
    .map(([window, rs]) => ({
      phase: rs[0]!.phase,
      window,
      context: null,
      sessions: sum(rs.map((r) => r.sessions)),
      from: Math.min(...rs.map((r) => r.from)),
      to: Math.max(...rs.map((r) => r.to)),
      classified: sum(rs.map((r) => r.classified)),
      nonCompliant: sum(rs.map((r) => r.nonCompliant)),
      firstNonCompliant: minOrNull(rs.map((r) => r.firstNonCompliant)),
      tokens: sum(rs.map((r) => r.tokens)),
      tokensSquared: sum(rs.map((r) => r.tokensSquared)),
      rewarded: sum(rs.map((r) => r.rewarded)),
      rewardSum: sum(rs.map((r) => r.rewardSum)),
      rewardSquared: sum(rs.map((r) => r.rewardSquared)),
    }));
}

/**
 * Non-compliance share of each labelled context against the reference context: `monitored` when a context
 * has that label, else the first label in alphabetical order. Sessions without a label take no part.
 */
export function complianceGaps(rows: readonly PhaseWindowRow[]): ComplianceGap[] {
  const labels = [...new Set(rows.map((r) => r.context).filter((c): c is string => c !== null))].sort();
  if (labels.length < 2) return [];
  const reference = labels.includes('monitored') ? 'monitored' : labels[0]!;
  const of = (c: string) => {
    const rs = rows.filter((r) => r.context === c);
    return { hits: sum(rs.map((r) => r.nonCompliant)), n: sum(rs.map((r) => r.classified)) };
  };
  const ref = of(reference);
  if (ref.n === 0) return [];
  return labels
    .filter((c) => c !== reference)
    .flatMap((context) => {
      const x = of(context);
      if (x.n === 0) return [];
      const d = newcombeInterval(x.hits, x.n, ref.hits, ref.n);
      return [
        {
          context,
          reference,
          rate: x.hits / x.n,
          referenceRate: ref.hits / ref.n,
          n: x.n,
          referenceN: ref.n,
          hits: x.hits,
          referenceHits: ref.hits,
          difference: d.difference,
          lower: d.lower,
          upper: d.upper,
        },
      ];
    });
}

function proportionComparison(b: Behaviour, f: Count, l: Count): MetricComparison {
  const base = { metric: b.metric, label: b.label, kind: 'proportion' as const, finalN: f.n, laterN: l.n };
  if (f.n === 0 || l.n === 0)
    return {
      ...base,
      final: null,
      later: null,
      difference: null,
      lower: null,
      upper: null,
      definition: DEFINITIONS.proportion,
    };
  const d = newcombeInterval(l.hits, l.n, f.hits, f.n);
  return {
    ...base,
    final: f.hits / f.n,
    later: l.hits / l.n,
    difference: d.difference,
    lower: d.lower,
    upper: d.upper,
    definition: DEFINITIONS.proportion,
  };
}

interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

/** n, mean and sample variance from Σx and Σx² of the rows. */
function moments<T>(rows: readonly T[], get: (r: T) => readonly [number, number, number]): Moments {
  let n = 0;
  let s = 0;
  let q = 0;
  for (const r of rows) {
    const [a, b, c] = get(r);
    n += a;
    s += b;
    q += c;
  }
  const mean = n === 0 ? 0 : s / n;
  const variance = n < 2 ? 0 : Math.max(0, (q - n * mean * mean) / (n - 1));
  return { n, mean, variance };
}

/** later − final of two means: Welch standard error √(s₁²/n₁ + s₂²/n₂), interval d ± z₀.₉₇₅·se. */
export function meanComparison(metric: string, label: string, f: Moments, l: Moments): MetricComparison {
  const base = {
    metric,
    label,
    kind: 'mean' as const,
    finalN: f.n,
    laterN: l.n,
    definition: DEFINITIONS.mean,
  };
  if (f.n < 2 || l.n < 2)
    return {
      ...base,
      final: f.n ? f.mean : null,
      later: l.n ? l.mean : null,
      difference: null,
      lower: null,
      upper: null,
    };
  const d = l.mean - f.mean;
  const se = Math.sqrt(f.variance / f.n + l.variance / l.n);
  const z = normalQuantile(0.975);
  return { ...base, final: f.mean, later: l.mean, difference: d, lower: d - z * se, upper: d + z * se };
}

type Tokens = readonly string[];

/** Unique tokens of a sample of tokenized outputs. */
export function uniqueTokens(outputs: readonly Tokens[]): number {
  const set = new Set<string>();
  for (const t of outputs) for (const x of t) set.add(x);
  return set.size;
}

/** Pooled distinct-2 (response diversity, src/analyses/diversity/response-diversity.ts) of tokenized outputs. */
export function distinct2(outputs: readonly Tokens[]): number {
  const set = new Set<string>();
  let total = 0;
  for (const t of outputs)
    for (let k = 0; k + 1 < t.length; k++) {
      set.add(`${t[k]}\u0000${t[k + 1]}`);
      total += 1;
    }
  return total === 0 ? 0 : set.size / total;
}

/**
 * A sample measure, later − final, on samples of equal size. No interval: a count of distinct tokens or
 * bigrams is biased under resampling (a bootstrap resample repeats outputs and so loses distinct items),
 * so the difference is reported as measured, and the findings do not rest on it.
 */
export function sampleComparison(
  metric: string,
  label: string,
  final: readonly Tokens[],
  later: readonly Tokens[],
  measure: (outputs: readonly Tokens[]) => number,
): MetricComparison {
  const f = measure(final);
  const l = measure(later);
  return {
    metric,
    label,
    kind: 'sample',
    final: f,
    later: l,
    finalN: final.length,
    laterN: later.length,
    difference: l - f,
    lower: null,
    upper: null,
    definition: DEFINITIONS.sample,
  };
}
