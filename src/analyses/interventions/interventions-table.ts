import { printMissing, renderTable } from '../shared/render-table.ts';
import type { InterventionEffect, InterventionsResult } from './interventions.ts';

const pct = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined ? '' : `${x.toFixed(digits)}`;
const pp = (x: number) => (x * 100).toFixed(1);
const ci = (lo: number, hi: number) => `[${pp(lo)}, ${pp(hi)}]`;

function row(e: InterventionEffect): unknown[] {
  const d = e.disappearance;
  return [
    e.event.id,
    e.event.session,
    e.behaviour,
    e.horizon,
    `${e.before.hits}/${e.before.sessions}`,
    `${e.after.hits}/${e.after.sessions}`,
    pct(e.absoluteChangePp),
    pct(e.relativeChangePct),
    e.origin.endogenous ? 'endogenous' : 'scheduled',
    // an endogenous event's before/after is not tested (its window was selected by the behaviour)
    e.newcombe && !e.origin.endogenous ? ci(e.newcombe.lower, e.newcombe.upper) : '',
    e.test && !e.origin.endogenous ? e.test.p.toPrecision(2) : '',
    e.placebo?.effectInterval
      ? ci(e.placebo.effectInterval.lower, e.placebo.effectInterval.upper)
      : e.placebo
        ? `${e.placebo.points.length} pts`
        : '',
    // the ITS fit and projection extrapolate a pre-period the trigger selected: not shown for endogenous events
    e.its && !e.origin.endogenous
      ? `${pp(e.its.levelChange.estimate)} ±${pp(1.96 * e.its.levelChange.se)}`
      : '',
    e.projection && !e.origin.endogenous
      ? `${pp(e.projection.effect)} ${ci(e.projection.lower, e.projection.upper)}`
      : '',
    e.truth ? pp(e.truth.effect) : '',
    d.lastOccurrence === null
      ? 'never'
      : d.gone
        ? `gone after ${d.lastOccurrence}`
        : `last ${d.lastOccurrence}`,
    e.overlaps.join(' '),
  ];
}

const HEADERS = [
  'event',
  'session',
  'behaviour',
  'h',
  'before',
  'after',
  'Δ pp',
  'Δ %',
  'timing',
  'Newcombe 95% (pp)',
  'p',
  'placebo effect (pp)',
  'ITS level (pp)',
  'projection (pp)',
  'true (pp)',
  'occurrence',
  'overlaps',
];

export function interventionsTable(r: InterventionsResult, write: (text: string) => void): void {
  if (r.events.length > 0) {
    write(`${renderTable(HEADERS, r.events.map(row))}\n`);
    write(
      `Δ = after − before (sessions t−h…t−1 vs t+1…t+h; t in neither); the Newcombe CI is for that change, not the causal effect,\n` +
        `and is not given for endogenous (rule-triggered) events: placebo effect = Δ − the 95% band of Δ at the rule's other triggers.\n` +
        `projection = after − pre-trend line (${r.spanBefore} sessions in bins of ${r.binSize}), 95% prediction interval;` +
        ` true = factual − counterfactual after rate (simulated runs).\n`,
    );
  }
  for (const e of r.events) for (const n of e.notes) write(`${e.event.id}: ${n}\n`);
  printMissing(r.missing, write);
}
