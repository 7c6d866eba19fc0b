import { type Command, Option } from 'commander';
import { CHECK_RULES, checkReport } from '../../audit/check.ts';
import { InputError } from '../../model/errors.ts';
import { intOption, printJson, withStore } from '../context.ts';
import { sectionProgress, windowFrom } from './audit.ts';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'exit 1 when the audit finds what --fail-on names (for a training pipeline’s CI), 0 otherwise',
    )
    .requiredOption('--run <id>', 'the run')
    .requiredOption('--fail-on <rules>', `comma-separated rules: ${Object.keys(CHECK_RULES).join(', ')}`)
    .option('--template <name|file>', 'audit template (default: full)')
    .option('--window <n>', 'sessions per window (default: the template’s, 500)', intOption('--window'))
    .addOption(
      new Option('--by <unit>', 'window by session numbers or by training step').choices(['session', 'step']),
    )
    .option('--json', 'print the outcome as JSON')
    .addHelpText(
      'after',
      `
Rules:
${Object.entries(CHECK_RULES)
  .map(([k, v]) => `  ${k.padEnd(24)} ${v}`)
  .join('\n')}

Example:
  rlaudit check --run my-run --fail-on diversity_collapse,phrase_displacement
  rlaudit check --run grpo-baseline --by step --fail-on phrase_takeover,metric_blind_spot`,
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
        if (!(await store.hasRun(opts.run)))
          throw new InputError(`no run '${opts.run}' in ${store.location}`);
        if (opts.by === 'step' && opts.window !== undefined)
          throw new InputError('--window and --by step exclude each other');
        const window = windowFrom(opts);
        const { runAudit } = await import('../../audit/run-audit.ts'); // slow to import: only when needed
        const { report } = await runAudit(store, {
          run: opts.run,
          ...(window ? { window } : {}),
          template: opts.template ?? 'full',
          operations: false,
          onSection: sectionProgress(),
        });
        return checkReport(report, rules);
      });
      if (opts.json) {
        printJson({
          ok: outcome.failed.length === 0,
          failed: outcome.failed.map((f) => ({
            rule: f.rule,
            findings: f.findings.map((x) => ({ id: x.id, claim: x.claim })),
          })),
          passed: outcome.passed,
        });
      } else {
        for (const f of outcome.failed)
          process.stdout.write(
            `FAIL ${f.rule}: ${f.findings[0]!.claim} (${f.findings.map((x) => x.id).join(', ')})\n`,
          );
        for (const p of outcome.passed) process.stdout.write(`ok   ${p}\n`);
      }
      process.exitCode = outcome.failed.length > 0 ? 1 : 0;
    });
}
