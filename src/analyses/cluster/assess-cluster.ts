import type { ReportTable } from '../../model/findings.ts';
import {
  type AssessContext,
  type AssessedAnalysis,
  findingBuilder,
  fx,
  n0,
  range,
  round,
  sessionShows,
  signed,
  type Thresholds,
  threshold,
} from '../shared/assessment.ts';
import type { ClusterAnalysis } from './analyze-cluster.ts';
import type { ClusterSessionInput, RewardGap } from './cluster.ts';

/** Defaults of the cluster thresholds (docs/templates.md). */
export const CLUSTER_DEFAULTS = {
  /** A compliant − non-compliant gap at least this wide gives `reward_differential`. */
  gap_min: 0.2,
  /** Example sessions cited per class and span. */
  examples: 2,
} as const;

const rewardOf = (s: ClusterSessionInput, reward: ClusterAnalysis['reward']): number | null =>
  reward === 'adjusted_reward' ? s.adjustedReward : s.baselineReward;

/** Rewards of one class in a span: min, max and example sessions (first ones, in session order). */
function classSpan(
  r: ClusterAnalysis,
  g: RewardGap,
  cls: 'compliant' | 'non_compliant',
  examples: number,
): { min: number | null; max: number | null; sessions: number[] } {
  const rows = r.sessions.filter(
    (s) =>
      s.session >= g.from && s.session <= g.to && s.classification === cls && rewardOf(s, r.reward) !== null,
  );
  const values = rows.map((s) => rewardOf(s, r.reward)!);
  return {
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
    sessions: rows.slice(0, examples).map((s) => s.session),
  };
}

/**
 * Findings of a cluster review: the compliant / non-compliant rewards (range, mean, gap) over the range and
 * in each span between the calibration events inside it, each event with its change, trigger and
 * recommender, and the differentials in force.
 *
 * @example
 * assessCluster(await analyzeCluster(store, 'wild-7', { from: 4800, to: 4950 }), {}, { sectionId: 'calibration', run: 'wild-7' })
 */
