import { type Command, Option } from 'commander';
import { printMissing, renderTable } from '../../analyses/shared/render-table.ts';
import { scaledSize } from '../../analyses/shared/window-rule.ts';
import { analyzeCompare } from '../../audit/compare-runs.ts';
import { InputError } from '../../model/errors.ts';
import { positiveIntOption, printJson, withStore } from '../context.ts';
import { runIdListArg } from '../run-id-option.ts';
import { chooseCliWindows, windowSpec } from './common.ts';

export function registerCompare(analyze: Command): void {
  analyze
    .command('compare')
    .description(
      'sibling runs side by side: reward, low rewards, phases, vocabulary, diversity, unsolicited, rising phrase, takeover',
    )
    .requiredOption('--runs <ids>', 'comma-separated run ids (at least two)', runIdListArg)
    .option('--window <n>', 'sessions per window (default 500)', positiveIntOption('--window'))
    .addOption(
      new Option(
        '--by <unit>',
        'window by session numbers or by training step (default: by step when every run records steps)',
      ).choices(['session', 'step']),
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  rlaudit analyze compare --runs grpo-baseline,grpo-kl,grpo-cap --by step',
    )
    .exitOverride()
    .action(
      async (
        opts: { runs: string; window?: number; by?: 'session' | 'step'; json?: boolean },
        cmd: Command,
      ) => {
        const runs = opts.runs
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean);
        if (runs.length < 2) throw new InputError('--runs needs at least two run ids, comma-separated');
        const r = await withStore(cmd, async (store) => {
          const known = new Set((await store.listRuns()).map((x) => x.run));
          const unknown = runs.filter((x) => !known.has(x));
          if (unknown.length > 0) {
            throw new InputError(
              `no run ${unknown.map((u) => `'${u}'`).join(', ')} in ${store.location} (runs: ${[...known].join(', ')})`,
            );
          }
          // one windowing for all runs: the flags, else by step when every run records training steps
          // (session windows: --window, else the largest the rule grows any run's to, so none has more than 2,000)
          const layers = await Promise.all(runs.map((run) => store.scans.runLayers(run)));
          const choices = layers.map((l, i) => chooseCliWindows({ run: runs[i]!, ...opts }, l));
          const window = choices.every((c) => c.window.by === 'step')
            ? choices[0]!.window
            : opts.window !== undefined
              ? windowSpec({ run: runs[0]!, ...opts, by: 'session' })
              : ({ by: 'session', size: Math.max(...layers.map((l) => scaledSize(l))) } as const);
          return analyzeCompare(store, runs, { window });
        });
        if (opts.json) return printJson(r);
        const f = (v: number | null, d = 3) => (v === null ? '—' : v.toFixed(d));
        const arrow = (x: { first: number | null; last: number | null }, d = 3) =>
          `${f(x.first, d)} → ${f(x.last, d)}`;
        // shares as the other commands print them (convergence, unsolicited, recurrence): percent of sessions
        const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
        const pctArrow = (x: { first: number | null; last: number | null }) =>
          `${pct(x.first)} → ${pct(x.last)}`;
        process.stdout.write(
          `${renderTable(
            ['', ...r.runs.map((x) => x.run)],
            [
              ['sessions', ...r.runs.map((x) => x.sessions)],
              [
                r.window.by === 'step' ? 'steps (one window each)' : 'windows',
                ...r.runs.map((x) => x.windows),
              ],
              [
                'first → last window',
                ...r.runs.map((x) => (x.firstWindow ? `${x.firstWindow} → ${x.lastWindow}` : '—')),
              ],
              ['mean reward', ...r.runs.map((x) => arrow(x.reward))],
              ['low-reward share', ...r.runs.map((x) => pctArrow(x.lowShare))],
              ['vocabulary', ...r.runs.map((x) => arrow(x.vocabulary, 0))],
              ['response diversity', ...r.runs.map((x) => arrow(x.responseDiversity))],
              ['distinct-2 per output', ...r.runs.map((x) => arrow(x.distinct2PerOutput))],
              ['unsolicited rate', ...r.runs.map((x) => (x.unsolicited ? pctArrow(x.unsolicited) : '—'))],
              [
                'rising phrase',
                ...r.runs.map((x) =>
                  x.risingPhrase
                    ? `"${x.risingPhrase.ngram}" ${pct(x.risingPhrase.firstRate)} → ${pct(x.risingPhrase.lastRate)}`
                    : '—',
                ),
              ],
              [
                'took over (> 50% of every window)',
                ...r.runs.map((x) =>
                  x.takeover
                    ? `"${x.takeover.ngram}" from ${x.takeover.heldFrom} (first majority ${x.takeover.firstMajority})`
                    : '—',
                ),
              ],
              ...[...new Set(r.runs.flatMap((x) => x.runMetrics.map((m) => m.name)))].map((name) => [
                `run's own ${name}`,
                ...r.runs.map((x) => {
                  const m = x.runMetrics.find((y) => y.name === name);
                  return m ? arrow(m) : '—';
                }),
              ]),
              ['phases', ...r.runs.map((x) => x.phases || '—')],
            ],
          )}\n`,
        );
        for (const x of r.runs)
          printMissing(
            x.missing.map((m) => `${x.run}: ${m}`),
            (t) => process.stdout.write(t),
          );
      },
    );
}
