import type { DifferenceInterval } from '../../stats/newcombe-interval.ts';
import { newcombeInterval } from '../../stats/newcombe-interval.ts';
import type { Coefficient } from '../../stats/segmented-regression.ts';
import { segmentedRegression } from '../../stats/segmented-regression.ts';
import { twoProportionZ } from '../../stats/two-proportion-z.ts';
import { type EventOrigin, eventOrigin, eventWindows, type HorizonSource } from '../shared/event-window.ts';
import type { BehaviourBin, BehaviourTarget } from './intervention-behaviour.ts';
import { behaviourLabel } from './intervention-behaviour.ts';
import { INTERVENTION_DEFINITIONS } from './intervention-definitions.ts';
import { type PlaceboBand, placeboBand, type SessionHit } from './intervention-placebo.ts';
import { logitTrendProjection, type TrendProjection, trendProjection } from './intervention-projection.ts';

/** A calibration event as the analysis reads it. */
export interface InterventionEvent {
  readonly id: string;
  readonly session: number;
  readonly kind: string;
  readonly parameter: string;
  readonly target: Readonly<Record<string, unknown>>;
  readonly from: number | null;
  readonly to: number | null;
  /** As recorded: relative change, the triggering rule, who recommended it (absent in literals). */
  readonly changePct?: number | null;
  readonly trigger?: Readonly<Record<string, unknown>> | null;
  readonly recommendedBy?: string | null;
}

/** Sessions present and sessions showing the behaviour, in a window. */
export interface WindowCount {
  readonly sessions: number;
  readonly hits: number;
}

/** Per event: its behaviour and the counts the store (or a replay) gave for it. */
export interface InterventionEventInput {
  readonly event: InterventionEvent;
  /** Null when the event's target names no behaviour that can be measured. */
  readonly behaviour: BehaviourTarget | null;
  readonly horizon: number;
  /** Where the horizon came from (default `'default'`). */
  readonly horizonSource?: HorizonSource;
  /** Counts in [t − h, t − 1] and [t + 1, t + h] (docs/analyses.md, "Before and after an event"). */
  readonly before: WindowCount;
  readonly after: WindowCount;
  /**
   * The behaviour per stored session over the run, for the placebo test of an endogenous event (absent:
   * no placebo test).
   */
  readonly series?: readonly SessionHit[] | null;
  /** Bins of `binSize` over [t − spanBefore, t − 1] (bin −1 ending at t − 1) and [t + 1, t + h] (bin 0 from t + 1). */
  readonly bins: readonly BehaviourBin[];
  readonly lastHit: number | null;
  /** After-window counts of the counterfactual replay without this event (simulated runs). */
  readonly counterfactual?: { readonly run: string; readonly after: WindowCount } | null;
}

export interface InterventionsInput {
  readonly run: string;
  readonly lastSession: number | null;
  readonly binSize: number;
  readonly spanBefore: number;
  readonly events: readonly InterventionEventInput[];
  /** What the run's data lacks, from the composition (no events, no categories, …). */
  readonly missing: readonly string[];
}

export interface WindowRate extends WindowCount {
  readonly from: number;
  readonly to: number;
  /** hits / sessions; null without sessions. */
  readonly rate: number | null;
}

/** The interrupted-time-series fit of one event. */
export interface InterventionIts {
  readonly binSize: number;
  readonly binsBefore: number;
  readonly binsAfter: number;
  readonly preSlope: Coefficient;
  readonly levelChange: Coefficient;
  readonly slopeChange: Coefficient;
  readonly lag: number;
  readonly se: 'Newey–West';
}

export interface InterventionTruth {
  readonly counterfactualRun: string;
  readonly factualAfterRate: number;
  readonly counterfactualAfterRate: number;
  /** factual − counterfactual after rate: the causal effect over the after window. */
  readonly effect: number;
  readonly naiveCovers: boolean;
  readonly projectionCovers: boolean | null;
  readonly logitProjectionCovers: boolean | null;
}

/** How an endogenous event's effect is judged: its selection-aware method. */
export type SelectionMethod = 'counterfactual replay' | 'placebo' | 'none';

