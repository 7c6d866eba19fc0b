import { InputError } from '../../model/errors.ts';
import type { CalibrationEventRow } from '../../store/scans/event-scans.ts';
import type { RunLayers } from '../../store/scans/index.ts';
import type { Store } from '../../store/store.ts';
import {
  DEFAULT_EVENT_HORIZON,
  eventHorizon,
  eventOrigin,
  eventWindows,
  type HorizonSource,
  type HorizonSpec,
} from '../shared/event-window.ts';
import { replayAfterWindows, simulatedRunMeta, simulatorVersionNote } from './counterfactual.ts';
import { type BehaviourTarget, targetBehaviour } from './intervention-behaviour.ts';
import type { SessionHit } from './intervention-placebo.ts';
import {
  analyzeInterventionEffects,
  type InterventionEventInput,
  type InterventionsResult,
  type WindowCount,
} from './interventions.ts';

export type { InterventionsResult } from './interventions.ts';

/** Options of {@link analyzeInterventions}. */
export interface InterventionsOptions {
  /** Horizon h per event when the protocol gives none (default 500 sessions for every event). */
  readonly horizons?: HorizonSpec;
  /** Sessions per bin of the ITS series (default 50). */
  readonly binSize?: number;
  /** Sessions before the event in the ITS series (default 1000). */
  readonly spanBefore?: number;
  /** Behaviour measured for `{global}` targets (default: the non-compliant rate). */
  readonly metric?: BehaviourTarget;
  /** Replay simulated runs for the true effect (default true). */
  readonly counterfactual?: boolean;
}

const DEFAULT_HORIZONS: HorizonSpec = { default: DEFAULT_EVENT_HORIZON, overrides: {} };

/** The per-session series behind a placebo test is shipped into TypeScript only up to this many sessions. */
const PLACEBO_MAX_SESSIONS = 2_000_000;

function layerGap(b: BehaviourTarget, layers: RunLayers): string | null {
  if (b.kind === 'category' && layers.withCategory === 0) return 'the run records no categories';
  if (b.kind === 'non_compliant' && layers.withClassification === 0)
    return 'the run records no classification';
  return null;
}

async function eventInput(
  store: Store,
  run: string,
  e: CalibrationEventRow,
  behaviour: BehaviourTarget,
  horizon: { readonly horizon: number; readonly source: HorizonSource },
  binSize: number,
  spanBefore: number,
  layers: RunLayers,
  missing: string[],
): Promise<InterventionEventInput> {
  const t = e.session;
  const h = horizon.horizon;
  const w = eventWindows(t, h);
  const count = async (from: number, to: number): Promise<WindowCount> => {
    const [row] = await store.scans.behaviourBins(run, {
      target: behaviour,
      anchor: from - 1,
      binSize: to - from + 1,
      from,
      to,
    });
    return row ? { sessions: row.sessions, hits: row.hits } : { sessions: 0, hits: 0 };
  };
  // the one convention: session t in neither window, so the ITS bins end at t − 1 and start at t + 1
  const pre = await store.scans.behaviourBins(run, {
    target: behaviour,
    anchor: t - 1,
    binSize,
    from: t - spanBefore,
    to: t - 1,
  });
  const post = await store.scans.behaviourBins(run, {
    target: behaviour,
    anchor: t,
    binSize,
    from: t + 1,
    to: t + h,
  });
  const { lastHit } = await store.scans.behaviourOccurrence(run, behaviour);
  let series: SessionHit[] | null = null;
  if (eventOrigin(e).endogenous) {
    if (layers.sessions > PLACEBO_MAX_SESSIONS)
      missing.push(`placebo of ${e.id}: the run has more than ${PLACEBO_MAX_SESSIONS} sessions`);
    else
      series = (
        await store.scans.behaviourBins(run, {
          target: behaviour,
          anchor: 0,
          binSize: 1,
          from: 1,
          to: layers.lastSession ?? 0,
        })
      ).map((b) => ({ session: b.from, hit: b.hits > 0 }));
  }
  return {
    event: e,
    behaviour,
    horizon: h,
    horizonSource: horizon.source,
    before: await count(w.before.from, w.before.to),
    after: await count(w.after.from, w.after.to),
    series,
    bins: [...pre, ...post],
    lastHit,
  };
}

