import { type Command, InvalidArgumentError } from 'commander';
import { analyzeConvergence, type ConvergenceAnalysis } from '../../audit/analyses/convergence.ts';
import { printJson } from '../context.ts';
import { renderTable } from '../table.ts';
import { type AnalysisCliOptions, analysisCommand, printMissing, windowSpec, withRun } from './common.ts';

interface ConvergenceCliOptions extends AnalysisCliOptions {
  readonly lowThreshold?: number;
  readonly at?: readonly number[];
  readonly band?: number;
}

const finite = (v: string): number => {
  if (!/^-?\d+(\.\d+)?$/.test(v.trim())) throw new InvalidArgumentError('expects a number.');
  return Number(v);
};

const sessionList = (v: string): number[] => {
  const parts = v.split(',').map((s) => s.trim().replace(/_/g, ''));
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new InvalidArgumentError('--at expects session numbers separated by commas, e.g. 3800,5200.');
  }
  return parts.map(Number);
};

const f = (x: number | null, digits = 3) => (x === null ? '' : x.toFixed(digits));
const pct = (x: number | null) => (x === null ? '' : `${(x * 100).toFixed(1)}%`);

function printResult(r: ConvergenceAnalysis): void {
  process.stdout.write(`reward: ${r.reward}; low reward: < ${f(r.threshold.value)} (${r.threshold.rule})\n`);
  const rows = r.windows.map((w) => [
    `${w.from}–${w.to}`,
    w.n,
    f(w.mean),
    f(w.variance, 5),
    pct(w.lowShare),
    w.ratioLabel,
    f(w.compliantMean),
    f(w.nonCompliantMean),
    f(w.gap),
  ]);
  const headers = ['window', 'n', 'mean', 'variance', 'low', 'high:low', 'compliant', 'non-compl.', 'gap'];
  process.stdout.write(`${renderTable(headers, rows)}\n\n`);
  const cps = r.changePoints.sessions;
  process.stdout.write(
    `change points of the variance series (last session of the left segment): ${cps.length ? cps.join(', ') : 'none'}\n`,
  );
  for (const p of r.phases) {
    process.stdout.write(
      `phase ${p.name}: sessions ${p.from}–${p.to} (${p.windows} windows, mean variance ${f(p.meanVariance, 5)})\n`,
    );
  }
  for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
  for (const a of r.at) {
    process.stdout.write(
      `at ${a.session} (sessions ${a.from}–${a.to}): high:low ${a.ratioLabel}, low share ${pct(a.lowShare)}\n`,
    );
  }
  process.stdout.write(
    `last low reward: ${r.lastLowSession === null ? 'none' : `session ${r.lastLowSession}`}\n`,
  );
  printMissing(r.missing);
}

/** `rlaudit analyze convergence`: reward moments per window, variance change points and phases. */
export function registerConvergence(analyze: Command): void {
  analysisCommand(
    analyze,
    'convergence',
    'reward mean, variance and high:low ratio per window; phases of the variance',
  )
    .option(
      '--low-threshold <x>',
      'rewards below x are low (default 0.5 on 0–1, else midpoint of p5 and p95)',
      finite,
    )
    .option('--band <f>', 'width of the floor variance band, a fraction of the range (default 0.05)', finite)
    .option(
      '--at <sessions>',
      'also report the high:low ratio in a window centred on these sessions',
      sessionList,
    )
    .addHelpText(
      'after',
      '\nExample:\n  rlaudit analyze convergence --run wild-7 --at 3800,5200\n' +
        '\nPhases: noise (high variance), narrowing, convergence (variance at its floor), named from PELT change\n' +
        'points of the per-window variance. Definitions: docs/analyses/convergence.md',
    )
    .action(async (opts: ConvergenceCliOptions, cmd: Command) => {
      const window = windowSpec(opts);
      await withRun(cmd, opts.run, async (store) => {
        const result = await analyzeConvergence(store, opts.run, {
          window,
          ...(opts.lowThreshold !== undefined ? { lowThreshold: opts.lowThreshold } : {}),
          ...(opts.at ? { at: opts.at } : {}),
          ...(opts.band !== undefined ? { bandFraction: opts.band } : {}),
        });
        if (opts.json) printJson(result);
        else printResult(result);
      });
    });
}