export interface InterventionEffect {
  readonly event: InterventionEvent;
  readonly behaviour: string | null;
  readonly horizon: number;
  readonly horizonSource: HorizonSource;
  /** Endogenous (triggered by the outputs) or scheduled; an endogenous before/after is not an effect. */
  readonly origin: EventOrigin;
  /** Endogenous events: the placebo distribution of the change (null for scheduled events or without a series). */
  readonly placebo: PlaceboBand | null;
  /**
   * Endogenous events: the method that judges the effect — the counterfactual replay on simulated runs, else
   * the placebo band when it has enough points, else none; null for scheduled events.
   */
  readonly selection: SelectionMethod | null;
  readonly before: WindowRate;
  readonly after: WindowRate;
  readonly absoluteChangePp: number | null;
  readonly relativeChangePct: number | null;
  /** after − before with its Newcombe 95% interval. */
  readonly newcombe: DifferenceInterval | null;
  readonly test: { readonly z: number; readonly p: number } | null;
  readonly its: InterventionIts | null;
  /** ITS counterfactual projection of the linear pre-trend. */
  readonly projection: TrendProjection | null;
  /** The same on the logit scale (geometric growth or decay). */
  readonly logitProjection: TrendProjection | null;
  readonly disappearance: {
    readonly lastOccurrence: number | null;
    readonly sessionsUntilGone: number | null;
    readonly observedAbsence: number | null;
    readonly gone: boolean;
  };
  /** Ids of other events within the horizon. */
  readonly overlaps: readonly string[];
  readonly truth: InterventionTruth | null;
  /** Why a part could not be computed, and warnings (overlaps). */
  readonly notes: readonly string[];
}

export interface InterventionsResult {
  readonly run: string;
  readonly binSize: number;
  readonly spanBefore: number;
  readonly events: readonly InterventionEffect[];
  readonly definitions: Readonly<Record<string, string>>;
  readonly missing: readonly string[];
}

const rateOf = (c: WindowCount): number | null => (c.sessions > 0 ? c.hits / c.sessions : null);

function itsFit(bins: readonly BehaviourBin[], binSize: number, notes: string[]) {
  const used = bins.filter((b) => b.sessions > 0);
  const t0 = used.findIndex((b) => b.bin >= 0);
  const gaps = used.some((b, i) => i > 0 && b.bin !== used[i - 1]!.bin + 1);
  if (t0 < 3 || used.length - t0 < 2) {
    notes.push(
      `ITS needs ≥ 3 bins before and ≥ 2 after the event (has ${Math.max(t0, 0)} and ${used.length - Math.max(t0, 0)})`,
    );
    return { its: null, used, t0 };
  }
  if (gaps) notes.push('bins without sessions were skipped: the ITS series is not equally spaced');
  const series = used.map((b) => b.hits / b.sessions);
  const fit = segmentedRegression(series, t0);
  const its: InterventionIts = {
    binSize,
    binsBefore: t0,
    binsAfter: used.length - t0,
    preSlope: fit.preSlope,
    levelChange: fit.levelChange,
    slopeChange: fit.slopeChange,
    lag: fit.lag,
    se: 'Newey–West',
  };
  return { its, used, t0 };
}

/** The placebo band of an endogenous event whose trigger records its rule (k of the last N). */
function placeboOf(
  input: InterventionEventInput,
  all: readonly InterventionEventInput[],
  observed: number,
  notes: string[],
): PlaceboBand | null {
  const tr = input.event.trigger;
  const window = tr?.window;
  const count = tr?.count;
  if (input.series == null) return null;
  if (typeof window !== 'number' || typeof count !== 'number') {
    notes.push('placebo: the trigger records no "k of the last N", so the rule cannot be replayed');
    return null;
  }
  return placeboBand(
    input.series,
    { window, count },
    input.horizon,
    all.map((e) => e.event.session),
    observed,
    designedDirection(input.event),
  );
}

/** The direction the event was designed to move its behaviour: a widened differential penalizes it more. */
export function designedDirection(event: InterventionEvent): 'decrease' | 'increase' {
  return event.from !== null && event.to !== null && event.to < event.from ? 'increase' : 'decrease';
}

