import { responseDiversity } from '../../src/analyses/diversity/response-diversity.ts';
import type { AnnotationRecord, EventRecord, SessionRecord } from '../../src/model/schema.ts';
import { type SimulateOptions, simulate } from '../../src/simulate/index.ts';
import { tokenize } from '../../src/stats/tokenize.ts';

/** A simulated run split by record type. */
export interface SimulatedRun {
  readonly sessions: readonly SessionRecord[];
  readonly events: readonly EventRecord[];
  readonly annotations: readonly AnnotationRecord[];
}

export function generate(options: SimulateOptions): SimulatedRun {
  const sessions: SessionRecord[] = [];
  const events: EventRecord[] = [];
  const annotations: AnnotationRecord[] = [];
  for (const r of simulate(options)) {
    if (r.type === 'session') sessions.push(r);
    else if (r.type === 'event') events.push(r);
    else if (r.type === 'annotation') annotations.push(r);
  }
  return { sessions, events, annotations };
}

/** Sessions numbered [from, to). */
export const range = (run: SimulatedRun, from: number, to: number): readonly SessionRecord[] =>
  run.sessions.slice(Math.max(0, from - 1), Math.max(0, to - 1));

const WINDOW = 500;

/** The 500-session windows (1–500, 501–1000, …); the first and the last. */
export function windows(run: SimulatedRun): readonly (readonly SessionRecord[])[] {
  const out: SessionRecord[][] = [];
  for (let i = 0; i < run.sessions.length; i += WINDOW) out.push(run.sessions.slice(i, i + WINDOW));
  return out;
}

export const vocabulary = (w: readonly SessionRecord[]): number =>
  new Set(w.flatMap((s) => tokenize(s.output))).size;

export const diversity = (w: readonly SessionRecord[]): number => responseDiversity(w.map((s) => s.output));

export const unsolicitedRate = (w: readonly SessionRecord[]): number =>
  w.filter((s) => s.classification === 'non_compliant').length / w.length;

/** (#adjusted ≥ 0.5) / (#adjusted < 0.5) in the 500-session window centred on `session`. */
export function highLowRatio(run: SimulatedRun, session: number): number {
  const w = range(run, session - 250, session + 250);
  const high = w.filter((s) => (s.adjusted_reward ?? 0) >= 0.5).length;
  return high / (w.length - high);
}

export const categoryRate = (w: readonly SessionRecord[], category: number): number =>
  w.filter((s) => s.category === category).length / w.length;

/** Category rate in [t, t+h) against [t−h, t): absolute change (pp) and relative change (%). */
export function categoryChange(run: SimulatedRun, category: number, t: number, h: number) {
  const before = categoryRate(range(run, t - h, t), category);
  const after = categoryRate(range(run, t, t + h), category);
  return { before, after, absolutePp: (after - before) * 100, relativePct: (after / before - 1) * 100 };
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export const phraseSessions = (run: SimulatedRun): number[] =>
  run.sessions.filter((s) => s.meta?.target_phrase_emitted === true).map((s) => s.session);
