/**
 * Coverage study of the interventions analysis (docs/analyses/interventions.md): on N seeds of WILD-7, how
 * often each estimator's 95% interval covers the true (counterfactual) effect of each intervention.
 *
 *   node --import tsx bench/coverage.ts --seeds 20 [--first 1] [--json bench/out/coverage.json]
 *
 * Records are simulated in memory and counted in TypeScript (`countBehaviourBins`, the scan's semantics);
 * the estimates come from the same `analyzeInterventionEffects` the CLI uses, with the same windows (the one
 * convention: before = t−h…t−1, after = t+1…t+h, h = the protocol's horizon recorded in the event). For the
 * endogenous recurrence rule the placebo band of its own trigger is an estimator too (with how many seeds have
 * one: it needs ≥ 20 placebo points).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type BehaviourSession,
  countBehaviourBins,
} from '../src/analyses/interventions/intervention-behaviour.ts';
import {
  analyzeInterventionEffects,
  type InterventionEffect,
  type InterventionEventInput,
} from '../src/analyses/interventions/interventions.ts';
import { eventHorizon, eventWindows } from '../src/analyses/shared/event-window.ts';
import type { EventRecord } from '../src/model/schema.ts';
import { simulate } from '../src/simulate/index.ts';
import type { BehaviourTarget } from '../src/store/scans/event-scans.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    first: { type: 'string', default: '1' },
    bin: { type: 'string', default: '50' },
    span: { type: 'string', default: '1000' },
    json: { type: 'string' },
  },
});
const SEEDS = Number(values.seeds);
const FIRST = Number(values.first);
const BIN = Number(values.bin);
const SPAN = Number(values.span);
/** The three WILD-7 interventions; each one's horizon is the protocol's (500, 400, 300: the seed's). */
const INTERVENTIONS = [
  {
    name: 'schedule 2500 (Cat. 2)',
    pick: (e: EventRecord) => e.kind === 'scheduled_adjustment' && e.session === 2500,
  },
  {
    name: 'schedule 4200 (Cat. 3)',
    pick: (e: EventRecord) => e.kind === 'scheduled_adjustment' && e.session === 4200,
  },
  { name: 'recurrence rule (phrase)', pick: (e: EventRecord) => e.kind === 'recalibration' },
] as const;
/** Without a protocol horizon (not the case for WILD-7) every event would use 500. */
const NO_ENTRIES = { default: 500, overrides: {} };
const FACTUAL_SESSIONS = 8000;

type Estimator = 'naive' | 'itsLevel' | 'projection' | 'logitProjection' | 'placebo';
const ESTIMATORS: readonly Estimator[] = ['naive', 'itsLevel', 'projection', 'logitProjection', 'placebo'];
const LABELS: Record<Estimator, string> = {
  naive: 'before/after, Newcombe',
  itsLevel: 'ITS level change β2, NW',
  projection: 'ITS linear projection',
  logitProjection: 'ITS logit projection',
  placebo: 'placebo band of the trigger (endogenous)',
};

function interval(
  e: InterventionEffect,
  est: Estimator,
): { estimate: number; lower: number; upper: number } | null {
  if (est === 'naive') return e.newcombe && { estimate: e.newcombe.difference, ...e.newcombe };
  if (est === 'placebo')
    return e.placebo?.effectInterval && e.placebo.adjusted !== null
      ? { estimate: e.placebo.adjusted, ...e.placebo.effectInterval }
      : null;
  if (est === 'itsLevel')
    return (
      e.its && {
        estimate: e.its.levelChange.estimate,
        lower: e.its.levelChange.ci95[0],
        upper: e.its.levelChange.ci95[1],
      }
    );
  const p = est === 'projection' ? e.projection : e.logitProjection;
  return p && { estimate: p.effect, lower: p.lower, upper: p.upper };
}

function sessionsOf(seed: number, sessions: number, without: readonly string[]) {
  const out: BehaviourSession[] = [];
  const events: EventRecord[] = [];
  for (const r of simulate({ scenario: 'wild-7', seed, sessions, without })) {
    if (r.type === 'session') out.push(r);
    else if (r.type === 'event') events.push(r);
  }
  return { sessions: out, events };
}

function targetOf(e: EventRecord): BehaviourTarget {
  const t = e.target as Record<string, unknown>;
  return 'category' in t
    ? { kind: 'category', category: String(t.category) }
    : { kind: 'phrase', phrase: String(t.phrase) };
}

interface Row {
  readonly seed: number;
  readonly intervention: string;
  readonly session: number;
  readonly truth: number;
  /** Placebo points of the trigger (endogenous events). */
  readonly placeboPoints: number | null;
  readonly estimates: Partial<Record<Estimator, { estimate: number; lower: number; upper: number }>>;
}

