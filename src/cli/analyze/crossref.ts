import type { Command } from 'commander';
import { analyzeCrossref, type CrossrefResult } from '../../audit/analyses/crossref.ts';
import { intOption, printJson } from '../context.ts';
import { renderTable } from '../table.ts';
import { type AnalysisCliOptions, analysisCommand, printMissing, withRun } from './common.ts';

interface CrossrefCliOptions extends AnalysisCliOptions {
  readonly near?: number;
}

function printResult(r: CrossrefResult): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (r.authors.length > 0) {
    out(
      renderTable(
        ['author', 'annotations', 'median tokens', 'MAD', 'standard fields'],
        r.authors.map((a) => [
          a.author,
          a.annotations,
          a.medianTokens,
          a.madTokens,
          a.standardFields.join(', '),
        ]),
      ),
    );
    out('');
  }
  out(
    `annotations departing from their author's standard: ${r.flagged.length}${r.truncated ? ' (prefilter truncated)' : ''}`,
  );
  if (r.flagged.length > 0) {
    out(
      renderTable(
        ['annotation', 'session', 'author', 'reasons', 'text'],
        r.flagged.map((a) => [
          a.id,
          a.session,
          a.author,
          a.reasons.join(', '),
          a.text.length > 60 ? `${a.text.slice(0, 59)}…` : a.text,
        ]),
      ),
    );
  }
  out('');
  out(`co-occurrences with calibration events (±${r.near} sessions): ${r.coOccurrences.length}`);
  for (const c of r.coOccurrences) out(`  ${c.summary}`);
  printMissing(r.missing);
}

/** `rlaudit analyze crossref`: annotations departing from their author's format, joined with nearby events. */
export function registerCrossref(analyze: Command): void {
  analysisCommand(
    analyze,
    'crossref',
    "annotations departing from their author's standard format, joined with calibration events",
  )
    .option(
      '--near <n>',
      'join events within ±n sessions of a flagged annotation (default 0)',
      intOption('--near'),
    )
    .addHelpText(
      'after',
      '\nExample:\n  rlaudit analyze crossref --run wild-7 --near 5\n' +
        '\nReasons: first_person, affect, length (robust z > 3.5), missing_fields. Definitions: docs/analyses/crossref.md',
    )
    .action(async (opts: CrossrefCliOptions, cmd: Command) => {
      await withRun(cmd, opts.run, async (store) => {
        const result = await analyzeCrossref(store, opts.run, { near: opts.near ?? 0 });
        if (opts.json) printJson(result);
        else printResult(result);
      });
    });
}
