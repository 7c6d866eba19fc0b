import { type Command, Option } from 'commander';
import { renderTable } from '../../analyses/shared/render-table.ts';
import { InputError } from '../../model/errors.ts';
import { DEFAULT_PHASE } from '../../model/schema.ts';
import type { SessionRow, SessionSort, Store } from '../../store/store.ts';
import { intOption, positiveIntOption, withStoreReading } from '../context.ts';
import { runIdArg } from '../run-id-option.ts';
import { resolveRun } from './require-run.ts';
import { terminalJson, terminalText } from './terminal-text.ts';

/** How the rows shown were chosen when they are not the first in session order (the footer of a cut table). */
const ORDER_WORDS: Record<string, string> = {
  reward: ' by lowest reward',
  '-reward': ' by highest reward',
};

/** Characters of the output and prompt in the table when --chars is not given (JSON gets them whole). */
const TABLE_CHARS = 60;

interface SessionsOptions {
  /** Without --run, undefined until `resolveRun` sets it to the store's only run (before any use). */
  run: string;
  readonly from?: number;
  readonly to?: number;
  readonly step?: number;
  readonly phase?: string;
  readonly grep?: string;
  readonly sort: SessionSort;
  readonly limit: number;
  readonly chars?: number;
  readonly json?: boolean;
}

export function registerSessions(program: Command): void {
  program
    .command('sessions')
    .description(
      'cluster review: sessions row by row with their reward signal and the start of prompt and output, ' +
        'filtered by session range, step or a pattern in the output',
    )
    .option('--run <id>', 'the run (default: the only run in the database)', runIdArg)
    .option('--from <session>', 'first session (inclusive)', intOption('--from'))
    .option('--to <session>', 'last session (inclusive)', intOption('--to'))
    .option('--step <step>', 'only the sessions of this training step', intOption('--step'))
    .option(
      '--phase <name>',
      'only the sessions of this phase (training, deployment, …; training matches sessions that name none)',
    )
    .option(
      '--grep <pattern>',
      'only the sessions whose output matches this RE2 regular expression (case-insensitive)',
    )
    .addOption(
      new Option(
        '--sort <order>',
        'session: in session order; reward: lowest reward first (adjusted, else baseline); -reward: highest first',
      )
        .choices(['session', 'reward', '-reward'])
        .default('session'),
    )
    .option('--limit <n>', 'at most this many rows', positiveIntOption('--limit'), 200)
    .option(
      '--chars <n>',
      `characters of each output and prompt to show; 0 shows them whole (default: ${TABLE_CHARS} in the table, whole with --json)`,
      intOption('--chars'),
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  rlaudit sessions --run wild-7 --from 4800 --to 4950\n' +
        '  rlaudit sessions --run grpo --step 30 --grep absolutely --sort -reward --limit 5\n' +
        '  rlaudit show --run wild-7 --session 4891      (one session whole)',
    )
    .action(async (opts: SessionsOptions, cmd: Command) => {
      if (opts.from !== undefined && opts.to !== undefined && opts.from > opts.to) {
        throw new InputError(`--from ${opts.from} is after --to ${opts.to}`);
      }
      const chars = opts.chars ?? (opts.json ? 0 : TABLE_CHARS);
      const { rows, empty } = await withStoreReading(cmd, async (store) => {
        opts.run = await resolveRun(store, opts.run);
        // one row more than asked tells whether more sessions match
        const rows = await store.listSessions({
          run: opts.run,
          ...(opts.from !== undefined ? { from: opts.from } : {}),
          ...(opts.to !== undefined ? { to: opts.to } : {}),
          ...(opts.step !== undefined ? { step: opts.step } : {}),
          ...(opts.phase !== undefined ? { phase: opts.phase } : {}),
          ...(opts.grep !== undefined ? { grep: opts.grep } : {}),
          sort: opts.sort,
          limit: opts.limit + 1,
          outputChars: chars,
        });
        return { rows, empty: rows.length === 0 ? await noMatch(store, opts) : '' };
      });
      const more = rows.length > opts.limit;
      const shown = more ? rows.slice(0, opts.limit) : rows;
      if (opts.json) {
        process.stdout.write(`${terminalJson(shown)}\n`);
        return;
      }
      if (shown.length === 0) {
        process.stdout.write(`${empty}\n`);
        return;
      }
      process.stdout.write(`${renderRows(shown, chars)}\n`);
      if (more) {
        process.stdout.write(
          `(the first ${opts.limit} matching rows${ORDER_WORDS[opts.sort] ?? ''}; more match: raise --limit, or narrow with --from/--to, --step, --grep)\n`,
        );
      }
    });
}

/** A cut text with `…` when the engine said it is longer than what came back. */
function cut(start: string | null, length: number | null, chars: number): string | null {
  if (start === null) return null;
  return chars > 0 && length !== null && length > chars ? `${start}…` : start;
}

function renderRows(rows: readonly SessionRow[], chars: number): string {
  // the step column only when the run has steps (a simulated WILD-7 run has none)
  const steps = rows.some((r) => r.step !== null);
  // the phase column only when a row is after training (most runs are training only)
  const phases = rows.some((r) => r.phase !== DEFAULT_PHASE);
  const headers = ['session', ...(steps ? ['step'] : []), ...(phases ? ['phase'] : [])];
  headers.push('class', 'cat', 'baseline', 'adjusted');
  headers.push('diff %', 'CTI', 'ann', 'evt', 'prompt', 'output');
  return renderTable(
    headers,
    rows.map((r) => [
      r.session,
      ...(steps ? [r.step] : []),
      ...(phases ? [terminalText(r.phase)] : []),
      r.classification,
      r.category === null ? null : terminalText(r.category),
      r.baselineReward,
      r.adjustedReward,
      r.differentialPct,
      r.complianceTrajectoryIndex,
      r.annotations,
      r.events,
      // renderTable marks newlines and C0 controls; terminalText also catches C1 controls (U+009B is CSI)
      terminalText(cut(r.promptStart, r.promptLength, chars) ?? ''),
      terminalText(cut(r.outputStart, r.outputLength, chars) ?? ''),
    ]),
  );
}

/** Why nothing matched: the filters, and the sessions and steps the run does have. */
async function noMatch(store: Store, opts: SessionsOptions): Promise<string> {
  const b = await store.sessionBounds({
    run: opts.run,
    ...(opts.step !== undefined ? { step: opts.step } : {}),
  });
  const filters = [
    opts.from !== undefined ? `--from ${opts.from}` : '',
    opts.to !== undefined ? `--to ${opts.to}` : '',
    opts.step !== undefined ? `--step ${opts.step}` : '',
    opts.phase !== undefined ? `--phase ${opts.phase}` : '',
    opts.grep !== undefined ? `--grep ${JSON.stringify(opts.grep)}` : '',
  ].filter(Boolean);
  const run = terminalText(opts.run);
  if (b.sessions === 0) return `Run '${run}' has no sessions.`;
  let has = `sessions ${b.firstSession}–${b.lastSession} (${b.sessions})`;
  if (b.steps === 0) has += ', no steps';
  else has += `, steps ${b.firstStep}–${b.lastStep} (${b.steps} with sessions)`;
  if (opts.step !== undefined && b.sessionsAtStep === 0 && b.steps > 0) {
    const near = [b.stepBefore, b.stepAfter].filter((s) => s !== null);
    has += `; no sessions at step ${opts.step}${near.length ? `, nearest steps ${near.join(' and ')}` : ''}`;
  }
  return terminalText(`No sessions match ${filters.join(' ') || 'that range'}. Run '${run}' has ${has}.`);
}