const rows: Row[] = [];
const started = performance.now();
for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
  const factual = sessionsOf(seed, FACTUAL_SESSIONS, []);
  for (const iv of INTERVENTIONS) {
    const event = factual.events.find(iv.pick);
    if (!event) {
      process.stderr.write(`seed ${seed}: no event for ${iv.name} before ${FACTUAL_SESSIONS}\n`);
      continue;
    }
    const t = event.session;
    const target = targetOf(event);
    const h = eventHorizon(NO_ENTRIES, { id: event.id!, session: t, trigger: event.trigger ?? null }).horizon;
    const w = eventWindows(t, h);
    const count = (sessions: readonly BehaviourSession[], from: number, to: number) =>
      countBehaviourBins(sessions, { target, anchor: from - 1, binSize: to - from + 1, from, to })[0] ?? {
        sessions: 0,
        hits: 0,
      };
    const cf = sessionsOf(seed, t + h, [event.id!]).sessions;
    const endogenous = event.kind === 'recalibration';
    const input: InterventionEventInput = {
      event: {
        ...event,
        id: event.id!,
        target: event.target,
        from: event.from ?? null,
        to: event.to ?? null,
      },
      behaviour: target,
      horizon: h,
      horizonSource: 'protocol',
      before: count(factual.sessions, w.before.from, w.before.to),
      after: count(factual.sessions, w.after.from, w.after.to),
      series: endogenous
        ? countBehaviourBins(factual.sessions, {
            target,
            anchor: 0,
            binSize: 1,
            from: 1,
            to: FACTUAL_SESSIONS,
          }).map((b) => ({ session: b.from, hit: b.hits > 0 }))
        : null,
      bins: [
        ...countBehaviourBins(factual.sessions, {
          target,
          anchor: t - 1,
          binSize: BIN,
          from: t - SPAN,
          to: t - 1,
        }),
        ...countBehaviourBins(factual.sessions, { target, anchor: t, binSize: BIN, from: t + 1, to: t + h }),
      ],
      lastHit: null,
      counterfactual: { run: `seed ${seed} without ${event.id}`, after: count(cf, w.after.from, w.after.to) },
    };
    const [effect] = analyzeInterventionEffects({
      run: `wild-7/${seed}`,
      lastSession: null,
      binSize: BIN,
      spanBefore: SPAN,
      // the other events of the run: placebo points keep clear of them
      events: [
        input,
        ...factual.events
          .filter((e) => e.id !== event.id)
          .map((e) => ({
            ...input,
            event: { ...input.event, id: e.id!, session: e.session },
            behaviour: null,
            series: null,
          })),
      ],
      missing: [],
    }).events;
    if (!effect?.truth) continue;
    const estimates: Row['estimates'] = {};
    for (const est of ESTIMATORS) {
      const iv2 = interval(effect, est);
      if (iv2) estimates[est] = iv2;
    }
    rows.push({
      seed,
      intervention: iv.name,
      session: t,
      truth: effect.truth.effect,
      placeboPoints: effect.placebo ? effect.placebo.points.length : null,
      estimates,
    });
  }
  process.stderr.write(`seed ${seed} done (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

const pp = (x: number) => (x * 100).toFixed(2);
const lines = [
  `Coverage of 95% intervals for the true effect (factual − counterfactual after rate), WILD-7 seeds ${FIRST}–${FIRST + SEEDS - 1}, bins ${BIN}, pre-span ${SPAN}`,
  '',
  '| estimator | intervention | n | coverage | mean width (pp) | bias (pp) | mean estimate (pp) | mean truth (pp) |',
  '|---|---|---|---|---|---|---|---|',
];
for (const est of ESTIMATORS) {
  for (const iv of INTERVENTIONS) {
    const rs = rows.filter((r) => r.intervention === iv.name && r.estimates[est]);
    if (rs.length === 0) continue;
    const e = (r: Row) => r.estimates[est]!;
    const covered = rs.filter((r) => e(r).lower <= r.truth && r.truth <= e(r).upper).length;
    const mean = (f: (r: Row) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    lines.push(
      `| ${LABELS[est]} | ${iv.name} | ${rs.length} | ${((100 * covered) / rs.length).toFixed(0)}% | ` +
        `${pp(mean((r) => e(r).upper - e(r).lower))} | ${pp(mean((r) => e(r).estimate - r.truth))} | ` +
        `${pp(mean((r) => e(r).estimate))} | ${pp(mean((r) => r.truth))} |`,
    );
  }
}
for (const iv of INTERVENTIONS) {
  const pts = rows.filter((r) => r.intervention === iv.name && r.placeboPoints !== null);
  if (pts.length === 0) continue;
  const counts = pts.map((r) => r.placeboPoints!);
  lines.push(
    '',
    `${iv.name}: placebo points per seed min ${Math.min(...counts)}, median ${[...counts].sort((a, b) => a - b)[Math.floor(counts.length / 2)]}, ` +
      `max ${Math.max(...counts)}; a band (≥ 20 points) in ${pts.filter((r) => r.estimates.placebo).length} of ${pts.length} seeds`,
  );
}
lines.push(
  '',
  `events: ${INTERVENTIONS.map((iv) => `${iv.name} at ${[...new Set(rows.filter((r) => r.intervention === iv.name).map((r) => r.session))].join('/')}`).join('; ')}`,
);
lines.push(`time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