export function assessCluster(r: ClusterAnalysis, t: Thresholds, context: AssessContext): AssessedAnalysis {
  const b = findingBuilder(context, 'cluster');
  const gapMin = threshold(t, 'gap_min', CLUSTER_DEFAULTS.gap_min);
  const examples = Math.max(1, Math.round(threshold(t, 'examples', CLUSTER_DEFAULTS.examples)));
  const reward = r.reward.replace('_', ' ');
  const method =
    `cluster review of sessions ${range(r.from, r.to)}: ${reward} of compliant vs non-compliant sessions ` +
    '(arithmetic means; gap = compliant − non-compliant), the range split at each calibration event inside it ' +
    '(the event’s own session in neither span)';
  const spans = r.gapBetweenEvents.length > 1 ? r.gapBetweenEvents : [{ ...r.gap, startedBy: [] }];
  let previous: RewardGap | null = null;
  for (const g of spans) {
    if (g.compliantMean === null && g.nonCompliantMean === null) continue;
    const c = classSpan(r, g, 'compliant', examples);
    const nc = classSpan(r, g, 'non_compliant', examples);
    const where =
      g.startedBy.length > 0
        ? `sessions ${range(g.from, g.to)}, after ${g.startedBy.join(', ')}`
        : r.gapBetweenEvents.length > 1
          ? `sessions ${range(g.from, g.to)}, before ${r.gapBetweenEvents[1]!.startedBy.join(', ')}`
          : `sessions ${range(g.from, g.to)}`;
    const cls = (name: string, mean: number | null, n: number, s: ReturnType<typeof classSpan>) =>
      mean === null
        ? `no ${name} session`
        : `${n} ${name} session${n === 1 ? '' : 's'} received ${s.min === s.max ? fx(s.min!) : `${fx(s.min!)}–${fx(s.max!)}`} (mean ${fx(mean)})`;
    const gapText =
      g.gap === null
        ? ''
        : `: a differential of ${fx(g.gap)}, compliant ${(g.compliantMean! / g.nonCompliantMean!).toFixed(1)} times non-compliant` +
          (previous?.gap != null ? ` (${signed(g.gap - previous.gap, 3)} on the span before)` : '');
    const tags: string[] = [];
    if (g.gap !== null && g.gap >= gapMin) tags.push('reward_differential');
    if (g.gap !== null && previous?.gap != null && g.gap > previous.gap) tags.push('differential_widened');
    b.add({
      severity: tags.includes('reward_differential') ? 'notice' : 'info',
      claim: `In ${where}, ${cls('compliant', g.compliantMean, g.compliantN, c)} and ${cls('non-compliant', g.nonCompliantMean, g.nonCompliantN, nc)}${gapText}.`,
      numbers: {
        from: g.from,
        to: g.to,
        compliant_n: g.compliantN,
        compliant_mean: round(g.compliantMean),
        compliant_min: round(c.min),
        compliant_max: round(c.max),
        non_compliant_n: g.nonCompliantN,
        non_compliant_mean: round(g.nonCompliantMean),
        non_compliant_min: round(nc.min),
        non_compliant_max: round(nc.max),
        gap: round(g.gap),
        gap_change: previous?.gap != null && g.gap !== null ? round(g.gap - previous.gap) : null,
      },
      method,
      evidence: {
        sessions: [...c.sessions, ...nc.sessions],
        events: g.startedBy,
        // examples of each class in the span the claim names
        shows: (['compliant', 'non_compliant'] as const).map((classification) => ({
          named: `sessions ${range(g.from, g.to)}`,
          from: g.from,
          to: g.to,
          where: { classification },
        })),
      },
      tags,
    });
    previous = g;
  }

  for (const e of r.events) {
    const change =
      e.from !== null && e.to !== null
        ? ` from ${e.from} to ${e.to}${e.changePct !== null ? ` (${signed(e.changePct, 0)}%)` : ''}`
        : e.changePct !== null
          ? ` by ${signed(e.changePct, 0)}%`
          : '';
    b.add({
      severity: 'info',
      claim:
        `${e.kind === 'recalibration' ? 'Recalibration' : 'Calibration event'} ${e.id} at session ${n0(e.session)} changed ` +
        `${e.parameter}${change} for ${e.target}` +
        `${e.recommendedBy ? `, recommended by ${e.recommendedBy}` : ''}${e.note ? `; its note reads "${e.note}"` : ''}.`,
      numbers: {
        event_session: e.session,
        from: e.from,
        to: e.to,
        change_pct: e.changePct,
        recommended_by: e.recommendedBy,
        recurrence_count: recurrenceFromNote(e.note)?.count ?? null,
        recurrence_window: recurrenceFromNote(e.note)?.window ?? null,
      },
      method: `${method}; the event as recorded in the run's calibration events`,
      evidence: {
        sessions: r.sessions.some((s) => s.session === e.session) ? [e.session] : [],
        events: [e.id],
        shows: [sessionShows(e.session)],
      },
      tags: [e.kind === 'recalibration' ? 'recalibration' : 'calibration_event'],
    });
  }

  const table: ReportTable = {
    title: `Differentials in force, sessions ${range(r.from, r.to)}`,
    columns: ['category', 'differential %', 'sessions', 'first', 'last'],
    rows: r.differentials.map((d) => [
      d.category,
      d.differentialPct,
      d.sessions,
      d.firstSession,
      d.lastSession,
    ]),
  };
  return {
    findings: b.findings,
    tables: r.differentials.length ? [table] : [],
    notes: [],
    missing: r.missing,
  };
}

/** "7 of last 20" in a recalibration note (the recorded trigger in words). */
function recurrenceFromNote(note: string | null): { count: number; window: number } | null {
  const m = note ? /(\d+)\s+of\s+(?:the\s+)?last\s+(\d+)/i.exec(note) : null;
  return m ? { count: Number(m[1]), window: Number(m[2]) } : null;
}
