import { DEFAULT_DETECTOR, type Detector } from '../../../src/analyses/unsolicited/unsolicited-detector.ts';
import { calibrateRun } from '../../../src/calibration/calibrate-run.ts';
import type { Protocol } from '../../../src/calibration/protocol.ts';
import { wild7Protocol } from '../../../src/calibration/wild-7.ts';
import { rewardApp } from '../../../src/server/reward/reward-app.ts';
import {
  RewardService,
  type SessionAnswer,
  storedAnswer,
} from '../../../src/server/reward/reward-service.ts';
import { simulate } from '../../../src/simulate/simulate.ts';
import { DuckDbRewardLedger } from '../../../src/store/duckdb/duckdb-reward-ledger.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import type { LedgerSession, RewardLedger } from '../../../src/store/reward-ledger.ts';

/** A session as a client sends it (record-format field names). */
export interface SentSession {
  readonly session: number;
  readonly output: string;
  readonly baseline_reward: number;
  readonly classification?: 'compliant' | 'non_compliant' | null;
  readonly category?: number | string | null;
  readonly step?: number | null;
  readonly prompt?: string | null;
  readonly prompt_id?: string | null;
  readonly meta?: Record<string, unknown> | null;
}

export interface OpenService {
  readonly store: DuckDbStore;
  readonly ledger: DuckDbRewardLedger;
  readonly service: RewardService;
  readonly app: ReturnType<typeof rewardApp>;
  /** POSTs a body to the run's sessions route; resolves with status and parsed JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field against calibrate's answers
  post(body: unknown, run?: string, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/** A reward service on a store (a file path or `:memory:`), with its HTTP app called in-process. */
export async function openService(
  path: string,
  protocol: Protocol,
  run: string,
  options: {
    detector?: Detector | null;
    token?: string;
    maxBatch?: number;
    maxBodyBytes?: number;
    rate?: number;
  } = {},
): Promise<OpenService> {
  const store = await DuckDbStore.open(path);
  const ledger = new DuckDbRewardLedger(store.client);
  const service = await RewardService.open({
    store,
    ledger,
    protocol,
    run,
    detector: options.detector === undefined ? DEFAULT_DETECTOR : options.detector,
    holdMs: 2000,
  });
  const app = rewardApp(service, {
    token: options.token,
    maxBatch: options.maxBatch ?? 10_000,
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
    ratePerSecond: options.rate ?? 0,
  });
  return {
    store,
    ledger,
    service,
    app,
    async post(body, r = run, headers = {}) {
      const res = await app.request(`/v1/runs/${r}/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    async close() {
      await service.close();
      await store.close();
    },
  };
}

/**
 * What `rlaudit calibrate` does with the same sessions: they are ingested as a run, `calibrateRun` writes the
 * recalibrated run `run`, and its stored sessions and events are read back as the service answers them.
 */
export async function calibrateOffline(
  sessions: readonly SentSession[],
  protocol: Protocol,
  run: string,
): Promise<SessionAnswer[]> {
  const store = await DuckDbStore.open(':memory:');
  try {
    await ingestRecords(
      store,
      sessions.map((s) => ({ type: 'session', run: 'source', ...s })),
      { name: 'offline', strict: true },
    );
    await calibrateRun(store, protocol, { run: 'source', outRun: run });
    return await answersOf(new DuckDbRewardLedger(store.client), run);
  } finally {
    await store.close();
  }
}

/** Splits `items` into consecutive batches of the given sizes (cycled). */
export function splitBatches<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  let i = 0;
  let k = 0;
  while (i < items.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]!);
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}

/** The first `n` sessions of the simulated WILD-7 run (seed 7), as a trainer sends them. */
export function wild7Sessions(n: number): SentSession[] {
  const out: SentSession[] = [];
  for (const r of simulate({ scenario: 'wild-7', seed: 7, sessions: n })) {
    const rec = r as Record<string, unknown>;
    if (rec.type !== 'session') continue;
    out.push({
      session: rec.session as number,
      output: rec.output as string,
      baseline_reward: rec.baseline_reward as number,
      classification: rec.classification as 'compliant' | 'non_compliant',
      category: (rec.category ?? null) as number | null,
      step: (rec.step ?? null) as number | null,
      prompt_id: (rec.prompt_id ?? null) as string | null,
      prompt: (rec.prompt ?? null) as string | null,
    });
  }
  return out;
}

/** What `rlaudit calibrate` gives under the WILD-7 protocol on the sessions a ledger stored (a fault test's replay). */
export function replayStored(stored: readonly LedgerSession[], run: string): Promise<SessionAnswer[]> {
  return calibrateOffline(
    stored.map((s) => ({
      session: s.session,
      output: s.output,
      baseline_reward: s.baselineReward!,
      classification: s.classification as 'compliant' | 'non_compliant',
      category: s.category,
    })),
    wild7Protocol(),
    run,
  );
}

/** A run's stored sessions and events as the service answers them, read back through a ledger of either engine. */
export async function answersOf(ledger: RewardLedger, run: string): Promise<SessionAnswer[]> {
  const stored = await ledger.sessionsAfter(run, 0, 1_000_000);
  const events = await ledger.eventsBetween(run, 1, Number.MAX_SAFE_INTEGER);
  return stored.map((s) => storedAnswer(s, events));
}
