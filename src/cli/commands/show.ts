import type { Command } from 'commander';
import { InputError } from '../../model/errors.ts';
import type { SessionDetail, Store } from '../../store/store.ts';
import { intOption, withStoreReading } from '../context.ts';
import { runIdArg } from '../run-id-option.ts';
import { resolveRun } from './require-run.ts';
import { terminalJson, terminalText } from './terminal-text.ts';

interface ShowOptions {
  /** Without --run, undefined until `resolveRun` sets it to the store's only run (before any use). */
  run: string;
  readonly session?: number;
  readonly step?: number;
  readonly index?: number;
  readonly json?: boolean;
}

export function registerShow(program: Command): void {
  program
    .command('show')
    .description(
      'one session whole: prompt, output, every reward layer, its annotations, the calibration events at it, and its meta',
    )
    .option('--run <id>', 'the run (default: the only run in the database)', runIdArg)
    .option('--session <n>', 'the session', intOption('--session'))
    .option('--step <step>', 'a session of this training step (with --index)', intOption('--step'))
    .option(
      '--index <i>',
      "which of the step's sessions, 0-based in session order (default: 0)",
      intOption('--index'),
    )
    .option('--json', 'print the session as JSON')
    .addHelpText(
      'after',
      '\nOutputs are printed as they are, except that control characters (escape sequences, carriage returns,\n' +
        'C1 and bidi controls) are shown as visible marks (␛, ␍, ⟨U+009B⟩) so that an output cannot rewrite\n' +
        'the terminal.\n\nExamples:\n  rlaudit show --run wild-7 --session 4891\n' +
        '  rlaudit show --run grpo --step 30 --index 3 --json',
    )
    .action(async (opts: ShowOptions, cmd: Command) => {
      if ((opts.session === undefined) === (opts.step === undefined)) {
        throw new InputError('give either --session N, or --step S (and optionally --index I)');
      }
      if (opts.index !== undefined && opts.step === undefined) {
        throw new InputError('--index picks a session of a step: give --step S with it');
      }
      const detail = await withStoreReading(cmd, async (store) => {
        opts.run = await resolveRun(store, opts.run);
        const session = opts.session ?? (await sessionOfStep(store, opts.run, opts.step!, opts.index ?? 0));
        const found = await store.getSession({ run: opts.run, session });
        if (!found) throw await noSession(store, opts.run, session);
        return found;
      });
      process.stdout.write(opts.json ? `${terminalJson(detail)}\n` : renderSession(detail));
    });
}

const run = (id: string) => `run '${terminalText(id)}'`;

/** The `index`-th session of a step, or an InputError naming the steps there are or the indexes that exist. */
async function sessionOfStep(store: Store, runId: string, step: number, index: number): Promise<number> {
  const b = await store.sessionBounds({ run: runId, step });
  if (b.sessionsAtStep === 0) {
    if (b.sessions === 0) throw new InputError(`${run(runId)} has no sessions`, { field: '--step' });
    if (b.steps === 0) {
      throw new InputError(
        `${run(runId)} has no steps (its sessions ${b.firstSession}–${b.lastSession} carry none): use --session`,
        { field: '--step' },
      );
    }
    const near = [b.stepBefore, b.stepAfter].filter((s) => s !== null);
    throw new InputError(
      `no sessions at step ${step} in ${run(runId)} (steps ${b.firstStep}–${b.lastStep}, ${b.steps} with sessions` +
        `${near.length ? `; nearest: ${near.join(' and ')}` : ''})`,
      { field: '--step' },
    );
  }
  const session = index < b.sessionsAtStep ? await store.sessionAtStep({ run: runId, step, index }) : null;
  if (session === null) {
    throw new InputError(
      `step ${step} of ${run(runId)} has ${b.sessionsAtStep} session${b.sessionsAtStep === 1 ? '' : 's'} ` +
        `(--index 0–${b.sessionsAtStep - 1}), so --index ${index} is past its last`,
      { field: '--index' },
    );
  }
  return session;
}

