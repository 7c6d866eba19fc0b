import { type Command, Option } from 'commander';
import { CHECK_RULES, checkReport } from '../../audit/check.ts';
import { InputError } from '../../model/errors.ts';
import { positiveIntOption, printJson, withStore } from '../context.ts';
import { runIdArg } from '../run-id-option.ts';
import { sectionProgress, windowFrom } from './audit.ts';
import { resolveRun } from './require-run.ts';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'exit 1 when the audit finds what --fail-on names (for a training pipeline’s CI), 0 otherwise',
    )
    .option('--run <id>', 'the run (default: the only run in the database)', runIdArg)
    .requiredOption('--fail-on <rules>', `comma-separated rules: ${Object.keys(CHECK_RULES).join(', ')}`)
    .option('--template <name|file>', 'audit template (default: full)')
    .option(
      '--window <n>',
      'sessions per window (default: by step when the run records training steps, else the template’s, 500)',
      positiveIntOption('--window'),
    )
    .addOption(
      new Option('--by <unit>', 'window by session numbers or by training step').choices(['session', 'step']),
    )
    .option(
      '--require-all',
      'a rule the run or template cannot evaluate fails too (default: reported as n/a)',
    )
    .option('--json', 'print the outcome as JSON')
    .addHelpText(
      'after',
      `
Rules:
${Object.entries(CHECK_RULES)
  .map(([k, v]) => `  ${k.padEnd(24)} ${v}`)
  .join('\n')}

Each rule ends FAIL (a finding carries it), ok (its analysis ran on data that could show it and found
nothing) or n/a (not evaluated, and why: no events, no annotations, no logged diversity metric, the template
does not run its analysis). With --require-all, n/a fails too.

Example:
  rlaudit check --run my-run --fail-on diversity_collapse,phrase_displacement
  rlaudit check --run grpo-baseline --fail-on phrase_takeover,metric_blind_spot --require-all`,
    )
    .action(async (opts, cmd: Command) => {
      const rules = String(opts.failOn)
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const unknown = rules.filter((r) => !(r in CHECK_RULES));
      if (rules.length === 0 || unknown.length > 0) {
        throw new InputError(
          `${unknown.length ? `unknown rule${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` : 'no rule given'} (rules: ${Object.keys(CHECK_RULES).join(', ')})`,
          { field: '--fail-on' },
        );
      }
      const outcome = await withStore(cmd, async (store) => {
        opts.run = await resolveRun(store, opts.run);
        const window = windowFrom(opts);
        const { runAudit } = await import('../../audit/run-audit.ts'); // slow to import: only when needed
        const { report } = await runAudit(store, {
          run: opts.run,
          windows: window,
          template: opts.template ?? 'full',
          operations: false,
          onSection: sectionProgress(),
        });
        const { loadTemplate } = await import('../../audit/template.ts');
        const template = loadTemplate(opts.template ?? 'full');
        const metricNames = [...new Set((await store.listStepMetrics({ run: opts.run })).map((m) => m.name))];
        return checkReport(report, rules, {
          layers: await store.scans.runLayers(opts.run),
          events: await store.scans.listEvents(opts.run),
          window: report.parameters.window,
          stepMetrics: metricNames,
          template,
        });
      });
      const requireAll = Boolean(opts.requireAll);
      if (opts.json) {
        printJson({
          ok: outcome.failed.length === 0 && !(requireAll && outcome.notEvaluated.length > 0),
          failed: outcome.failed.map((f) => ({
            rule: f.rule,
            findings: f.findings.map((x) => ({ id: x.id, claim: x.claim })),
          })),
          passed: outcome.passed,
          notEvaluated: outcome.notEvaluated,
        });
      } else {
        for (const f of outcome.failed)
          process.stdout.write(
            `FAIL ${f.rule}: ${f.findings[0]!.claim} (${f.findings.map((x) => x.id).join(', ')})\n`,
          );
        for (const n of outcome.notEvaluated)
          process.stdout.write(`${requireAll ? 'FAIL' : 'n/a '} ${n.rule}: not evaluated (${n.why})\n`);
        for (const p of outcome.passed) process.stdout.write(`ok   ${p}\n`);
      }
      const failing = outcome.failed.length > 0 || (requireAll && outcome.notEvaluated.length > 0);
      process.exitCode = failing ? 1 : 0;
    });
}
