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
import { designedDirection, type InterventionEffect, type InterventionEvent } from './interventions.ts';

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

export { designedDirection } from './interventions.ts';

const HORIZON_FROM: Readonly<Record<InterventionEffect['horizonSource'], string>> = {
  protocol: 'from the protocol',
  'event entry': 'set for this event',
  default: 'by default',
};

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
      'timing',
      'before',
      'after',
      'Δ pp',
      'Δ %',
      '95% (pp)',
      'p',
      'placebo effect 95% (pp)',
      'true (pp)',
    ],
    rows: r.events.map((e) => [
      e.event.id,
      e.event.session,
      e.behaviour,
      e.horizon,
      e.origin.endogenous ? 'endogenous' : 'scheduled',
      `${e.before.hits}/${e.before.sessions}`,
      `${e.after.hits}/${e.after.sessions}`,
      round(e.absoluteChangePp, 1),
      round(e.relativeChangePct, 1),
      // an endogenous event's before/after is not tested: no interval, no p (see its finding)
      e.newcombe && !e.origin.endogenous
        ? `${(e.newcombe.lower * 100).toFixed(1)} to ${(e.newcombe.upper * 100).toFixed(1)}`
        : null,
      e.test && !e.origin.endogenous ? Number(e.test.p.toPrecision(2)) : null,
      e.placebo?.effectInterval
        ? `${(e.placebo.effectInterval.lower * 100).toFixed(1)} to ${(e.placebo.effectInterval.upper * 100).toFixed(1)}`
        : null,
      e.truth ? round(e.truth.effect * 100, 1) : null,
    ]),
  };
  return {
    findings: b.findings,
    tables: [table],
    notes: [
      'The before/after interval is for the change between the windows, not for the causal effect of the event; ' +
        'on simulated runs the counterfactual replay gives that effect. Endogenous (rule-triggered) events get no ' +
        'before/after interval or p: their window was selected by the behaviour.',
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
    `interventions analysis: ${e.behaviour} rate in the ${e.horizon} sessions before the event vs the ${e.horizon} after ` +
    `(the event's session in neither); ` +
    (e.origin.endogenous
      ? 'an endogenous event: no before/after test; counterfactual replay (simulated runs) or placebo band of the same trigger rule'
      : `Newcombe (1998) hybrid score 95% interval of the difference, pooled two-proportion z test, α = ${alpha}`);
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
  const rel = e.relativeChangePct === null ? '' : `, ${signed(e.relativeChangePct)}% relative`;
  const iv = `${signed(nc.lower * 100)} to ${signed(nc.upper * 100)} pp`;
  const moved = e.absoluteChangePp < 0 ? 'fell' : e.absoluteChangePp > 0 ? 'rose' : 'stayed';
  const windows =
    `from ${pct(e.before.rate)} (${e.before.hits} of ${e.before.sessions}, sessions ${range(e.before.from, e.before.to)}) ` +
    `to ${pct(e.after.rate)} (${e.after.hits} of ${e.after.sessions}, sessions ${range(e.after.from, e.after.to)}; ` +
    `horizon ${n0(e.horizon)} ${HORIZON_FROM[e.horizonSource]})`;
  const confounded = e.overlaps.length > 0 || (e.truth !== null && !e.truth.naiveCovers);
  const common = {
    event: ev.id,
    event_kind: ev.kind,
    event_session: ev.session,
    behaviour: e.behaviour,
    horizon: e.horizon,
    horizon_source: e.horizonSource,
    endogenous: e.origin.endogenous ? 1 : 0,
    before_rate: round(e.before.rate),
    after_rate: round(e.after.rate),
    absolute_change_pp: round(e.absoluteChangePp, 2),
    relative_change_pct: round(e.relativeChangePct, 2),
  };
  if (e.origin.endogenous) {
    assessEndogenous(b, e, { alpha, windows, moved, rel, common });
  } else {
    const significant = p < alpha && (nc.upper < 0 || nc.lower > 0);
    const designed = dir === 'decrease' ? e.absoluteChangePp < 0 : e.absoluteChangePp > 0;
    const tags = [significant && designed ? 'intervention_effect' : 'intervention_no_effect'];
    if (confounded) tags.push('intervention_confounded');
    b.add({
      severity: significant && designed ? 'notice' : 'info',
      claim:
        `After ${describeEvent(ev)}, the ${e.behaviour} rate ${moved} ${windows}: ` +
        `${signed(e.absoluteChangePp)} percentage points${rel}, 95% interval ${iv}, p = ${p.toPrecision(2)}, ` +
        (significant
          ? `significant at α = ${alpha}${designed ? ' in the designed direction' : ' but against the designed direction'}.`
          : `not significant at α = ${alpha}.`),
      numbers: {
        ...common,
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
  }
  if (e.truth) {
    const pp = e.truth.effect * 100;
    const none = Math.abs(pp) < minPp;
    b.add({
      severity: !e.origin.endogenous && confounded ? 'warning' : none ? 'info' : 'notice',
      claim:
        `The counterfactual replay without ${ev.id} gives a ${e.behaviour} rate of ${pct(e.truth.counterfactualAfterRate)} ` +
        `in sessions ${range(e.after.from, e.after.to)} against ${pct(e.truth.factualAfterRate)} with it: ` +
        (none
          ? `no effect of the event itself (${signed(pp)} pp)`
          : `a true effect of ${signed(pp)} percentage points`) +
        (e.origin.endogenous
          ? ' (the counterfactual replay is the selection-aware method used for this rule-triggered event).'
          : e.truth.naiveCovers
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
      tags: [
        none ? 'no_true_effect' : 'true_effect',
        ...(!e.origin.endogenous && confounded ? ['intervention_confounded'] : []),
      ],
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

/**
 * An endogenous event: the before/after change is described, never tested as an effect (its window was
 * selected by the outcome); the effect is judged by the counterfactual replay (its own finding) or, on a
 * real run, by the placebo band of the same trigger rule, and the finding says which it used.
 */
function assessEndogenous(
  b: ReturnType<typeof findingBuilder>,
  e: InterventionEffect,
  o: {
    alpha: number;
    windows: string;
    moved: string;
    rel: string;
    common: Record<string, string | number | null>;
  },
): void {
  const ev = e.event;
  const change = `${signed(e.absoluteChangePp!)} percentage points${o.rel}`;
  const selected =
    `${ev.id} is endogenous (${e.origin.reason}), so this change is not a measure of its effect: ` +
    'regression to the mean alone predicts a fall after a surge, and no significance is stated for it.';
  const pl = e.placebo;
  const placeboNumbers = {
    selection_method: e.selection,
    placebo_points: pl ? pl.points.length : null,
    placebo_mean_pp: pl?.mean == null ? null : round(pl.mean * 100, 2),
    placebo_lower_pp: pl?.band ? round(pl.band.lower * 100, 2) : null,
    placebo_upper_pp: pl?.band ? round(pl.band.upper * 100, 2) : null,
    effect_lower_pp: pl?.effectInterval ? round(pl.effectInterval.lower * 100, 2) : null,
    effect_upper_pp: pl?.effectInterval ? round(pl.effectInterval.upper * 100, 2) : null,
    placebo_p: pl?.p == null ? null : Number(pl.p.toPrecision(3)),
  };
  b.add({
    severity: 'info',
    claim: `Around ${describeEvent(ev)}, the ${e.behaviour} rate ${o.moved} ${o.windows}: ${change}. ${selected}`,
    numbers: {
      ...o.common,
      ...placeboNumbers,
      true_effect_pp: e.truth ? round(e.truth.effect * 100, 2) : null,
    },
    method:
      'interventions analysis, endogenous event: before/after described without a test (a window chosen by the ' +
      'outcome); docs/analyses/interventions.md, "Endogenous events"',
    // the event and its session: the windows' counts are the claim, the last occurrence is not
    evidence: { sessions: [ev.session], events: [ev.id], shows: [sessionShows(ev.session)] },
    tags: ['intervention_endogenous'],
  });
  if (e.selection === 'counterfactual replay') return;
  const rule = pl ? `${pl.rule.count} of the last ${pl.rule.window}` : null;
  if (pl?.band && pl.effectInterval && pl.mean !== null && pl.p !== null) {
    const dir = designedDirection(ev);
    const beyond = dir === 'decrease' ? pl.effectInterval.upper < 0 : pl.effectInterval.lower > 0;
    const claimed = beyond && pl.p < o.alpha;
    const cited = pl.points.slice(0, 5);
    b.add({
      severity: claimed ? 'notice' : 'info',
      claim:
        `Placebo test of ${ev.id} at session ${n0(ev.session)}: at ${pl.points.length} other sessions where its trigger ` +
        `(${rule}) held with no event within ${n0(e.horizon)} sessions (${cited.map(n0).join(', ')}` +
        `${pl.points.length > cited.length ? ', …' : ''}), the same before/after comparison changed by ${signed(pl.mean * 100)} pp ` +
        `on average (95% placebo band ${signed(pl.band.lower * 100)} to ${signed(pl.band.upper * 100)} pp). Beyond that, ` +
        `the change after ${ev.id} is ${signed(pl.adjusted! * 100)} pp (95% ${signed(pl.effectInterval.lower * 100)} to ` +
        `${signed(pl.effectInterval.upper * 100)} pp, placebo p = ${pl.p.toPrecision(2)}): ` +
        (claimed
          ? `an effect beyond regression to the mean at α = ${o.alpha} in the designed direction.`
          : 'no effect beyond what the selection alone produces.'),
      numbers: { event: ev.id, ...placeboNumbers },
      method: `placebo band of the event's own trigger rule (selection-aware); α = ${o.alpha}`,
      // the event's session and the first placebo points, each named in the claim
      evidence: {
        events: [ev.id],
        sessions: [ev.session, ...cited],
        shows: [ev.session, ...cited].map((s) => sessionShows(s)),
      },
      tags: [claimed ? 'intervention_effect' : 'intervention_no_effect', 'placebo_test'],
    });
    return;
  }
  const why = pl
    ? `its trigger (${rule}) held at ${pl.points.length} other session(s) with no event within ${n0(e.horizon)} sessions, ` +
      'fewer than the 20 a 95% placebo band needs'
    : 'its trigger records no rule that can be replayed on the behaviour';
  b.add({
    severity: 'info',
    claim:
      `No selection-aware test of ${ev.id} is possible: ${why}, and the run is not simulated (no counterfactual replay). ` +
      `Its effect is not established by this record.`,
    numbers: { event: ev.id, ...placeboNumbers },
    method: "placebo band of the event's own trigger rule (selection-aware)",
    evidence: { events: [ev.id] },
    tags: ['intervention_untested'],
  });
}
