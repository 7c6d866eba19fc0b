import { type Command, Option } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import type { WindowRequest } from '../../analyses/shared/window-rule.ts';
import { InputError } from '../../model/errors.ts';
import type { Store } from '../../store/store.ts';
import { positiveIntOption, printJson, withStore } from '../context.ts';
import { runIdArg } from '../run-id-option.ts';
import { resolveRun } from './require-run.ts';
import { terminalText } from './terminal-text.ts';

/** Section progress on stderr for terminals; RLAUDIT_TRACE=sections forces it (the resume test uses it). */
export function sectionProgress(
  failures: { internal: number } = { internal: 0 },
): (id: string, status: string, error?: unknown) => void {
  const show = (Boolean(process.stderr.isTTY) && !process.env.CI) || process.env.RLAUDIT_TRACE === 'sections';
  return (id, status, error) => {
    if (show) process.stderr.write(`  ${status.padEnd(8)} ${id}\n`);
    // a section that failed on its input (an InputError: the data cannot give it) is the data's problem
    if (status === 'failed' && !(error instanceof InputError)) failures.internal++;
  };
}

/** The windows the flags ask for; the windowing rule decides the rest (src/analyses/shared/window-rule.ts). */
export function windowFrom(opts: { window?: number; by?: string }): WindowRequest {
  if (opts.by === 'step' && opts.window !== undefined)
    throw new InputError('--window and --by step exclude each other');
  return {
    ...(opts.by === 'step' || opts.by === 'session' ? { by: opts.by } : {}),
    ...(opts.window !== undefined ? { size: opts.window } : {}),
  };
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('audit a run with a template and write the compliance report (md, html, json, pdf)')
    .argument('[action]', '"status" to show the tracked audits of the run instead')
    .option('--run <id>', 'the run (default: the only run in the database)', runIdArg)
    .option(
      '--template <name|file>',
      'quantitative-review (default), qualitative-review, full, wild-7, or a template file',
    )
    .option('--out <dir>', 'report directory (default: reports/<run>)')
    .option(
      '--window <n>',
      'sessions per window, taken exactly (default: by step when the run records training steps, else the template’s, 500, grown to at most 2,000 windows)',
      positiveIntOption('--window'),
    )
    .addOption(
      new Option('--by <unit>', 'window by session numbers or by training step').choices(['session', 'step']),
    )
    .option('--fresh', 'do not resume an interrupted audit of the same configuration')
    .option('--no-pdf', 'do not write report.pdf')
    .option('--json', 'print a JSON summary')
    .addHelpText(
      'after',
      `
Sections are tracked in the store: an audit killed mid-way resumes from its first incomplete section when
run again. When the store stops answering during the audit (a ClickHouse shard down), the audit stops at
once — exit 3, or 2 when the server of the URL itself cannot be reached — and is marked failed; run it
again once the store answers to resume. Findings cite session, event and annotation ids; report.html links them to session excerpts.

Examples:
  rlaudit audit --run wild-7
  rlaudit audit --run wild-7 --template full --out reports/wild-7-full
  rlaudit audit status --run wild-7`,
    )
    .action(async (action: string | undefined, opts, cmd: Command) => {
      if (action !== undefined && action !== 'status') {
        throw new InputError(`unknown audit action '${action}' (the only one is: status)`);
      }
      const failures = { internal: 0 };
      await withStore(cmd, async (store) => {
        opts.run = await resolveRun(store, opts.run);
        if (action === 'status') return printStatus(store, opts.run, Boolean(opts.json));
        const window = windowFrom(opts);
        // loaded here, not at start-up: the audit and the report renderers (vega, playwright) are slow to import
        const { runAudit } = await import('../../audit/run-audit.ts');
        const { writeReport } = await import('../../report/write-report.ts');
        const { report, auditId, resumed } = await runAudit(store, {
          run: opts.run,
          ...(opts.template ? { template: opts.template } : {}),
          windows: window,
          fresh: Boolean(opts.fresh),
          onSection: sectionProgress(failures),
          onWindows: (choice) => {
            if (choice.warning) process.stderr.write(`rlaudit: ${choice.warning}\n`);
          },
        });
        const written = await writeReport(report, opts.out ?? `reports/${opts.run}`, {
          pdf: opts.pdf !== false,
        });
        const all = report.sections.flatMap((s) => s.findings);
        if (opts.json) {
          return printJson({
            auditId,
            run: opts.run,
            template: report.template.name,
            resumed,
            sections: report.sections.map((s) => ({
              id: s.id,
              status: s.status,
              findings: s.findings.length,
            })),
            headline: report.headline.map((id) => all.find((f) => f.id === id)),
            files: written.files,
            pdfSkipped: written.pdfSkipped,
          });
        }
        process.stdout.write(
          `Audit ${auditId} of run ${opts.run} (template ${report.template.name})${resumed.length ? `, resumed after: ${resumed.join(', ')}` : ''}\n\nHeadline findings:\n`,
        );
        for (const id of report.headline) {
          const f = all.find((x) => x.id === id);
          if (f) process.stdout.write(`  [${f.severity}] ${f.claim}\n`);
        }
        process.stdout.write(`\nReport: ${written.files.join(', ')}\n`);
        if (written.pdfSkipped) process.stderr.write(`rlaudit: ${written.pdfSkipped}\n`);
        // failed sections: exit 3 when one failed inside rlaudit, 2 when each failed on its data (the section
        // in the report says why)
        const failed = report.sections.filter((s) => s.status === 'failed');
        for (const s of failed)
          process.stderr.write(`rlaudit: section ${s.id} failed: ${terminalText(s.error ?? '')}\n`);
        if (failed.length > 0) process.exitCode = failures.internal > 0 ? 3 : 2;
      });
    });
}

async function printStatus(store: Store, run: string, json: boolean): Promise<void> {
  const audits = await store.audits.listAudits(run, 10);
  if (json)
    return printJson(audits.map((a) => ({ ...a, sections: a.sections.map(({ result: _r, ...s }) => s) })));
  if (audits.length === 0) {
    process.stdout.write(`No audits of run ${run} yet. Start one with: rlaudit audit --run ${run}\n`);
    return;
  }
  for (const a of audits) {
    process.stdout.write(
      `audit ${a.auditId} · template ${a.template} · ${a.status} · started ${a.startedAt}${a.finishedAt ? ` · finished ${a.finishedAt}` : ''}\n`,
    );
    process.stdout.write(
      `${renderTable(
        ['section', 'status', 'duration ms', 'error'],
        a.sections.map((s) => [s.sectionId, s.status, s.durationMs, s.error]),
      )}\n\n`,
    );
  }
}
