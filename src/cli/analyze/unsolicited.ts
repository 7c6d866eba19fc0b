import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { parseDetector } from '../../analysis/unsolicited-detector.ts';
import { analyzeUnsolicited } from '../../audit/analyses/unsolicited.ts';
import { InputError } from '../../model/errors.ts';
import { printJson } from '../context.ts';
import { renderTable } from '../table.ts';
import { type AnalysisCliOptions, analysisCommand, printMissing, windowSpec, withRun } from './common.ts';

interface UnsolicitedCliOptions extends AnalysisCliOptions {
  readonly source: 'auto' | 'classification' | 'detector';
  readonly detector?: string;
}

const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

function readDetector(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the detector file (${(err as Error).message})`, { file: path });
  }
  return parseDetector(text, path);
}

/**
 * `rlaudit analyze unsolicited --run R`: share of unsolicited outputs per window (docs/analyses/unsolicited.md).
 *
 * @example rlaudit analyze unsolicited --run wild-7 --source detector --detector rules.yaml
 */
export function registerUnsolicited(analyze: Command): void {
  analysisCommand(
    analyze,
    'unsolicited',
    'share of outputs with self-referential or off-prompt content per window',
  )
    .addOption(
      new Option(
        '--source <source>',
        'classification (the record), detector, or auto: classification when present',
      )
        .choices(['auto', 'classification', 'detector'])
        .default('auto'),
    )
    .option('--detector <file>', 'detector rules (JSON or YAML) instead of the built-in ones')
    .addHelpText(
      'after',
      `
An output is unsolicited when the record classifies it non-compliant (every non-compliance category is
unsolicited content), or, without a classification layer, when a detector rule matches its text. Rates carry
Wilson 95% intervals. On simulated runs the detector's precision and recall against the ground truth are shown.
Detector file format and built-in rules: docs/analyses/unsolicited.md.

Examples:
  rlaudit analyze unsolicited --run wild-7
  rlaudit analyze unsolicited --run wild-7 --source detector --detector my-rules.yaml --json`,
    )
    .action(async (opts: UnsolicitedCliOptions, cmd: Command) => {
      const spec = windowSpec(opts);
      const detector = opts.detector ? readDetector(opts.detector) : undefined;
      await withRun(cmd, opts.run, async (store) => {
        const r = await analyzeUnsolicited(store, opts.run, {
          window: spec,
          source: opts.source,
          ...(detector ? { detector } : {}),
        });
        if (opts.json) {
          printJson(r);
          return;
        }
        const catName = (c: string) => (/^\d+$/.test(c) ? `cat ${c}` : c);
        const headers = ['window', 'n', 'unsolicited', 'rate', 'ci95', ...r.categories.map(catName)];
        const rows = r.windows.map((w) => [
          w.label,
          w.n,
          w.count,
          pct(w.rate),
          w.ci95 ? `${pct(w.ci95.lower)}–${pct(w.ci95.upper)}` : '',
          ...w.categories.map((c) => pct(c.rate)),
        ]);
        process.stdout.write(`${renderTable(headers, rows)}\n`);
        const source = r.source === 'detector' ? `detector '${r.detector}'` : 'classification';
        process.stdout.write(`\nsource: ${source}\n`);
        const fl = r.firstLast;
        if (fl) {
          process.stdout.write(
            `first vs last window (${fl.firstWindow} → ${fl.lastWindow}): ${pct(fl.first.rate)} → ${pct(fl.last.rate)}\n`,
          );
        }
        const ev = r.evaluation;
        if (ev) {
          process.stdout.write(
            `detector '${ev.detector}' vs ground truth: precision ${pct(ev.precision)}, recall ${pct(ev.recall)} ` +
              `(TP ${ev.truePositives}, FP ${ev.falsePositives}, FN ${ev.falseNegatives}, TN ${ev.trueNegatives})\n`,
          );
        }
        printMissing(r.missing);
      });
    });
}
