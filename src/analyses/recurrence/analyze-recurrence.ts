import { InputError } from '../../model/errors.ts';
import type { PhraseTarget } from '../../model/recurrence-types.ts';
import { DEFAULT_WINDOW, type WindowSpec } from '../../model/windows.ts';
import type { EventRow } from '../../store/scans/phrase-scans.ts';
import type { Store } from '../../store/store.ts';
import { DEFAULT_EVENT_HORIZON, eventHorizon, type HorizonSpec, horizonFor } from '../shared/event-window.ts';
import { assessDisplacement, type DisplacementResult } from './displacement.ts';
import { type DiscoveryResult, discoverPhrases } from './phrase-discovery.ts';
import { phraseTakeover } from './phrase-takeover.ts';
import { type PhraseInput, type RecurrenceResult, recurrence } from './recurrence.ts';

export interface RecurrenceOptions {
  readonly window?: WindowSpec;
  readonly phrases?: readonly string[];
  /** RE2 regexes, matched case-insensitively on the normalised output. */
  readonly regexes?: readonly string[];
  /** N of "k of last N" (default: the event trigger's window, else 20). */
  readonly recentWindow?: number;
  /** k threshold (default: the event trigger's count, else round(0.35·N), 7 for N = 20). */
  readonly threshold?: number;
  /** Each event's horizon h when the protocol gives none (default 500 for every event). */
  readonly horizons?: HorizonSpec;
  /** The phrase "stops" at the first match followed by more than this many sessions without one (default 300). */
  readonly stopGap?: number;
  /** Exact k values within ±around of each event (default 25). */
  readonly around?: number;
  /** Sessions searched for paraphrases after the stop (default 1,000). */
  readonly displacementSpan?: number;
  readonly minJaccard?: number;
  /** Discovered phrases per direction (default 10). */
  readonly discoverLimit?: number;
  /** Rising discovered phrases whose per-window share and takeover are computed (default 5). */
  readonly takeoverLimit?: number;
  /** A window is taken over by a phrase when more than this share of its sessions contain it (default 0.5). */
  readonly majority?: number;
}

export type { RecurrenceResult } from './recurrence.ts';

interface Target {
  readonly target: PhraseTarget;
  readonly label: string;
  readonly source: 'option' | 'event';
  readonly trigger: Readonly<Record<string, unknown>> | null;
}

const int = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;

function targetsOf(events: readonly EventRow[], o: RecurrenceOptions): Target[] {
  const triggerOf = (phrase: string) =>
    events.find(
      (e) => typeof e.target.phrase === 'string' && e.target.phrase.toLowerCase() === phrase.toLowerCase(),
    )?.trigger ?? null;
  const given: Target[] = [
    ...(o.phrases ?? []).map((p) => ({
      target: { phrase: p },
      label: p,
      source: 'option' as const,
      trigger: triggerOf(p),
    })),
    ...(o.regexes ?? []).map((r) => ({
      target: { regex: r },
      label: `/${r}/i`,
      source: 'option' as const,
      trigger: null,
    })),
  ];
  if (given.length > 0) return given;
  const seen = new Map<string, Target>();
  for (const e of events) {
    const p = e.target.phrase;
    if (typeof p === 'string' && !seen.has(p.toLowerCase()))
      seen.set(p.toLowerCase(), { target: { phrase: p }, label: p, source: 'event', trigger: e.trigger });
  }
  return [...seen.values()];
}

/**
 * The recurrence analysis of a run: per target phrase (given, or the run's phrase events), the "k of last N"
 * summary, per-window occurrences, first/last/stop, recurrence after each event and displacement; when no
 * phrase is given and no event targets one, n-gram discovery.
 *
 * @example
 * const r = await analyzeRecurrence(store, 'wild-7', {});
 * r.phrases[0]?.events.find((e) => e.targetsPhrase)?.verdict // 'absent in the 300 sessions after'
 */
export async function analyzeRecurrence(
  store: Store,
  run: string,
  options: RecurrenceOptions = {},
): Promise<RecurrenceResult> {
  for (const [name, v] of [
    ['recentWindow', options.recentWindow],
    ['threshold', options.threshold],
  ] as const)
    if (v !== undefined && (!Number.isInteger(v) || v < 1))
      throw new InputError(`${name} must be a positive integer`);
  const layers = await store.scans.runLayers(run);
  const window = options.window ?? DEFAULT_WINDOW;
  const horizons = options.horizons ?? { default: DEFAULT_EVENT_HORIZON, overrides: {} };
  const stopGap = options.stopGap ?? 300;
  const span = options.displacementSpan ?? 1000;
  const events = layers.events > 0 ? await store.scans.listEvents(run) : [];
  const missing: string[] = [];
  if (layers.events === 0)
    missing.push('events: the run has no calibration events, so no recurrence after events');
  const targets = targetsOf(events, options);
  const phrases: PhraseInput[] = [];
  for (const t of targets) {
    const recentWindow = options.recentWindow ?? int(t.trigger?.window) ?? 20;
    const threshold =
      options.threshold ?? int(t.trigger?.count) ?? Math.max(2, Math.round(0.35 * recentWindow));
    const scan = await store.scans.phraseSeries(run, t.target, {
      window,
      recentWindow,
      threshold,
      eventSessions: events.map((e) => e.session),
      after: horizons.default,
      horizons: events.map((e) => horizonFor(horizons, e)),
      around: options.around ?? 25,
      stopGap,
      maxEpisodes: 50,
    });
    let displacement: DisplacementResult | null = null;
    if ('phrase' in t.target && scan.stopSession !== null && scan.firstSession !== null) {
      const to = Math.min(scan.stopSession + span, layers.lastSession ?? scan.stopSession);
      const baselineTo = scan.firstSession - 1;
      const s = {
        stopSession: scan.stopSession,
        from: scan.stopSession,
        to,
        baselineFrom: baselineTo - span,
        baselineTo,
      };
      const found = await store.scans.paraphraseWindows(run, t.target.phrase, {
        ...s,
        minJaccard: options.minJaccard ?? 0.5,
        limit: 20,
      });
      displacement = assessDisplacement(found, s);
    }
    phrases.push({ label: t.label, source: t.source, recentWindow, threshold, scan, displacement });
  }
  let discovery: DiscoveryResult | null = null;
  if (targets.length === 0) {
    missing.push('target phrases: none given and no event targets a phrase, so phrases were discovered');
    const limit = options.discoverLimit ?? 10;
    const scan = await store.scans.discoverNgrams(run, {
      minN: 1,
      maxN: 6,
      partFraction: 0.25,
      minSupport: Math.max(5, Math.ceil(0.01 * Math.min(layers.sessions * 0.25, 20_000))),
      maxSessionsPerPart: 20_000,
      limit: limit * 5,
    });
    const found = discoverPhrases(scan, limit);
    const top = found.rising.slice(0, options.takeoverLimit ?? 5).map((c) => c.ngram);
    const shares = await store.scans.ngramWindowShares(run, top, window);
    discovery = discoverPhrases(scan, limit, {
      window,
      list: shares.map((x) => phraseTakeover(x.ngram, x.windows, options.majority ?? 0.5)),
    });
  }
  return recurrence({
    sessions: layers.sessions,
    lastSession: layers.lastSession,
    events: events.map((e) => ({ ...e, ...eventHorizon(horizons, e) })),
    phrases,
    discovery,
    missing,
  });
}
