import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { InputError } from '../../model/errors.ts';
import { checkBind } from '../../server/http/bind.ts';
import type { RewardLedger } from '../../store/reward-ledger.ts';
import type { Store } from '../../store/store.ts';
import { intOption, positiveIntOption } from '../context.ts';
import { resolveStore, type StoreChoice, type StoreOptions } from '../db-path.ts';
import { loadProtocol } from '../load-protocol.ts';
import { runIdArg } from '../run-id-option.ts';

const DEFAULT_PORT = 8787;

export function registerServeReward(program: Command): void {
  program
    .command('serve-reward')
    .description(
      'serve the calibration engine to a trainer: batches of sessions in, adjusted rewards and events out',
    )
    .requiredOption('--protocol <file|name>', 'protocol file (YAML or JSON), or a built-in name: wild-7')
    .requiredOption(
      '--run <id>',
      'the run the sessions are stored in (new, or one this service wrote before)',
      runIdArg,
    )
    .option('--host <host>', 'address to listen on (anything but loopback needs --token)', '127.0.0.1')
    .option('--port <n>', `port to listen on (0: any free port)`, intOption('--port'), DEFAULT_PORT)
    .option('--token <token>', 'require "Authorization: Bearer <token>" (default: $RLAUDIT_TOKEN)')
    .option(
      '--detector <builtin|none|file>',
      'classifies sessions sent without a classification: the built-in unsolicited-content detector, none (refuse them), or a detector file',
      'builtin',
    )
    .option('--max-batch <n>', 'most sessions in one batch', positiveIntOption('--max-batch'), 10_000)
    .option('--max-body-mb <n>', 'largest request body, in MiB', positiveIntOption('--max-body-mb'), 64)
    .option(
      '--no-journal',
      'answer each batch once it is committed to the database, not once it is in the write-ahead journal beside it',
    )
    .option(
      '--journal-dir <dir>',
      'where the write-ahead journal goes when the store is ClickHouse (a DuckDB file keeps it beside itself)',
      '.rlaudit/reward-journal',
    )
    .option(
      '--rate-limit <n>',
      'batch requests per second before 429 (0: no limit)',
      intOption('--rate-limit'),
      1000,
    )
    .addHelpText(
      'after',
      `
POST /v1/runs/{run}/sessions takes {"sessions": [{session, output, baseline_reward, classification?,
category?, step?, prompt_id?, prompt?, meta?}, ...]} and answers each session's adjusted reward, differential,
compliance trajectory index and the calibration events at it: exactly what \`rlaudit calibrate\` computes on
the same sessions. Every session and event is on disk before the answer leaves (in a journal beside the
database, moved into it behind the answers); a resent batch gets the same answer and stores nothing twice; a
restarted service resumes from what is stored, after moving in what a killed one left in the journal. Trainer
adapters (TRL, verl) and the API: docs/integrations.md.

The service holds the database open for writing while it runs (DuckDB allows one process per file): other
rlaudit commands on the same --db wait until it stops (Ctrl-C), or use a copy of the file.

On a ClickHouse store (--store clickhouse://…) the journal is a local file in --journal-dir, named by a hash
of the store URL and the run (restart the service with the same --journal-dir, on the same machine, to
recover what a killed one acknowledged); other rlaudit commands read the run while the service writes it.
Only one service may serve a run at a time.

Examples:
  rlaudit serve-reward --protocol wild-7 --run grpo-live
  rlaudit serve-reward --protocol my-protocol.yaml --run grpo-live --host 0.0.0.0 --token "$TOKEN"
  rlaudit serve-reward --protocol wild-7 --run grpo-live --store clickhouse://rlaudit@ch1:8123/rl?cluster=c2`,
    )
    .action(async (opts, cmd: Command) => {
      const token: string | undefined = opts.token ?? process.env.RLAUDIT_TOKEN ?? undefined;
      checkBind('serve-reward', { host: opts.host, port: opts.port, token });
      if (opts.maxBatch < 1) throw new InputError('expected at least 1', { field: '--max-batch' });
      if (opts.maxBodyMb < 1) throw new InputError('expected at least 1', { field: '--max-body-mb' });
      const protocol = await loadProtocol(opts.protocol);
      const { DEFAULT_DETECTOR, parseDetector } = await import(
        '../../analyses/unsolicited/unsolicited-detector.ts'
      );
      const detector =
        opts.detector === 'none'
          ? null
          : opts.detector === 'builtin'
            ? DEFAULT_DETECTOR
            : parseDetector(
                await readFile(opts.detector, 'utf8').catch(() => {
                  throw new InputError(`no detector file '${opts.detector}'`, { field: '--detector' });
                }),
                opts.detector,
              );
      const { RewardService } = await import('../../server/reward/reward-service.ts');
      const { rewardApp } = await import('../../server/reward/reward-app.ts');
      const { serve } = await import('@hono/node-server');
      const { store, ledger, journalBase } = await openLedger(
        resolveStore(cmd.optsWithGlobals<StoreOptions>()),
        opts.run,
        opts.journalDir,
      );
      const path = store.location;
      const service = await (async () => {
        try {
          return await RewardService.open({
            store,
            ledger,
            protocol,
            run: opts.run,
            detector,
            journal: opts.journal !== false,
            ...(journalBase !== undefined ? { journalBase } : {}),
          });
        } catch (err) {
          await store.close();
          throw err;
        }
      })();
      const app = rewardApp(service, {
        token,
        maxBodyBytes: opts.maxBodyMb * 1024 * 1024,
        maxBatch: opts.maxBatch,
        ratePerSecond: opts.rateLimit,
        onError: (err) => process.stderr.write(`serve-reward: ${(err as Error).stack ?? String(err)}\n`),
      });
      await new Promise<void>((resolve, reject) => {
        const server = serve(
          { fetch: app.fetch, port: opts.port, hostname: opts.host },
          (info: AddressInfo) => {
            const s = service.state();
            const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
            process.stdout.write(
              `serve-reward: run ${s.run}, protocol ${s.protocol}, detector ${s.detector ?? 'none'}; ` +
                `${s.sessions} sessions and ${s.events} events stored` +
                (s.resumed_from_store.sessions > 0
                  ? ` (resumed in ${s.resumed_from_store.seconds.toFixed(2)} s, last session ${s.last_session}` +
                    (s.resumed_from_store.from_journal > 0
                      ? `; ${s.resumed_from_store.from_journal} acknowledged sessions recovered from the journal`
                      : '') +
                    (s.resumed_from_store.after_training > 0
                      ? `; ${s.resumed_from_store.after_training} sessions after training kept, not replayed)`
                      : ')')
                  : '') +
                `\nlistening on http://${host}:${info.port}  (store ${path}; Ctrl-C stops)\n`,
            );
          },
        );
        server.on('error', (err: NodeJS.ErrnoException) => {
          void service.close().finally(() => store.close());
          reject(
            err.code === 'EADDRINUSE'
              ? new InputError(`port ${opts.port} is in use; choose another with --port`, { field: '--port' })
              : err,
          );
        });
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          server.close(() => {
            service
              .close()
              .then(() => store.close())
              .then(resolve, reject);
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

/**
 * The store and ledger the service writes: a DuckDB file (its journal beside it, recovered by the open), or a
 * ClickHouse database (its journal in `journalDir`, recovered here before the service resumes).
 */
async function openLedger(
  choice: StoreChoice,
  run: string,
  journalDir: string,
): Promise<{ store: Store; ledger: RewardLedger; journalBase?: string }> {
  if (choice.kind === 'duckdb') {
    const { DuckDbStore } = await import('../../store/duckdb/duckdb-store.ts');
    const { DuckDbRewardLedger } = await import('../../store/duckdb/duckdb-reward-ledger.ts');
    // one DuckDB thread: the moves into the database run behind the answers, and a second thread would take
    // the other core from the event loop (and from a trainer on the same machine) while one runs
    const store = await DuckDbStore.open(choice.path, { threads: 1 });
    return { store, ledger: new DuckDbRewardLedger(store.client) };
  }
  const { ClickHouseStore } = await import('../../store/clickhouse/clickhouse-store.ts');
  const { ClickHouseRewardLedger } = await import('../../store/clickhouse/clickhouse-reward-ledger.ts');
  const { recoverClickHouseJournal } = await import('../../store/clickhouse/clickhouse-journal-recovery.ts');
  const { remoteJournalBase } = await import('../../store/reward-journal.ts');
  const store = await ClickHouseStore.open(choice.url, { create: true });
  try {
    const journalBase = await remoteJournalBase(journalDir, store.location, run);
    store.journalRecovery = await recoverClickHouseJournal(store, journalBase);
    return { store, ledger: new ClickHouseRewardLedger(store), journalBase };
  } catch (err) {
    await store.close();
    throw err;
  }
}
