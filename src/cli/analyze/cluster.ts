import { type Command, InvalidArgumentError } from 'commander';
import { analyzeCluster, CLUSTER_DEFAULT_LIMIT, type ClusterAnalysis } from '../../audit/analyses/cluster.ts';
import { InputError } from '../../model/errors.ts';
import { printJson } from '../context.ts';
import { renderTable } from '../table.ts';
import { type AnalysisCliOptions, analysisCommand, printMissing, withRun } from './common.ts';

interface ClusterCliOptions extends AnalysisCliOptions {
  readonly from: number;
  readonly to: number;
  readonly limit: number;
  readonly chars: number;
}

const positive = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1)
    throw new InvalidArgumentError(`${name} expects a positive integer.`);
  return Number(v);
};

const f = (x: number | null) => (x === null ? '' : x.toFixed(3));

function printResult(r: ClusterAnalysis): void {
  const rows = r.sessions.map((s) => [
    s.session,
    s.classification ?? '',
    s.category ?? '',
    s.baselineReward,
    s.adjustedReward,
    s.differentialPct,
    s.complianceTrajectoryIndex,
    s.annotations,
    s.eventIds.join(' '),
    s.outputStart,
  ]);
  const headers = [
    'session',
    'class',
    'cat',
    'baseline',
    'adjusted',
    'diff %',
    'CTI',
    'ann',
    'events',
    'output',
  ];
  process.stdout.write(`${renderTable(headers, rows)}\n\n`);
  const g = r.gap;
  process.stdout.write(
    `${r.reward} in ${r.from}–${r.to}: compliant ${f(g.compliantMean)} (n=${g.compliantN}), non-compliant ${f(g.nonCompliantMean)} (n=${g.nonCompliantN}), gap ${f(g.gap)}\n`,
  );
  if (r.gapBetweenEvents.length > 1) {
    for (const s of r.gapBetweenEvents) {
      const by = s.startedBy.length ? ` (after ${s.startedBy.join(', ')})` : '';
      process.stdout.write(
        `  ${s.from}–${s.to}${by}: compliant ${f(s.compliantMean)}, non-compliant ${f(s.nonCompliantMean)}, gap ${f(s.gap)}\n`,
      );
    }
  }
  for (const d of r.differentials) {
    process.stdout.write(
      `differential in force: category ${d.category ?? 'none'} ${d.differentialPct}% (${d.sessions} session${d.sessions === 1 ? '' : 's'}, ${d.firstSession}–${d.lastSession})\n`,
    );
  }
  for (const e of r.events) {
    process.stdout.write(
      `event ${e.id} @${e.session}: ${e.kind} ${e.parameter} ${e.target} ${e.from ?? '?'} → ${e.to ?? '?'}` +
        `${e.recommendedBy ? `, recommended by ${e.recommendedBy}` : ''}\n`,
    );
  }
  printMissing(r.missing);
}

/** `rlaudit analyze cluster`: a session range row by row, with the differentials in force and the reward gap. */
export function registerCluster(analyze: Command): void {
  analysisCommand(
    analyze,
    'cluster',
    'a session range row by row: differentials in force, compliant vs non-compliant gap',
  )
    .requiredOption('--from <session>', 'first session of the range', positive('--from'))
    .requiredOption('--to <session>', 'last session of the range', positive('--to'))
    .option('--limit <n>', 'largest range reviewed, in sessions', positive('--limit'), CLUSTER_DEFAULT_LIMIT)
    .option('--chars <n>', 'characters of each output shown', positive('--chars'), 60)
    .addHelpText(
      'after',
      '\nExample:\n  rlaudit analyze cluster --run wild-7 --from 4800 --to 4950\n' +
        `\nRanges over ${CLUSTER_DEFAULT_LIMIT} sessions are refused unless --limit is raised. Definitions: docs/analyses/cluster.md`,
    )
    .action(async (opts: ClusterCliOptions, cmd: Command) => {
      if (opts.window !== undefined || opts.by === 'step') {
        throw new InputError(
          'cluster reviews a session range (--from, --to); --window and --by do not apply',
        );
      }
      await withRun(cmd, opts.run, async (store) => {
        const result = await analyzeCluster(store, opts.run, {
          from: opts.from,
          to: opts.to,
          limit: opts.limit,
          outputChars: opts.chars,
        });
        if (opts.json) printJson(result);
        else printResult(result);
      });
    });
}
