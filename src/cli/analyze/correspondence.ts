import type { Command } from 'commander';
import { analyzeCorrespondence } from '../../audit/analyses/correspondence.ts';
import { printJson } from '../context.ts';
import { renderTable } from '../table.ts';
import { type AnalysisCliOptions, analysisCommand, printMissing, windowSpec, withRun } from './common.ts';

export function registerCorrespondence(analyze: Command): void {
  analysisCommand(
    analyze,
    'correspondence',
    'lagged cross-correlation between the reward series and behaviour series',
  )
    .option('--max-lag <n>', 'largest lag, in windows (default 5)', (v: string) => Number(v))
    .addHelpText(
      'after',
      `
Lag k estimates cor(reward[t], behaviour[t-k]) (R's ccf): a negative best lag means the behaviour follows
the reward. Levels share the run's trend; first differences show co-movement once the trend is removed.

Example:
  rlaudit analyze correspondence --run wild-7`,
    )
    .action(async (opts: AnalysisCliOptions & { maxLag?: number }, cmd: Command) => {
      const r = await withRun(cmd, opts.run, (store) =>
        analyzeCorrespondence(store, opts.run, {
          window: windowSpec(opts),
          ...(opts.maxLag !== undefined ? { maxLag: opts.maxLag } : {}),
        }),
      );
      if (opts.json) return printJson(r);
      const f = (v: number | undefined | null) =>
        v === undefined || v === null ? null : Number(v.toFixed(3));
      process.stdout.write(
        `${renderTable(
          [
            'behaviour',
            'windows',
            'r at lag 0',
            'best lag',
            'r at best',
            'diff r at 0',
            'diff best lag',
            '±band',
          ],
          r.behaviours.map((b) => [
            b.behaviour,
            b.windows.n,
            f(b.levels.atLag0),
            b.levels.best?.lag ?? null,
            f(b.levels.best?.r),
            f(b.differences?.atLag0),
            b.differences?.best?.lag ?? null,
            f(b.band),
          ]),
        )}\n\nreward series: ${r.reward}; lags in windows of ${r.window.by === 'step' ? 'one step' : `${r.window.size} sessions`}\n`,
      );
      printMissing(r.missing);
    });
}
