import { type Command, InvalidArgumentError } from 'commander';
import { parseMetric } from '../../analysis/intervention-behaviour.ts';
import { parseHorizons } from '../../analysis/intervention-horizons.ts';
import type { InterventionEffect, InterventionsResult } from '../../analysis/interventions.ts';
import { analyzeInterventions } from '../../audit/analyses/interventions.ts';
import { InputError } from '../../model/errors.ts';
import { printJson } from '../context.ts';
import { renderTable } from '../table.ts';
import { type AnalysisCliOptions, analysisCommand, printMissing, withRun } from './common.ts';

interface InterventionsCliOptions extends AnalysisCliOptions {
  readonly horizon?: string;
  readonly bin: number;
  readonly span: number;
  readonly metric?: string;
  readonly counterfactual: boolean;
}

const positive = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1)
    throw new InvalidArgumentError(`${name} expects a positive integer.`);
  return Number(v);
};

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
    e.newcombe ? ci(e.newcombe.lower, e.newcombe.upper) : '',
    e.test ? e.test.p.toPrecision(2) : '',
    e.its ? `${pp(e.its.levelChange.estimate)} ±${pp(1.96 * e.its.levelChange.se)}` : '',
    e.projection ? `${pp(e.projection.effect)} ${ci(e.projection.lower, e.projection.upper)}` : '',
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
  'Newcombe 95% (pp)',
  'p',
  'ITS level (pp)',
  'projection (pp)',
  'true (pp)',
  'occurrence',
  'overlaps',
];

function printResult(r: InterventionsResult): void {
  if (r.events.length > 0) {
    process.stdout.write(`${renderTable(HEADERS, r.events.map(row))}\n`);
    process.stdout.write(
      `Δ = after − before (sessions t−h+1…t vs t+1…t+h); the Newcombe CI is for that change, not the causal effect.\n` +
        `projection = after − pre-trend line (${r.spanBefore} sessions in bins of ${r.binSize}), 95% prediction interval;` +
        ` true = factual − counterfactual after rate (simulated runs).\n`,
    );
  }
  for (const e of r.events) for (const n of e.notes) process.stdout.write(`${e.event.id}: ${n}\n`);
  printMissing(r.missing);
}

/** `rlaudit analyze interventions`: the effect of every calibration event on the behaviour it targets. */
export function registerInterventions(analyze: Command): void {
  analysisCommand(
    analyze,
    'interventions',
    'before/after, ITS and (simulated runs) true effect of every calibration event',
  )
    .option(
      '--horizon <spec>',
      'sessions before/after each event: H, or SESSION:H / EVENT-ID:H entries (default 500)',
    )
    .option('--bin <n>', 'sessions per bin of the ITS series', positive('--bin'), 50)
    .option('--span <n>', 'sessions before the event in the ITS series', positive('--span'), 1000)
    .option(
      '--metric <m>',
      'behaviour of global targets: non_compliant, category:<id>, phrase:<text>, regex:<re>',
    )
    .option('--no-counterfactual', 'do not replay simulated runs for the true effect')
    .addHelpText(
      'after',
      '\nExample:\n  rlaudit analyze interventions --run wild-7 --horizon 2500:500,4200:400,e-3:300\n' +
        '\nDefinitions: docs/analyses/interventions.md',
    )
    .action(async (opts: InterventionsCliOptions, cmd: Command) => {
      if (opts.by === 'step')
        throw new InputError('interventions use session windows; --by step is not supported');
      let horizons: ReturnType<typeof parseHorizons>;
      try {
        horizons = parseHorizons(opts.horizon ?? '', opts.window ?? 500);
      } catch (err) {
        throw new InputError((err as Error).message, { field: '--horizon' });
      }
      const metric = opts.metric === undefined ? undefined : parseMetric(opts.metric);
      if (metric === null) throw new InputError(`bad --metric '${opts.metric}'`, { field: '--metric' });
      await withRun(cmd, opts.run, async (store) => {
        const result = await analyzeInterventions(store, opts.run, {
          horizons,
          binSize: opts.bin,
          spanBefore: opts.span,
          counterfactual: opts.counterfactual,
          ...(metric ? { metric } : {}),
        });
        if (opts.json) printJson(result);
        else printResult(result);
      });
    });
}
