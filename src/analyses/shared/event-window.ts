/**
 * The one before/after convention of every analysis that compares a behaviour or a reward around a
 * calibration event (interventions, recurrence, cluster, and the report built from them), and the event's
 * horizon. Definitions in docs/analyses.md ("Before and after an event").
 */

/** Per-event horizons: a default and entries keyed by event session or event id. */
export interface HorizonSpec {
  readonly default: number;
  /** Keyed by event session (`'2500'`) or event id (`'e-3'`). */
  readonly overrides: Readonly<Record<string, number>>;
}

/** Where an event's horizon came from, in the order they are consulted. */
export type HorizonSource = 'event entry' | 'protocol' | 'default';

/** An event as the convention reads it: the record's fields. */
export interface WindowedEvent {
  readonly id: string;
  readonly session: number;
  readonly kind: string;
  readonly trigger?: Readonly<Record<string, unknown>> | null;
}

/** A span of sessions, both ends included. */
export interface SessionSpan {
  readonly from: number;
  readonly to: number;
}

/** The horizon every analysis uses for one event, and where it came from. */
export interface EventHorizon {
  readonly horizon: number;
  readonly source: HorizonSource;
}

/** The default horizon when neither the protocol nor the template/command line gives one. */
export const DEFAULT_EVENT_HORIZON = 500;

/** The convention in one sentence, for `definitions` and report methods. */
export const EVENT_WINDOW_CONVENTION =
  'an event at session t with horizon h: before = sessions t−h … t−1, after = sessions t+1 … t+h; session t ' +
  'itself belongs to neither (its output was written before the event, and was what triggered a rule; its ' +
  'reward already carries the change). h = the template’s or command line’s entry naming the event ' +
  '(EVENT-ID:H or SESSION:H), else the horizon the protocol gave the event (recorded in its trigger), else ' +
  `their default H, else the session window size (${DEFAULT_EVENT_HORIZON})`;

/**
 * Parses a horizon spec: `500` (every event), or a comma list of `KEY:H` entries keyed by event session or id,
 * optionally with a bare default among them: `2500:500,4200:400,e-3:300` or `300,2500:500`.
 *
 * @example parseHorizons('2500:500,e-3:300', 500) // { default: 500, overrides: { '2500': 500, 'e-3': 300 } }
 */
export function parseHorizons(text: string, fallback: number): HorizonSpec {
  const overrides: Record<string, number> = {};
  let def = fallback;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^(?:([^:]+):)?(\d+)$/.exec(part);
    const h = m ? Number(m[2]) : Number.NaN;
    if (!m || !(h >= 1))
      throw new RangeError(`bad horizon '${part}': expected H or SESSION:H or EVENT-ID:H (H ≥ 1)`);
    if (m[1] === undefined) def = h;
    else overrides[m[1].trim()] = h;
  }
  return { default: def, overrides };
}

/** The horizon the protocol recorded on the event (`trigger.horizon`), or null. */
export function protocolHorizon(event: Pick<WindowedEvent, 'trigger'>): number | null {
  const h = event.trigger?.horizon;
  return typeof h === 'number' && Number.isInteger(h) && h >= 1 ? h : null;
}

/**
 * The horizon of one event: an entry naming the event by id or session (a deliberate choice for that event),
 * else the protocol's (recorded in the event's trigger: the design's), else the spec's default (a blanket
 * value that does not override the protocol).
 *
 * @example eventHorizon(parseHorizons('e-3:300', 500), { id: 'e-3', session: 4846 })
 *   // { horizon: 300, source: 'event entry' }
 */
export function eventHorizon(
  spec: HorizonSpec,
  event: Pick<WindowedEvent, 'id' | 'session' | 'trigger'>,
): EventHorizon {
  const entry = spec.overrides[event.id] ?? spec.overrides[String(event.session)];
  if (entry !== undefined) return { horizon: entry, source: 'event entry' };
  const fromProtocol = protocolHorizon(event);
  if (fromProtocol !== null) return { horizon: fromProtocol, source: 'protocol' };
  return { horizon: spec.default, source: 'default' };
}

/** The horizon of one event as a number (see {@link eventHorizon}). */
export function horizonFor(
  spec: HorizonSpec,
  event: Pick<WindowedEvent, 'id' | 'session' | 'trigger'>,
): number {
  return eventHorizon(spec, event).horizon;
}

/**
 * The before and after windows of an event at session t with horizon h: [t−h, t−1] and [t+1, t+h]
 * (before clipped at session 1).
 *
 * @example eventWindows(4846, 300) // { before: { from: 4546, to: 4845 }, after: { from: 4847, to: 5146 } }
 */
export function eventWindows(t: number, h: number): { before: SessionSpan; after: SessionSpan } {
  return { before: { from: Math.max(1, t - h), to: t - 1 }, after: { from: t + 1, to: t + h } };
}

/** Whether an event's timing was chosen by the behaviour it changes (see {@link eventOrigin}). */
export interface EventOrigin {
  /** True when a rule reading the outputs triggered the event. */
  readonly endogenous: boolean;
  /** One sentence: why. */
  readonly reason: string;
}

/**
 * Endogenous or not: an event is *endogenous* when its trigger reads the measured behaviour — a
 * recalibration, or any trigger rule other than the schedule (a recurrence rule, any threshold on outputs).
 * Its session was chosen because the behaviour had just surged, so a before/after comparison around it is a
 * comparison on a window selected by the outcome: regression to the mean alone predicts a fall. A scheduled
 * adjustment (trigger `schedule`, or kind `scheduled_adjustment` without a trigger) is exogenous.
 *
 * @example eventOrigin({ kind: 'recalibration', trigger: { rule: 'recurrence', count: 7, window: 20 } }).endogenous // true
 */
export function eventOrigin(event: Pick<WindowedEvent, 'kind' | 'trigger'>): EventOrigin {
  const rule = typeof event.trigger?.rule === 'string' ? event.trigger.rule : null;
  if (rule !== null && rule !== 'schedule')
    return {
      endogenous: true,
      reason: `triggered by the ${rule} rule, which reads the outputs: the event's session was selected by the behaviour`,
    };
  if (event.kind === 'recalibration')
    return {
      endogenous: true,
      reason: 'a recalibration (triggered by the outputs): the event’s session was selected by the behaviour',
    };
  return {
    endogenous: false,
    reason:
      rule === 'schedule'
        ? 'scheduled in advance: its session does not depend on the outputs'
        : `a ${event.kind} without a triggering rule: taken as scheduled in advance`,
  };
}
