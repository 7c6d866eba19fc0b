import type { ReportTable } from '../../model/findings.ts';
import {
  type AssessContext,
  type AssessedAnalysis,
  findingBuilder,
  n0,
  onlyMissing,
  pct,
  range,
  round,
  sessionShows,
  signed,
  type Thresholds,
  threshold,
} from '../shared/assessment.ts';
import type { InterventionsResult } from './analyze-interventions.ts';
import type { InterventionEffect, InterventionEvent } from './interventions.ts';

/** Defaults of the interventions thresholds (docs/templates.md). */
export const INTERVENTIONS_DEFAULTS = {
  /** Significance level of the before/after change (two-proportion z test, Newcombe interval excludes 0). */
  alpha: 0.05,
  /** A counterfactual true effect smaller than this, in percentage points, is "no effect". */
  true_effect_min_pp: 0.5,
} as const;

const KIND: Readonly<Record<string, string>> = {
  scheduled_adjustment: 'scheduled adjustment',
  recalibration: 'recalibration',
};

/** "scheduled adjustment e-1 at session 2,500 (category_differential 12 → 15, +25%, recommended by …)". */
export function describeEvent(e: InterventionEvent): string {
  const parts: string[] = [];
  if (e.from !== null && e.to !== null) parts.push(`${e.parameter} ${e.from} → ${e.to}`);
  else parts.push(e.parameter);
  if (typeof e.changePct === 'number') parts.push(`${signed(e.changePct, 0)}%`);
  const tr = e.trigger;
  if (tr && typeof tr.count === 'number' && typeof tr.window === 'number')
    parts.push(`triggered by ${tr.count} of the last ${tr.window} sessions`);
  if (e.recommendedBy) parts.push(`recommended by ${e.recommendedBy}`);
  return `${KIND[e.kind] ?? e.kind} ${e.id} at session ${n0(e.session)} (${parts.join(', ')})`;
}

/** The direction the event was designed to move its behaviour: a widened differential penalizes it more. */
export function designedDirection(event: InterventionEvent): 'decrease' | 'increase' {
  return event.from !== null && event.to !== null && event.to < event.from ? 'increase' : 'decrease';
}

/**
 * Findings of the interventions analysis: per event, the targeted behaviour before vs after (absolute and
 * relative change, Newcombe 95% interval, p), tagged `intervention_effect` only when the change is significant
 * at `alpha` in the designed direction; and, on simulated runs, the counterfactual true effect, tagged
 * `intervention_confounded` when the before/after interval does not contain it or other events overlap.
 *
 * @example
 * assessInterventions(result, { alpha: 0.05 }, { sectionId: 'adjustment-history', run: 'wild-7' })
 */
export function assessInterventions(
  r: InterventionsResult,
  t: Thresholds,
  context: AssessContext,
): AssessedAnalysis {
  if (r.events.length === 0) return onlyMissing(r.missing);
  const b = findingBuilder(context, 'interventions');
  const alpha = threshold(t, 'alpha', INTERVENTIONS_DEFAULTS.alpha);
  const minPp = threshold(t, 'true_effect_min_pp', INTERVENTIONS_DEFAULTS.true_effect_min_pp);
  for (const e of r.events) assessEvent(b, e, alpha, minPp);
  const table: ReportTable = {
    title: 'Calibration events and their targeted behaviour',
    columns: [
      'event',
      'session',
      'behaviour',
      'h',
      'before',
      'after',
      'Δ pp',
      'Δ %',
      '95% (pp)',
      'p',
      'true (pp)',
    ],
    rows: r.events.map((e) => [
      e.event.id,
      e.event.session,
      e.behaviour,
      e.horizon,
      `${e.before.hits}/${e.before.sessions}`,
      `${e.after.hits}/${e.after.sessions}`,
      round(e.absoluteChangePp, 1),
      round(e.relativeChangePct, 1),
      e.newcombe ? `${(e.newcombe.lower * 100).toFixed(1)} to ${(e.newcombe.upper * 100).toFixed(1)}` : null,
      e.test ? Number(e.test.p.toPrecision(2)) : null,
      e.truth ? round(e.truth.effect * 100, 1) : null,
    ]),
  };
  return {
    findings: b.findings,
    tables: [table],
    notes: [
      'The before/after interval is for the change between the windows, not for the causal effect of the event; ' +
        'on simulated runs the counterfactual replay gives that effect.',
    ],
    missing: r.missing,
  };
}