/**
 * The interventions analysis of a stored run: the store's per-window and per-bin counts of each event's
 * targeted behaviour, then {@link analyzeInterventionEffects}; for a simulated run (its run record names the
 * scenario and seed) the true effect of each event from an in-memory counterfactual replay.
 *
 * @example
 * const result = await analyzeInterventions(store, 'wild-7', { horizons: parseHorizons('2500:500,4200:400,e-3:300', 500) });
 * result.events.map((e) => [e.event.id, e.relativeChangePct, e.truth?.effect])
 */
export async function analyzeInterventions(
  store: Store,
  run: string,
  options: InterventionsOptions = {},
): Promise<InterventionsResult> {
  const layers = await store.scans.runLayers(run);
  const binSize = options.binSize ?? 50;
  const spanBefore = options.spanBefore ?? 1000;
  const horizons = options.horizons ?? DEFAULT_HORIZONS;
  const missing: string[] = [];
  const base = { run, lastSession: layers.lastSession, binSize, spanBefore };
  if (layers.events === 0) {
    missing.push('no calibration events: there is no intervention to evaluate');
    return analyzeInterventionEffects({ ...base, events: [], missing });
  }
  const inputs: InterventionEventInput[] = [];
  for (const e of await store.scans.listEvents(run)) {
    const horizon = eventHorizon(horizons, e);
    const h = horizon.horizon;
    let behaviour = targetBehaviour(e.target, options.metric);
    const gap = behaviour ? layerGap(behaviour, layers) : null;
    if (gap) {
      missing.push(`event ${e.id}: ${gap}, so its targeted behaviour cannot be measured`);
      behaviour = null;
    }
    inputs.push(
      behaviour
        ? await eventInput(store, run, e, behaviour, horizon, binSize, spanBefore, layers, missing)
        : {
            event: e,
            behaviour: null,
            horizon: h,
            horizonSource: horizon.source,
            before: { sessions: 0, hits: 0 },
            after: { sessions: 0, hits: 0 },
            bins: [],
            lastHit: null,
          },
    );
  }
  const withTruth =
    options.counterfactual === false ? inputs : await addTruth(store, run, layers, inputs, missing);
  return analyzeInterventionEffects({ ...base, events: withTruth, missing });
}

async function addTruth(
  store: Store,
  run: string,
  layers: RunLayers,
  inputs: readonly InterventionEventInput[],
  missing: string[],
): Promise<InterventionEventInput[]> {
  if (layers.withGroundTruth === 0) {
    missing.push('true effects: not a simulated run (no ground truth), so no counterfactual replay');
    return [...inputs];
  }
  const meta = simulatedRunMeta(await store.getRun(run));
  if (typeof meta === 'string') {
    missing.push(`true effects: ${meta}`);
    return [...inputs];
  }
  const versionNote = simulatorVersionNote(meta);
  if (versionNote) missing.push(`true effects: ${versionNote}`);
  const measurable = inputs.filter((i) => i.behaviour !== null);
  const replays: ReturnType<typeof replayAfterWindows> = [];
  for (const i of measurable) {
    const request = {
      eventId: i.event.id,
      target: i.behaviour!,
      from: i.event.session + 1,
      to: i.event.session + i.horizon,
    };
    try {
      replays.push(...replayAfterWindows(meta, [request]));
    } catch (err) {
      // an event the simulator cannot remove (an id it never wrote, an edited run) is a fact about the data:
      // that event goes without a true effect, and the section says why
      if (!(err instanceof InputError)) throw err;
      missing.push(`true effect of event ${i.event.id}: the replay cannot remove it (${err.message})`);
    }
  }
  return inputs.map((i) => {
    const r = replays.find((x) => x.eventId === i.event.id);
    if (!r) return i;
    if (r.factual.sessions !== i.after.sessions || r.factual.hits !== i.after.hits) {
      missing.push(
        `true effect of ${i.event.id}: the replay does not reproduce the stored run ` +
          `(${r.factual.hits}/${r.factual.sessions} vs ${i.after.hits}/${i.after.sessions} after the event)`,
      );
      return i;
    }
    return { ...i, counterfactual: { run: r.counterfactualRun, after: r.counterfactual } };
  });
}
