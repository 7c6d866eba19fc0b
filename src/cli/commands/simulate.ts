import { type Command, InvalidArgumentError } from 'commander';
import { InputError } from '../../model/errors.ts';
import type { SimulatedRecord, SimulateOptions } from '../../simulate/simulate.ts';
import { intOption, printJson, withStore } from '../context.ts';
import { countProgress } from '../progress.ts';
import { runIdArg } from '../run-id-option.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** A share in [0, 1], with a usage error naming the option. */
const shareOption =
  (name: string) =>
  (value: string): number => {
    const x = Number(value);
    if (!/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(value) || x > 1)
      throw new InvalidArgumentError(`${name} expects a number from 0 to 1.`);
    return x;
  };

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('generate a complete training record in which a policy learns from the calibrated reward')
    .option('--scenario <name>', 'the scenario', 'wild-7')
    .option(
      '--seed <n>',
      'random seed (same seed and options: byte-identical record)',
      intOption('--seed'),
      7,
    )
    .option(
      '--sessions <n>',
      "number of sessions (default: the scenario's, 12,847 for wild-7)",
      (v: string) => {
        const n = intOption('--sessions')(v);
        if (n < 1) throw new InvalidArgumentError('--sessions must be at least 1.');
        return n;
      },
    )
    .option(
      '--without <intervention>',
      'counterfactual replay without a scheduled adjustment or rule: schedule:<session>, rule:<id> or e-<n> (repeatable)',
      collect,
      [],
    )
    .option(
      '--deployment <n>',
      'append n sessions after training, sampled from the final policy with no reward applied (phase deployment)',
      intOption('--deployment'),
      0,
    )
    .option(
      '--compliance-gap <share>',
      "after training: non-compliance share of unmonitored minus monitored sessions (default: the scenario's, 0.12 for wild-7)",
      shareOption('--compliance-gap'),
    )
    .option(
      '--phrase-reversion <share>',
      "after training: probability that the suppressed appeal (the target phrase) returns (default: the scenario's, 0.03)",
      shareOption('--phrase-reversion'),
    )
    .option(
      '--unmonitored-share <share>',
      "after training: share of sessions whose prompt carries the unmonitored cue (default: the scenario's, 0.5)",
      shareOption('--unmonitored-share'),
    )
    .option('--out <file.jsonl>', 'write the record to this JSONL file instead of the store')
    .option(
      '--run <id>',
      'store it as this run (default: the scenario name, plus ~without~… for a counterfactual)',
      runIdArg,
    )
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
The policy over behaviours and phrasings is updated from the adjusted reward that the calibration engine
computes (docs/simulator.md); each session's meta holds the ground truth. Written into the store by default,
so it can be audited at once; --out writes record-format JSONL instead.

Examples:
  rlaudit simulate --scenario wild-7
  rlaudit simulate --scenario wild-7 --without schedule:2500
  rlaudit simulate --sessions 1000000 --out wild-7-1m.jsonl
  rlaudit simulate --deployment 1000 --compliance-gap 0 --phrase-reversion 0   (no gap, no reversion)`,
    )
    .action(async (opts, cmd: Command) => {
      if (opts.out && opts.run)
        throw new InputError('give either --out (a file) or --run (the store), not both');
      // the simulator and the store's ingest are imported when the command runs, not at start-up
      const { resolveScenario, simulate } = await import('../../simulate/simulate.ts');
      const { writeSimulation } = await import('../../simulate/write-simulation.ts');
      const { ingestRecords } = await import('../../store/ingest.ts');
      const scenario = resolveScenario(opts.scenario);
      const options: SimulateOptions = {
        scenario,
        seed: opts.seed,
        sessions: opts.sessions,
        without: opts.without,
        deployment: opts.deployment,
        deploymentConfig: {
          ...(opts.complianceGap === undefined ? {} : { complianceGap: opts.complianceGap }),
          ...(opts.phraseReversion === undefined ? {} : { phraseReversion: opts.phraseReversion }),
          ...(opts.unmonitoredShare === undefined ? {} : { unmonitoredShare: opts.unmonitoredShare }),
        },
        ...(opts.run ? { run: opts.run } : {}),
      };
      const total = (opts.sessions ?? scenario.sessions) + opts.deployment;
      const bar = countProgress('simulate', total, 'sessions');
      let summary: Record<string, unknown>;
      try {
        if (opts.out) {
          const s = await writeSimulation(opts.out, options);
          summary = { out: opts.out, ...s };
        } else {
          summary = await withStore(
            cmd,
            async (store) => {
              let n = 0;
              function* tracked(): Generator<SimulatedRecord> {
                for (const r of simulate(options)) {
                  if (r.type === 'session') bar.update(++n);
                  yield r;
                }
              }
              const name = `simulate:${opts.scenario}:seed=${opts.seed}${opts.without.length ? `:without=${opts.without.join('+')}` : ''}${opts.deployment ? `:deployment=${opts.deployment}` : ''}`;
              const s = await ingestRecords(store, tracked(), { name, strict: true });
              return {
                run: s.run,
                sessions: n,
                read: s.read,
                accepted: s.accepted,
                duplicates: s.duplicates,
              };
            },
            { create: true },
          );
        }
      } finally {
        bar.stop();
      }
      if (opts.json) return printJson(summary);
      if (opts.out) {
        process.stdout.write(
          `Wrote ${summary.sessions} sessions, ${summary.events} events, ${summary.annotations} annotations to ${opts.out}\n`,
        );
      } else {
        const fresh = summary.accepted === summary.read;
        process.stdout.write(
          `Simulated ${summary.sessions} sessions into run ${summary.run}` +
            (fresh
              ? '.'
              : ` (${summary.duplicates} of ${summary.read} records were already stored: same seed, same record).`) +
            `\nSee it with: rlaudit sessions --run ${summary.run} --from 4800 --to 4950\n`,
        );
      }
    });
}