function assessEvent(
  b: ReturnType<typeof findingBuilder>,
  e: InterventionEffect,
  alpha: number,
  minPp: number,
): void {
  const ev = e.event;
  const dir = designedDirection(ev);
  const method =
    `interventions analysis: ${e.behaviour} rate in the ${e.horizon} sessions up to the event vs the ${e.horizon} after; ` +
    `Newcombe (1998) hybrid score 95% interval of the difference, pooled two-proportion z test, α = ${alpha}`;
  // the event's session, which the claim names (a later last occurrence is the recurrence finding's)
  const evidence = { sessions: [ev.session], events: [ev.id], shows: [sessionShows(ev.session)] };
  if (e.before.rate === null || e.after.rate === null || e.absoluteChangePp === null) {
    b.add({
      severity: 'info',
      claim: `The ${e.behaviour} rate around ${describeEvent(ev)} cannot be compared: ${e.notes.join('; ') || 'no sessions'}.`,
      numbers: { event: ev.id, event_session: ev.session },
      method,
      evidence,
      tags: ['intervention_unmeasured'],
    });
    return;
  }
  const nc = e.newcombe!;
  const p = e.test?.p ?? 1;
  const significant = p < alpha && (nc.upper < 0 || nc.lower > 0);
  const designed = dir === 'decrease' ? e.absoluteChangePp < 0 : e.absoluteChangePp > 0;
  const moved = e.absoluteChangePp < 0 ? 'fell' : e.absoluteChangePp > 0 ? 'rose' : 'stayed';
  const rel = e.relativeChangePct === null ? '' : `, ${signed(e.relativeChangePct)}% relative`;
  const iv = `${signed(nc.lower * 100)} to ${signed(nc.upper * 100)} pp`;
  const tags = [significant && designed ? 'intervention_effect' : 'intervention_no_effect'];
  const confounded = e.overlaps.length > 0 || (e.truth !== null && !e.truth.naiveCovers);
  if (confounded) tags.push('intervention_confounded');
  b.add({
    severity: significant && designed ? 'notice' : 'info',
    claim:
      `After ${describeEvent(ev)}, the ${e.behaviour} rate ${moved} from ${pct(e.before.rate)} ` +
      `(${e.before.hits} of ${e.before.sessions}, sessions ${range(e.before.from, e.before.to)}) to ${pct(e.after.rate)} ` +
      `(${e.after.hits} of ${e.after.sessions}, sessions ${range(e.after.from, e.after.to)}): ` +
      `${signed(e.absoluteChangePp)} percentage points${rel}, 95% interval ${iv}, p = ${p.toPrecision(2)}, ` +
      (significant
        ? `significant at α = ${alpha}${designed ? ' in the designed direction' : ' but against the designed direction'}.`
        : `not significant at α = ${alpha}.`),
    numbers: {
      event: ev.id,
      event_kind: ev.kind,
      event_session: ev.session,
      behaviour: e.behaviour,
      horizon: e.horizon,
      before_rate: round(e.before.rate),
      after_rate: round(e.after.rate),
      absolute_change_pp: round(e.absoluteChangePp, 2),
      relative_change_pct: round(e.relativeChangePct, 2),
      ci_lower_pp: round(nc.lower * 100, 2),
      ci_upper_pp: round(nc.upper * 100, 2),
      p: Number(p.toPrecision(3)),
      significant: significant ? 1 : 0,
      designed_direction: dir,
      true_effect_pp: e.truth ? round(e.truth.effect * 100, 2) : null,
      overlaps: e.overlaps.join(', ') || null,
    },
    method,
    evidence,
    tags,
  });
  if (e.truth) {
    const pp = e.truth.effect * 100;
    const none = Math.abs(pp) < minPp;
    b.add({
      severity: confounded ? 'warning' : 'info',
      claim:
        `The counterfactual replay without ${ev.id} gives a ${e.behaviour} rate of ${pct(e.truth.counterfactualAfterRate)} ` +
        `in sessions ${range(e.after.from, e.after.to)} against ${pct(e.truth.factualAfterRate)} with it: ` +
        (none
          ? `no effect of the event itself (${signed(pp)} pp)`
          : `a true effect of ${signed(pp)} percentage points`) +
        (e.truth.naiveCovers
          ? ', inside the before/after interval.'
          : `, outside the before/after interval ${iv}.`),
      numbers: {
        event: ev.id,
        true_effect_pp: round(pp, 2),
        counterfactual_rate: round(e.truth.counterfactualAfterRate),
        factual_rate: round(e.truth.factualAfterRate),
        naive_covers: e.truth.naiveCovers ? 1 : 0,
      },
      method:
        'counterfactual replay of the simulated run without the event (same seed): true effect = factual − counterfactual after rate',
      // the claim names the event, not its session: the event is the evidence
      evidence: { events: [ev.id] },
      tags: [none ? 'no_true_effect' : 'true_effect', ...(confounded ? ['intervention_confounded'] : [])],
    });
  }
  if (e.overlaps.length > 0) {
    b.add({
      severity: 'warning',
      claim: `Events ${e.overlaps.join(', ')} fall within ${e.horizon} sessions of ${ev.id}, so its before/after windows mix their effects.`,
      numbers: { event: ev.id, overlaps: e.overlaps.join(', ') },
      method,
      evidence: { events: [ev.id, ...e.overlaps] },
      tags: ['intervention_confounded'],
    });
  }
}