function effectOf(
  input: InterventionEventInput,
  all: readonly InterventionEventInput[],
  binSize: number,
  lastSession: number | null,
): InterventionEffect {
  const { event, horizon: h } = input;
  const t = event.session;
  const notes: string[] = [];
  const windows = eventWindows(t, h);
  // a run that ends inside the horizon: the after window named is the sessions it can hold, not t + h
  const afterTo =
    lastSession !== null && lastSession > t ? Math.min(windows.after.to, lastSession) : windows.after.to;
  const before: WindowRate = { ...windows.before, ...input.before, rate: rateOf(input.before) };
  const after: WindowRate = { ...windows.after, to: afterTo, ...input.after, rate: rateOf(input.after) };
  const origin = eventOrigin(event);
  const overlaps = all
    .filter((o) => o.event.id !== event.id && Math.abs(o.event.session - t) <= h)
    .map((o) => o.event.id);
  if (overlaps.length > 0)
    notes.push(`events ${overlaps.join(', ')} fall within ${h} sessions: before/after mixes their effects`);
  const pb = before.rate;
  const pa = after.rate;
  const both = pb !== null && pa !== null;
  if (!both) notes.push('no sessions before or after the event within the horizon');
  const newcombe = both
    ? newcombeInterval(input.after.hits, input.after.sessions, input.before.hits, input.before.sessions)
    : null;
  const z = both
    ? twoProportionZ(input.after.hits, input.after.sessions, input.before.hits, input.before.sessions)
    : null;
  const { its, used, t0 } = both ? itsFit(input.bins, binSize, notes) : { its: null, used: [], t0: -1 };
  let projection: TrendProjection | null = null;
  let logitProjection: TrendProjection | null = null;
  if (its !== null && pa !== null) {
    const weights = used.slice(t0).map((b) => b.sessions);
    projection = trendProjection(
      used.slice(0, t0).map((b) => b.hits / b.sessions),
      weights,
      pa,
    );
    logitProjection = logitTrendProjection(used.slice(0, t0), weights, pa);
  }
  const covers = (iv: { lower: number; upper: number } | null, x: number) =>
    iv === null ? null : iv.lower <= x && x <= iv.upper;
  const last = input.lastHit;
  const observedAbsence = last === null || lastSession === null ? null : lastSession - last;
  const cf = input.counterfactual;
  const cfRate = cf ? rateOf(cf.after) : null;
  const truth: InterventionTruth | null =
    cf && cfRate !== null && pa !== null && newcombe
      ? {
          counterfactualRun: cf.run,
          factualAfterRate: pa,
          counterfactualAfterRate: cfRate,
          effect: pa - cfRate,
          naiveCovers: covers(newcombe, pa - cfRate)!,
          projectionCovers: covers(projection, pa - cfRate),
          logitProjectionCovers: covers(logitProjection, pa - cfRate),
        }
      : null;
  const placebo = origin.endogenous && both ? placeboOf(input, all, pa - pb, notes) : null;
  const selection: SelectionMethod | null = !origin.endogenous
    ? null
    : truth !== null
      ? 'counterfactual replay'
      : placebo?.band
        ? 'placebo'
        : 'none';
  return {
    event,
    behaviour: input.behaviour ? behaviourLabel(input.behaviour) : null,
    horizon: h,
    horizonSource: input.horizonSource ?? 'default',
    origin,
    placebo,
    selection,
    before,
    after,
    absoluteChangePp: both ? (pa - pb) * 100 : null,
    relativeChangePct: both && pb > 0 ? (pa / pb - 1) * 100 : null,
    newcombe,
    test: z ? { z: z.z, p: z.p } : null,
    its,
    projection,
    logitProjection,
    disappearance: {
      lastOccurrence: last,
      sessionsUntilGone: last === null ? null : Math.max(0, last - t),
      observedAbsence,
      gone: observedAbsence !== null && observedAbsence >= h,
    },
    overlaps,
    truth,
    notes,
  };
}

/**
 * The interventions analysis: for every calibration event, the targeted behaviour before vs after (absolute
 * and relative change, Newcombe 95% CI, two-proportion z), an interrupted-time-series fit with Newey–West
 * SE, an ITS counterfactual projection, sessions until the behaviour disappears, overlapping events and,
 * for simulated runs, the true effect from the counterfactual replay. Definitions: `result.definitions`.
 *
 * @example
 * analyzeInterventionEffects({ run: 'r', lastSession: 1000, binSize: 50, spanBefore: 500, missing: [],
 *   events: [{ event, behaviour: { kind: 'category', category: '2' }, horizon: 500,
 *     before: { sessions: 500, hits: 80 }, after: { sessions: 500, hits: 60 }, bins, lastHit: 990 }] })
 *   .events[0].absoluteChangePp // −4
 */
export function analyzeInterventionEffects(input: InterventionsInput): InterventionsResult {
  const measurable = input.events.filter((e) => e.behaviour !== null);
  const events = measurable.map((e) => effectOf(e, input.events, input.binSize, input.lastSession));
  const missing = [...input.missing];
  for (const e of input.events)
    if (e.behaviour === null)
      missing.push(
        `event ${e.event.id}: target ${JSON.stringify(e.event.target)} names no measurable behaviour`,
      );
  return {
    run: input.run,
    binSize: input.binSize,
    spanBefore: input.spanBefore,
    events,
    definitions: INTERVENTION_DEFINITIONS,
    missing,
  };
}
