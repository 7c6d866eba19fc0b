import { newcombeInterval } from '../../stats/newcombe-interval.ts';
import { tokenize } from '../../stats/tokenize.ts';
import type { PhaseWindowRow } from '../../store/scans/phase-scans.ts';
import {
  distinct2,
  meanComparison,
  moments,
  proportionComparison,
  sampleComparison,
  uniqueTokens,
} from './comparisons.ts';
import { complianceGaps } from './compliance-gaps.ts';
import {
  type Behaviour,
  type BehaviourCourse,
  type Count,
  type MetricComparison,
  type PhaseTransition,
  REVERSION_FAMILY_ALPHA,
  type TransitionInput,
  type TransitionResult,
  type TransitionWindow,
} from './transition-types.ts';

export { complianceGaps } from './compliance-gaps.ts';
export * from './transition-types.ts';

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
      // the family is the behaviours actually tested: observed both in the final window and in the phase
      const tested = behaviours
        .map((b) => ({ b, f: count(b, isFinal), l: count(b, inPhase) }))
        .filter(({ f, l }) => f.n > 0 && l.n > 0);
      const conf = 1 - REVERSION_FAMILY_ALPHA / Math.max(1, tested.length);
      const courses = tested.map(({ b, f, l }): BehaviourCourse => {
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
        return {
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
        };
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
