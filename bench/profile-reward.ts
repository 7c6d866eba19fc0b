// node --import tsx bench/profile-reward.ts [--sessions N] [--batch B]
// Where a reward-service batch spends its time, in-process and serial (one client): parsing the body, checking
// it, the answer (calibrating, validating, the journal's write and flush), and — behind the answers — the
// database transactions that take the journaled groups (appenders, COMMIT). Percentiles per stage, ms.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wild7Protocol } from '../src/calibration/wild-7.ts';
import { RewardService } from '../src/server/reward/reward-service.ts';
import { parseBatch } from '../src/server/reward/session-batch.ts';
import { DuckDbRewardLedger } from '../src/store/duckdb/duckdb-reward-ledger.ts';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import type { JournaledText } from '../src/store/reward-journal.ts';
import type { LedgerBatch } from '../src/store/reward-ledger.ts';
import { random, syntheticSession } from './reward-service-process.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const total = option('--sessions', 50_000);
const batch = option('--batch', 256);
const outDir = fileURLToPath(new URL('./out/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const db = join(outDir, 'profile-reward.duckdb');
rmSync(db, { force: true });
rmSync(`${db}.wal`, { force: true });
// a journal a killed earlier run left belongs to the database just removed (a new one refuses it)
for (const p of [`${db}.reward-journal-0`, `${db}.reward-journal-1`]) rmSync(p, { force: true });

const store = await DuckDbStore.open(db);
const inner = new DuckDbRewardLedger(store.client);
const times: Record<string, number[]> = { parse: [], check: [], answer: [], total: [], append: [] };
const ledger = Object.create(inner) as DuckDbRewardLedger;
ledger.append = async (b: LedgerBatch) => {
  const t = performance.now();
  await inner.append(b);
  times.append!.push(performance.now() - t);
};
ledger.appendJournaled = async (lines: readonly JournaledText[]) => {
  const t = performance.now();
  await inner.appendJournaled(lines);
  times.append!.push(performance.now() - t);
};
const service = await RewardService.open({
  store,
  ledger,
  protocol: wild7Protocol(),
  run: 'profile',
  detector: null,
});
const rand = random(7);
for (let s = 1; s <= total; s += batch) {
  const sessions = [];
  for (let k = s; k < Math.min(s + batch, total + 1); k++) sessions.push(syntheticSession(k, rand));
  const body = JSON.stringify({ after: s === 1 ? null : s - 1, sessions });
  const t0 = performance.now();
  const parsed = JSON.parse(body);
  const t1 = performance.now();
  const { items, after } = parseBatch(parsed, 10_000);
  const t2 = performance.now();
  await service.submit(items, after);
  const t3 = performance.now();
  times.parse!.push(t1 - t0);
  times.check!.push(t2 - t1);
  times.answer!.push(t3 - t2);
  times.total!.push(t3 - t0);
}
await service.close();
await store.close();
for (const [k, v] of Object.entries(times)) {
  v.sort((a, b) => a - b);
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))]!.toFixed(2);
  console.log(`${k.padEnd(8)} p50 ${q(0.5)} ms  p90 ${q(0.9)}  p99 ${q(0.99)}  max ${q(1)}`);
}
