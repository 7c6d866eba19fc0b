import type { Command } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import { pivotStepMetrics } from '../../analyses/shared/step-metrics.ts';
import { InputError } from '../../model/errors.ts';
import { printJson, withStore } from '../context.ts';
import { runIdArg } from '../run-id-option.ts';

interface MetricsCliOptions {
  readonly run: string;
  readonly names?: string;
  readonly sampledSteps?: boolean;
  readonly json?: boolean;
}

/**
 * `rlaudit analyze metrics --run R`: the run's own per-step metrics (ingested with `--format step-metrics`),
 * one row per step and one column per metric.
 *
 * @example rlaudit analyze metrics --run grpo-baseline --names train_reward,kl,eval_distinct_2 --sampled-steps
 */
export function registerMetrics(analyze: Command): void {
  analyze
    .command('metrics')
    .description("the run's own per-step metrics (train_reward, kl, eval_distinct_2, …): one row per step")
    .requiredOption('--run <id>', 'the run', runIdArg)
    .option('--names <list>', 'comma-separated metric names, in this order (default: all, sorted)')
    .option('--sampled-steps', 'only the steps at which the run has sessions (the windows of --by step)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Per-step metrics are stored when a metrics file is ingested (docs/importers.md, "Per-step metrics"); an empty
cell is a step that did not log the metric.

Example:
  rlaudit analyze metrics --run grpo-baseline --names train_reward,kl,eval_distinct_2 --sampled-steps`,
    )
    .exitOverride()
    .action(async (opts: MetricsCliOptions, cmd: Command) => {
      const names = opts.names
        ?.split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      await withStore(cmd, async (store) => {
        if (!(await store.hasRun(opts.run))) {
          const known = (await store.listRuns()).map((r) => r.run);
          throw new InputError(`no run '${opts.run}' in ${store.location} (runs: ${known.join(', ')})`);
        }
        const values = await store.listStepMetrics({ run: opts.run, ...(names ? { names } : {}) });
        if (values.length === 0)
          throw new InputError(
            `run '${opts.run}' has no per-step metrics${names ? ` named ${names.join(', ')}` : ''} (ingest a metrics file: docs/importers.md)`,
          );
        const steps = opts.sampledSteps
          ? (
              await store.scans.rewardWindows(opts.run, {
                window: { by: 'step' },
                reward: 'baseline_reward',
                lowThreshold: 0,
              })
            )
              .map((w) => w.index)
              .filter((s) => values.some((v) => v.step === s))
          : undefined;
        const table = pivotStepMetrics(values, { ...(names ? { names } : {}), ...(steps ? { steps } : {}) });
        if (opts.json) return printJson({ run: opts.run, ...table });
        process.stdout.write(
          `${renderTable(
            ['step', ...table.names],
            table.rows.map((r) => [r.step, ...r.values]),
          )}\n`,
        );
      });
    });
}
