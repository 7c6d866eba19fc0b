import { type Command, InvalidArgumentError } from 'commander';
import { analyzeDiversity } from '../../audit/analyses/diversity.ts';
import { intOption, printJson } from '../context.ts';
import { renderTable } from '../table.ts';
import { type AnalysisCliOptions, analysisCommand, printMissing, windowSpec, withRun } from './common.ts';

interface DiversityCliOptions extends AnalysisCliOptions {
  readonly seed: number;
  readonly selfBleuSample: number;
}

const fixed = (v: number | null): string => (v === null ? '' : v.toFixed(3));

/**
 * `rlaudit analyze diversity --run R`: output diversity per window (docs/analyses/diversity.md).
 *
 * @example rlaudit analyze diversity --run wild-7 --window 500 --json
 */
export function registerDiversity(analyze: Command): void {
  analysisCommand(
    analyze,
    'diversity',
    'output diversity per window: vocabulary, distinct-n, response diversity',
  )
    .option(
      '--seed <n>',
      'seed of the per-window sample of 200 outputs and of Self-BLEU',
      intOption('--seed'),
      1,
    )
    .option(
      '--self-bleu-sample <n>',
      'Self-BLEU sub-sample size, 2..100',
      (v: string) => {
        const n = intOption('--self-bleu-sample')(v);
        if (n < 2 || n > 100) throw new InvalidArgumentError('--self-bleu-sample must be in 2..100.');
        return n;
      },
      100,
    )
    .addHelpText(
      'after',
      `
Tokens and distinct-n over all outputs are counted in the store; response diversity (the headline: pooled
distinct-2 over a seeded sample of 200 outputs per window), n-gram diversity score, compression ratio, EAD and
Self-BLEU are computed on that sample. With --by step, the run's own logged diversity metrics (per-step
metrics named like distinct, diversity, self_bleu or entropy, e.g. eval_distinct_2) are shown beside them
as run:NAME columns. Definitions: docs/analyses/diversity.md.

Examples:
  rlaudit analyze diversity --run wild-7
  rlaudit analyze diversity --run wild-7 --window 1000 --seed 3 --json`,
    )
    .action(async (opts: DiversityCliOptions, cmd: Command) => {
      const spec = windowSpec(opts);
      await withRun(cmd, opts.run, async (store) => {
        const r = await analyzeDiversity(store, opts.run, {
          window: spec,
          seed: opts.seed,
          selfBleuSampleSize: opts.selfBleuSample,
        });
        if (opts.json) {
          printJson(r);
          return;
        }
        const headers = [
          'window',
          'sessions',
          'unique_tokens',
          'total_tokens',
          'distinct1_pooled',
          'distinct2_pooled',
          'distinct2_per_output',
          'response_diversity',
          'ngram_div',
          'compression',
          'self_bleu',
          'ead',
          ...r.runMetrics.map((m) => `run:${m.name}`),
        ];
        const rows = r.windows.map((w) => [
          w.label,
          w.sessions,
          w.metrics.unique_tokens,
          w.metrics.total_tokens,
          w.metrics.distinct1_pooled,
          w.metrics.distinct2_pooled,
          w.metrics.distinct2_per_output,
          w.metrics.response_diversity,
          w.metrics.ngram_diversity_score,
          w.metrics.compression_ratio,
          w.metrics.self_bleu,
          w.metrics.ead,
          ...r.runMetrics.map((m) => m.values.find((v) => v.step === w.index)?.value ?? null),
        ]);
        process.stdout.write(`${renderTable(headers, rows)}\n`);
        const fl = r.firstLast;
        if (fl) {
          process.stdout.write(
            `\nfirst vs last window (${fl.firstWindow} → ${fl.lastWindow}): ` +
              `vocabulary ${fl.unique_tokens.first} → ${fl.unique_tokens.last}, ` +
              `response diversity ${fixed(fl.response_diversity.first)} → ${fixed(fl.response_diversity.last)}, ` +
              `distinct2_per_output ${fixed(fl.distinct2_per_output.first)} → ${fixed(fl.distinct2_per_output.last)}\n`,
          );
        }
        for (const m of r.runMetrics)
          process.stdout.write(
            `the run's own ${m.name} (logged per step): ${fixed(m.first!.value)} at step ${m.first!.step} → ` +
              `${fixed(m.last!.value)} at step ${m.last!.step}\n`,
          );
        process.stdout.write(
          `sample: ${r.sample.size} outputs per window (seed ${r.sample.seed}); Self-BLEU on ${r.sample.selfBleuSize} of them\n`,
        );
        printMissing(r.missing);
      });
    });
}
