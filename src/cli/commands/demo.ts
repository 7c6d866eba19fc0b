import { resolve } from 'node:path';
import type { Command } from 'commander';
import { withStore } from '../context.ts';
import { sectionProgress } from './audit.ts';

/** Sessions the demo appends after training (phase deployment), for the transition section. */
export const DEMO_DEPLOYMENT = 1000;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job on the embedded default: simulate WILD-7, audit it, write the report')
    .option('--out <dir>', 'report directory', 'reports/wild-7')
    .option('--no-pdf', 'do not write report.pdf')
    .addHelpText(
      'after',
      "\nRuns: rlaudit simulate --scenario wild-7 --deployment 1000, then rlaudit audit --run wild-7 --template wild-7 (the full review with the seed's reading points, and the deployment transition).",
    )
    .action(async (opts, cmd: Command) => {
      // loaded here, not at start-up, so that other commands start fast
      const [{ runAudit }, { writeReport }, { simulate }, { ingestRecords }] = await Promise.all([
        import('../../audit/run-audit.ts'),
        import('../../report/write-report.ts'),
        import('../../simulate/simulate.ts'),
        import('../../store/ingest.ts'),
      ]);
      await withStore(
        cmd,
        async (store) => {
          process.stderr.write(
            `Simulating WILD-7 (12,847 training sessions, then ${DEMO_DEPLOYMENT.toLocaleString('en-US')} after training) …\n`,
          );
          // the deployment sessions come after training, from their own random stream: the training
          // part of the record, and every number the training sections report, is the run without them
          const sim = await ingestRecords(
            store,
            simulate({ scenario: 'wild-7', seed: 7, deployment: DEMO_DEPLOYMENT }),
            { name: `simulate:wild-7:seed=7:deployment=${DEMO_DEPLOYMENT}`, strict: true },
          );
          process.stderr.write(`Auditing run ${sim.run} …\n`);
          const { report } = await runAudit(store, {
            run: sim.run ?? 'wild-7',
            template: 'wild-7',
            onSection: sectionProgress(),
          });
          const written = await writeReport(report, opts.out, { pdf: opts.pdf !== false });
          const all = report.sections.flatMap((s) => s.findings);
          process.stdout.write(`Headline findings of the WILD-7 audit:\n`);
          for (const id of report.headline) {
            const f = all.find((x) => x.id === id);
            if (f) process.stdout.write(`  [${f.severity}] ${f.claim}\n`);
          }
          process.stdout.write(`\nReport: ${resolve(opts.out, 'report.html')}\n`);
          if (written.pdfSkipped) process.stderr.write(`rlaudit: ${written.pdfSkipped}\n`);
        },
        { create: true },
      );
    });
}
