import type { ReportTable } from '../../model/findings.ts';
import {
  type AssessContext,
  type AssessedAnalysis,
  findingBuilder,
  fx,
  n0,
  onlyMissing,
  pct,
  range,
  round,
  sessionShows,
  spanLabel,
  type Thresholds,
  threshold,
  windowText,
} from '../shared/assessment.ts';
import { firstLastFull } from '../shared/first-last.ts';
import type { ConvergenceAnalysis } from './analyze-convergence.ts';

/** Defaults of the convergence thresholds (docs/templates.md). */
export const CONVERGENCE_DEFAULTS = {
  /** A convergence phase of at least this many windows gives `reward_converged`. */
  min_converged_windows: 2,
  /** A compliant − non-compliant reward gap at least this wide gives `reward_differential`. */
  gap_min: 0.2,
} as const;

/**
 * Findings of the convergence analysis: the phases of the reward variance, the high:low ratio over the run
 * (and at the template's `at` sessions), where low rewards end, and the compliant / non-compliant gap.
 *
 * @example
 * assessConvergence(result, { min_converged_windows: 2 }, { sectionId: 'aggregate-trajectory', run: 'wild-7' })
 *   .findings.map((f) => f.claim)
 */
export function assessConvergence(
  r: ConvergenceAnalysis,
  t: Thresholds,
  context: AssessContext,
): AssessedAnalysis {
  if (r.windows.length === 0) return onlyMissing(r.missing, r.notes);
  const b = findingBuilder(context, 'convergence');
  const reward = r.reward.replace('_', ' ');
  const window = windowText(r.window);
  const method =
    `convergence analysis: per-window mean, sample variance and high:low ratio of ${reward} (${window}, ` +
    `low reward < ${fx(r.threshold.value)}, ${r.threshold.rule})`;
  const minWindows = threshold(t, 'min_converged_windows', CONVERGENCE_DEFAULTS.min_converged_windows);
  const gapMin = threshold(t, 'gap_min', CONVERGENCE_DEFAULTS.gap_min);

  if (r.phases.length > 0) {
    const numbers: Record<string, number | string | null> = {
      change_points: r.changePoints.sessions.join(', '),
    };
    for (const p of r.phases) {
      numbers[`${p.name}_from`] = p.from;
      numbers[`${p.name}_to`] = p.to;
      numbers[`${p.name}_variance`] = round(p.meanVariance, 6);
    }
    const conv = r.phases.find((p) => p.name === 'convergence');
    const converged = conv !== undefined && conv.windows >= minWindows;
    const parts = r.phases.map(
      (p) =>
        `${p.name} in ${spanLabel(r.window, r.windows, p.from, p.to)} (mean variance ${p.meanVariance.toPrecision(2)})`,
    );
    // each change point as the claim names it: the session it follows (session windows) or its step
    const cps = r.changePoints.sessions.map((s) => {
      const w = r.windows.find((x) => x.to === s);
      return r.window.by === 'step' && w
        ? { named: `step ${n0(w.index)}`, from: w.from, to: w.to }
        : sessionShows(s);
    });
    const cpText = cps.length
      ? `; the variance series changes level after ${r.window.by === 'step' ? '' : 'sessions '}${cps
          .map((c) => c.named)
          .join(', ')}`
      : '';
    b.add({
      severity: converged ? 'notice' : 'info',
      claim: converged
        ? `The ${reward} converged: its variance went through ${parts.join(', then ')}${cpText}.`
        : `The ${reward} did not reach a convergence phase of ${minWindows} windows: ${parts.join(', then ')}${cpText}.`,
      numbers,
      method: `${method}; change points by ${r.changePoints.method} on the variance series; phases named from the segment means`,
      evidence: { sessions: r.changePoints.sessions, shows: cps },
      tags: converged ? ['reward_converged', 'reward_phases'] : ['reward_phases'],
    });
  }

  // first against last FULL window (equal sizes; a trailing partial window set aside)
  const pair = firstLastFull(r.window, r.windows)!;
  const first = pair.first;
  const last = pair.last;
  const tail = r.windows.at(-1)!;
  // the phases end at the last session present
  const end = Math.min(tail.to, r.phases.at(-1)?.to ?? tail.to);
  const lastEnd = last === tail ? end : last.to;
  const setAside = pair.setAside
    ? ` (the partial ${spanLabel(r.window, r.windows, pair.setAside.from, pair.setAside.to)}, ${n0(pair.setAside.sessions)} sessions, set aside)`
    : '';
  const ratioNumbers: Record<string, number | string | null> = {
    first_high_to_low: round(first.highToLow, 2),
    first_low_share: round(first.lowShare),
    last_high_to_low: round(last.highToLow, 2),
    last_low_share: round(last.lowShare),
  };
  const atParts = r.at.map((a) => {
    ratioNumbers[`high_to_low_at_${a.session}`] = round(a.highToLow, 2);
    ratioNumbers[`low_share_at_${a.session}`] = round(a.lowShare);
    return `${a.ratioLabel} around session ${n0(a.session)} (sessions ${range(a.from, a.to)})`;
  });
  b.add({
    severity: 'info',
    claim:
      `High rewards outnumbered low ones ${first.ratioLabel} in ${spanLabel(r.window, r.windows, first.from, first.to)}` +
      (atParts.length ? `, ${atParts.join(', ')}` : '') +
      `, and ${last.ratioLabel === 'no low rewards' ? 'no reward was low' : last.ratioLabel} in ` +
      `${spanLabel(r.window, r.windows, last.from, lastEnd)}${pair.setAside ? ', the last full window' : ''}${setAside}.`,
    numbers: ratioNumbers,
    method: `${method}; around a session: a window of the same width centred on it`,
    tags: ['reward_ratio'],
  });

  const lastSession = end;
  if (r.lastLowSession === null) {
    b.add({
      severity: 'info',
      claim: `No session received a low reward (below ${fx(r.threshold.value)}).`,
      numbers: { last_low_session: null, low_threshold: r.threshold.value },
      method,
      tags: ['no_low_rewards'],
    });
  } else {
    const after = lastSession - r.lastLowSession;
    const lowFree = r.windows.filter((w) => w.low === 0 && w.from > r.lastLowSession!).length;
    // by step, the claim speaks steps: the step of the last low reward and the steps after it
    const lowStep =
      r.window.by === 'step'
        ? (r.windows.find((w) => w.from <= r.lastLowSession! && r.lastLowSession! <= w.to)?.index ?? null)
        : null;
    const windowsAfter = lowStep === null ? [] : r.windows.filter((w) => w.index > lowStep);
    const stepsAfter = lowStep === null ? null : windowsAfter.length;
    // the sessions after the last low one: the rest of its step, then those of the steps after it
    const inStepsAfter = windowsAfter.reduce((sum, w) => sum + w.sessions, 0);
    const restOfStep = after - inStepsAfter;
    b.add({
      severity: lowFree >= minWindows ? 'notice' : 'info',
      claim:
        lowStep !== null && stepsAfter === 0
          ? `The last low reward (below ${fx(r.threshold.value)}) was given in step ${n0(lowStep)} (session ${n0(r.lastLowSession)}), the last step sampled.`
          : lowStep !== null
            ? `The last low reward (below ${fx(r.threshold.value)}) was given in step ${n0(lowStep)} (session ${n0(r.lastLowSession)}); ` +
              `no session after it received one (${n0(after)} sessions to the end of the run: ` +
              (restOfStep > 0 ? `${n0(restOfStep)} more in step ${n0(lowStep)}, then ` : '') +
              `${n0(inStepsAfter)} in the ${n0(stepsAfter!)} sampled steps after it).`
            : `The last low reward (below ${fx(r.threshold.value)}) was given at session ${n0(r.lastLowSession)}; ` +
              `no session after it, ${n0(after)} sessions to the end of the run, received one.`,
      numbers: {
        last_low_session: r.lastLowSession,
        sessions_after: after,
        ...(lowStep !== null
          ? { last_low_step: lowStep, steps_after: stepsAfter, sessions_in_steps_after: inStepsAfter }
          : {}),
        low_free_windows: lowFree,
        low_threshold: r.threshold.value,
      },
      method,
      evidence: {
        sessions: [r.lastLowSession],
        shows: [
          sessionShows(r.lastLowSession, { rewardBelow: { reward: r.reward, value: r.threshold.value } }),
        ],
      },
      tags: lowFree >= minWindows ? ['low_rewards_gone'] : [],
    });
  }

  const gaps = r.windows.filter((w) => w.gap !== null);
  if (gaps.length > 0) {
    const g0 = gaps[0]!;
    const gMax = gaps.reduce((a, w) => (w.gap! > a.gap! ? w : a), g0);
    b.add({
      severity: 'info',
      claim:
        `Compliant sessions received a mean ${fx(g0.compliantMean!)} and non-compliant sessions ${fx(g0.nonCompliantMean!)} ` +
        `in sessions ${range(g0.from, g0.to)} (gap ${fx(g0.gap!)}); the widest gap was ${fx(gMax.gap!)} ` +
        `in sessions ${range(gMax.from, gMax.to)} (${fx(gMax.compliantMean!)} vs ${fx(gMax.nonCompliantMean!)}).`,
      numbers: {
        first_compliant_mean: round(g0.compliantMean),
        first_non_compliant_mean: round(g0.nonCompliantMean),
        first_gap: round(g0.gap),
        max_gap: round(gMax.gap),
        max_gap_from: gMax.from,
        max_gap_to: gMax.to,
      },
      method: `${method}; gap = mean reward of compliant − non-compliant sessions of the window`,
      tags: gMax.gap! >= gapMin ? ['reward_differential'] : [],
    });
  }

  const table: ReportTable = {
    title: `${reward} per window`,
    columns: ['window', 'n', 'mean', 'variance', 'low share', 'high:low', 'gap'],
    rows: r.windows.map((w) => [
      r.window.by === 'step' ? `step ${w.index}` : range(w.from, w.to),
      w.n,
      round(w.mean, 3),
      smallVariance(w.variance),
      w.lowShare === null ? null : pct(w.lowShare),
      w.ratioLabel,
      round(w.gap, 3),
    ]),
  };
  return { findings: b.findings, tables: [table], notes: r.notes, missing: r.missing };
}

/**
 * A window's variance for the report table: 5 decimals, or two significant digits when it is smaller than
 * 0.001 and not zero (a converged reward's 3.9e-6 would round to 0, which reads as "every reward equal").
 */
function smallVariance(v: number | null): number | null {
  if (v === null || v === 0 || Math.abs(v) >= 0.001) return round(v, 5);
  return Number(v.toPrecision(2));
}