async function noSession(store: Store, runId: string, session: number): Promise<InputError> {
  const b = await store.sessionBounds({ run: runId, session });
  if (b.sessions === 0) return new InputError(`${run(runId)} has no sessions`, { field: '--session' });
  const near = [b.sessionBefore, b.sessionAfter].filter((s) => s !== null);
  return new InputError(
    `no session ${session} in ${run(runId)} (sessions ${b.firstSession}–${b.lastSession}, ${b.sessions} in all` +
      `${near.length ? `; nearest: ${near.join(' and ')}` : ''})`,
    { field: '--session' },
  );
}

const value = (v: unknown): string => (v === null || v === undefined ? '–' : terminalText(String(v)));
const json = (v: unknown): string => (v === null ? '–' : terminalText(JSON.stringify(v)));

/** Aligned `label  value` lines. */
function fields(rows: readonly (readonly [string, string])[], indent = '  '): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, v]) => `${indent}${label.padEnd(width)}  ${v}\n`).join('');
}

/** A heading, then the text as it is (no indent, so it copies as it was), ending in a newline. */
function block(title: string, text: string | null): string {
  if (text === null) return `\n${title}: –\n`;
  const body = terminalText(text);
  return `\n${title} (${Array.from(text).length} characters)\n${'─'.repeat(title.length)}\n${body}${body.endsWith('\n') ? '' : '\n'}`;
}

/** One session as text: where it is, its reward signal, prompt, output, annotations, events, meta. */
export function renderSession(d: SessionDetail): string {
  let out = `${run(d.run)} · session ${d.session}\n`;
  const position =
    d.step === null
      ? '–'
      : `${d.step} (session ${d.indexInStep! + 1} of ${d.sessionsInStep} at this step: --index ${d.indexInStep})`;
  out += fields([
    ['step', position],
    ['phase', d.checkpoint === null ? d.phase : `${d.phase} (checkpoint ${d.checkpoint})`],
    ['time', value(d.time)],
    ['prompt id', value(d.promptId)],
  ]);
  out += '\nreward signal\n';
  out += fields([
    ['classification', value(d.classification)],
    ['category', value(d.category)],
    ['baseline reward', value(d.baselineReward)],
    ['adjusted reward', value(d.adjustedReward)],
    ['differential %', value(d.differentialPct)],
    ['compliance trajectory index', value(d.complianceTrajectoryIndex)],
    ['flags', d.flags.length ? d.flags.map(terminalText).join(', ') : '–'],
  ]);
  out += block('prompt', d.prompt);
  out += block('output', d.output);
  out += `\nannotations (${d.annotations.length})\n`;
  for (const a of d.annotations) {
    out += `  ${value(a.id)} · ${value(a.author)} · ${value(a.time)} · classification ${value(a.classification)}`;
    out += `${a.flags.length ? ` · flags ${a.flags.map(terminalText).join(', ')}` : ''}\n`;
    out += `${indent(terminalText(a.text), '    ')}\n`;
  }
  out += `\ncalibration events at this session (${d.events.length})\n`;
  for (const e of d.events) {
    const change = `${value(e.from)} → ${value(e.to)}${e.changePct === null ? '' : ` (${e.changePct > 0 ? '+' : ''}${e.changePct}%)`}`;
    out += `  ${value(e.id)} · ${value(e.kind)} · ${value(e.parameter)} · target ${json(e.target)} · ${change}\n`;
    out += fields(
      [
        ['trigger', json(e.trigger)],
        ['recommended by', value(e.recommendedBy)],
        ['time', value(e.time)],
        ['note', e.note === null ? '–' : indent(terminalText(e.note), ' '.repeat(20)).trimStart()],
      ],
      '    ',
    );
  }
  out += '\nmeta\n';
  out += d.meta === null ? '  –\n' : `${indent(terminalJson(d.meta), '  ')}\n`;
  return out;
}

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((line) => by + line)
    .join('\n');
