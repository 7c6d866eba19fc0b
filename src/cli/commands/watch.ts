import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { LiveTarget } from '../../analyses/shared/live.ts';
import { InputError } from '../../model/errors.ts';
import type { WindowSpec } from '../../model/windows.ts';
import { MAP_TARGETS } from '../../sources/importers/field-map.ts';
import { INGEST_FORMATS, ON_RESTART } from '../../sources/importers/formats.ts';
import type { Store } from '../../store/store.ts';
import { intOption, positiveIntOption, printJson } from '../context.ts';
import { resolveStore, type StoreOptions } from '../db-path.ts';
import { loadProtocol } from '../load-protocol.ts';
import { runIdArg } from '../run-id-option.ts';
import { terminalText } from './terminal-text.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `--set analysis.name=value` → `{ analysis: { name: value } }`. */
function parseSets(sets: readonly string[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const s of sets) {
    const m = /^([a-z0-9-]+)\.([a-z0-9_]+)=(.+)$/i.exec(s.trim());
    const value = m ? Number(m[3]) : Number.NaN;
    if (!m || !Number.isFinite(value)) {
      throw new InputError(
        `expected ANALYSIS.THRESHOLD=NUMBER (e.g. diversity.collapse_relative=0.4), got ${JSON.stringify(s)}`,
        {
          field: '--set',
        },
      );
    }
    out[m[1]!] = { ...out[m[1]!], [m[2]!]: value };
  }
  return out;
}

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description(
      'follow a file or directory a trainer is still writing: ingest new lines as they arrive and raise live alerts (recurrence, phrase takeover, diversity and reward-variance collapse, length drift, annotation departures)',
    )
    .argument(
      '<path>',
      "a JSONL file (TRL completions, verl rollouts, record format v1), or a trainer's directory",
    )
    .requiredOption('--run <id>', 'the run the rows go to', runIdArg)
    .addOption(
      new Option('--format <name>', 'read with this format or importer instead of detecting it').choices(
        INGEST_FORMATS,
      ),
    )
    .option(
      '--map <target=column,...>',
      `map source columns onto record fields (${Object.keys(MAP_TARGETS).join(', ')})`,
    )
    .option('--reward <name>', 'the reward component to use as baseline_reward')
    .addOption(
      new Option(
        '--on-restart <choice>',
        'when the step counter goes down: split into runs, continue, or error',
      )
        .choices(ON_RESTART)
        .default('error'),
    )
    .option(
      '--alert <sink>',
      'send alerts to stdout, jsonl:FILE or webhook:URL (repeatable; default: stdout)',
      collect,
      [],
    )
    .option('--phrase <text>', 'a target phrase for the recurrence rule (repeatable)', collect, [])
    .option(
      '--regex <re>',
      'a target regex for the recurrence rule, case-insensitive (repeatable)',
      collect,
      [],
    )
    .option('--last <n>', 'N of "k of last N" for --phrase/--regex (default 20)', intOption('--last'))
    .option(
      '--threshold <k>',
      'k of "k of last N" for --phrase/--regex (default 7)',
      intOption('--threshold'),
    )
    .option('--protocol <file|name>', 'track the recurrence rules of a calibration protocol (e.g. wild-7)')
    .addOption(
      new Option('--by <unit>', 'windows of the window monitors: one training step each').choices(['step']),
    )
    .option(
      '--window <n>',
      'windows of N sessions (default: by step when rows have steps, else 500)',
      positiveIntOption('--window'),
    )
    .option('--rules <list>', 'only these live rules (comma-separated)')
    .option('--set <analysis.threshold=value>', 'override a live threshold (repeatable)', collect, [])
    .option('--poll <ms>', 'how often the files are looked at', intOption('--poll'), 200)
    .option(
      '--settle <ms>',
      'a step window closes once the writer was quiet this long',
      intOption('--settle'),
      2000,
    )
    .option(
      '--release-after <ms>',
      'close the database after this long without new lines, so other rlaudit processes can open it (0: after every cycle)',
      intOption('--release-after'),
      2000,
    )
    .option(
      '--hold-db',
      'keep the database open for the whole watch (faster; no other process can open it meanwhile)',
    )
    .option(
      '--log-dir <dir>',
      'where the alert log and the health log go when the store is ClickHouse (a DuckDB file keeps them beside itself)',
      '.rlaudit/watch',
    )
    .option('--once', 'read what is there, raise its alerts and stop')
    .option(
      '--idle-exit <seconds>',
      'stop after this many seconds without a new line',
      intOption('--idle-exit'),
    )
    .option(
      '--health-interval <seconds>',
      'seconds between health samples',
      intOption('--health-interval'),
      10,
    )
    .option('--max-line-bytes <n>', 'reject lines longer than this many bytes', intOption('--max-line-bytes'))
    .option('--json', 'print the final summary as one JSON object')
    .addHelpText(
      'after',
      `
Lines are ingested as \`rlaudit ingest\` ingests them (one validation, the same session identity, rejects
naming file and line, read = accepted + rejected + duplicates); a last line still being written is held
back until its newline arrives; a rotated file is read to its end, then the new one from its start (a
truncated one from its start). Parquet files (TRL's completions/) are read once each is whole. A path that does not exist yet is
waited for (said on stderr at start); with --once it is an error. Run it again
on the same file and the stored lines come back as duplicates, and no alert is raised twice.

Alerts go to <db>.alerts.jsonl (which \`rlaudit serve\` follows) and to each --alert sink (none given:
stdout); a webhook is
retried with backoff and never holds up ingest. Health (lag behind the files in bytes and seconds,
event-loop delay, memory, rows/s) goes to <db>.watch-health.jsonl every --health-interval seconds.

DuckDB lets one process open a database file: the watch holds it while lines arrive and closes it after
--release-after ms without new lines (a trainer between steps), so \`rlaudit analyze\` or \`rlaudit serve\`
can open it then; --hold-db never closes it. Alerts never need the database: serve follows the alert log.

On a ClickHouse store (--store clickhouse://…) the rows go to the cluster through the ClickHouse ingest
(same rules and counts), the connection is held for the whole watch (other processes read the run meanwhile),
and the alert and health logs are local files in --log-dir named by a hash of the store URL
(<hash>.alerts.jsonl, <hash>.watch-health.jsonl): a watch run again with the same --log-dir raises no alert
twice.

Rules and thresholds: docs/watch.md. Examples:
  rlaudit watch rollouts/ --run ppo-7 --alert stdout
  rlaudit watch run.jsonl --run wild-7 --protocol wild-7 --alert webhook:http://127.0.0.1:9000/hook
  rlaudit watch out/samples.jsonl --run grpo --map prompt=opening --by step --set recurrence.takeover_majority=0.6`,
    )
    .action(async (path: string, opts, cmd: Command) => {
      const { watchRun } = await import('../../audit/watch/watch-run.ts');
      const { parseAlertSinks } = await import('../../audit/watch/alert-sinks.ts');
      const { storePath, openStore, remote } = await watchStore(
        cmd.optsWithGlobals<StoreOptions>(),
        opts.logDir,
      );
      const out = opts.json ? process.stderr : process.stdout;
      const say = (line: string) => out.write(`${terminalText(line)}\n`);
      const last: number = opts.last ?? 20;
      const k: number = opts.threshold ?? 7;
      if (opts.last !== undefined && opts.last < 1)
        throw new InvalidArgumentError('--last must be at least 1');
      const targets: LiveTarget[] = [
        ...(opts.phrase as string[]).map((phrase) => ({ phrase, last, threshold: k, source: '--phrase' })),
        ...(opts.regex as string[]).map((regex) => ({ regex, last, threshold: k, source: '--regex' })),
      ];
      if (opts.protocol !== undefined) {
        const protocol = await loadProtocol(opts.protocol);
        for (const r of protocol.recurrence_rules) {
          targets.push({
            ...(r.phrase !== undefined ? { phrase: r.phrase } : { regex: r.regex! }),
            last: r.window,
            threshold: r.threshold,
            source: `protocol ${protocol.protocol} rule ${r.id}`,
          });
        }
      }
      if (opts.by !== undefined && opts.window !== undefined)
        throw new InputError('give --by step or --window N, not both', { field: '--window' });
      const window: WindowSpec | undefined =
        opts.by === 'step'
          ? { by: 'step' }
          : opts.window !== undefined
            ? { by: 'session', size: opts.window }
            : undefined;
      const sinks = parseAlertSinks(opts.alert.length > 0 ? opts.alert : ['stdout'], say, {
        onGiveUp: (a, why) =>
          process.stderr.write(
            terminalText(`rlaudit: warning: webhook: alert ${a.id} not delivered: ${why}\n`),
          ),
      });
      // a mistyped path must not look like a quiet trainer: say what is followed, and whether it is there yet
      if (!existsSync(path)) {
        if (opts.once)
          throw new InputError('no such file or directory (with --once the path must exist)', { file: path });
        process.stderr.write(
          terminalText(
            `rlaudit: watch: ${path} does not exist yet; waiting for the trainer to create it (Ctrl-C stops)\n`,
          ),
        );
      } else if (!opts.once) {
        process.stderr.write(
          terminalText(`rlaudit: watch: following ${path} into run ${opts.run} (Ctrl-C stops)\n`),
        );
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const summary = await watchRun({
          path,
          run: opts.run,
          storePath,
          openStore,
          // a ClickHouse store is no file another process waits for: its connection is held throughout
          holdStore: Boolean(opts.holdDb) || remote,
          releaseAfterMs: opts.releaseAfter,
          sinks,
          targets,
          ...(window ? { window } : {}),
          ...(opts.set.length > 0 ? { thresholds: parseSets(opts.set) } : {}),
          ...(opts.rules
            ? {
                rules: String(opts.rules)
                  .split(',')
                  .map((r) => r.trim())
                  .filter(Boolean),
              }
            : {}),
          format: opts.format,
          map: opts.map,
          reward: opts.reward,
          onRestart: opts.onRestart,
          pollMs: opts.poll,
          settleMs: opts.settle,
          ...(opts.maxLineBytes !== undefined ? { maxLineBytes: opts.maxLineBytes } : {}),
          once: Boolean(opts.once),
          ...(opts.idleExit !== undefined ? { idleExitMs: opts.idleExit * 1000 } : {}),
          healthIntervalMs: Math.max(1, opts.healthInterval) * 1000,
          signal: controller.signal,
          onDetect: (file, format, message) => say(`${file}: ${format}: ${message}`),
          onWarning: (file, message) =>
            process.stderr.write(terminalText(`rlaudit: warning: ${file}: ${message}\n`)),
          onHealth: (h) =>
            process.stderr.write(
              `rlaudit: watch: read ${h.read} (accepted ${h.accepted}, rejected ${h.rejected}, duplicates ${h.duplicates}), ` +
                `${h.rowsPerSecond} rows/s, lag ${h.lagBytes} bytes / ${h.lagSeconds} s, event-loop delay ${h.eventLoopDelayMs} ms, ` +
                `RSS ${h.rssMiB} MiB, alerts ${h.alerts}\n`,
            ),
        });
        if (opts.json) printJson(summary);
        else {
          say(
            `run ${summary.run}: read ${summary.read} = accepted ${summary.accepted} + rejected ${summary.rejected} + duplicates ${summary.duplicates}` +
              (summary.conflicts > 0 ? ` (${summary.conflicts} of the rejected are conflicts)` : '') +
              `; ${summary.alerts} alert${summary.alerts === 1 ? '' : 's'}` +
              (summary.alertsAlreadyLogged > 0
                ? ` (${summary.alertsAlreadyLogged} already raised by an earlier watch)`
                : ''),
          );
          for (const f of summary.files)
            if (f.heldBackBytes > 0)
              say(`${f.file}: ${f.heldBackBytes} bytes of an incomplete last line held back (not read)`);
          if (summary.rejected > 0) say('See the rejected rows with: rlaudit rejects');
        }
        if (summary.errors.length > 0) {
          for (const e of summary.errors) process.stderr.write(`rlaudit: ${terminalText(e)}\n`);
          process.exitCode = 2;
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

/**
 * The store a watch writes and where its logs go: a DuckDB file (logs beside it, released whenever the trainer
 * pauses), or a ClickHouse database (logs in `logDir`, named by a hash of the store URL without password).
 */
async function watchStore(
  globals: StoreOptions,
  logDir: string,
): Promise<{ storePath: string; openStore: () => Promise<Store>; remote: boolean }> {
  const choice = resolveStore(globals);
  if (choice.kind === 'duckdb') {
    const { DuckDbStore } = await import('../../store/duckdb/duckdb-store.ts');
    return {
      storePath: choice.path,
      // the watch releases the database whenever the trainer pauses: its close must not stall the event loop
      openStore: () => DuckDbStore.open(choice.path, { checkpointBeforeClose: true }),
      remote: false,
    };
  }
  const { ClickHouseStore } = await import('../../store/clickhouse/clickhouse-store.ts');
  const { parseClickHouseUrl } = await import('../../store/clickhouse/store-url.ts');
  const { clickHouseLogBase } = await import('../../store/clickhouse/log-path.ts');
  const target = parseClickHouseUrl(choice.url);
  await mkdir(logDir, { recursive: true });
  return {
    // the place `rlaudit serve --store URL --log-dir D` follows
    storePath: clickHouseLogBase(target, logDir),
    openStore: () => ClickHouseStore.open(target, { create: true }),
    remote: true,
  };
}
