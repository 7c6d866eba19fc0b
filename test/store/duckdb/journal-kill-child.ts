// A reward service that acknowledges batches from its journal and is killed before any of them reaches the
// database (its ledger's append never finishes): the state a SIGKILL between the journal's write and the move
// leaves. Run by journal-recovery.test.ts: `node --import tsx journal-kill-child.ts DB RUN BATCHES SIZE`; prints
// `acked N` once N sessions are answered, then waits to be killed.
import { wild7Protocol } from '../../../src/calibration/wild-7.ts';
import { RewardService } from '../../../src/server/reward/reward-service.ts';
import { parseBatch } from '../../../src/server/reward/session-batch.ts';
import { DuckDbRewardLedger } from '../../../src/store/duckdb/duckdb-reward-ledger.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';

const [db, run, batches, size] = process.argv.slice(2) as [string, string, string, string];
const store = await DuckDbStore.open(db);
const ledger = new DuckDbRewardLedger(store.client);
const stuck = Object.create(ledger) as DuckDbRewardLedger;
stuck.append = () => new Promise<void>(() => undefined);
stuck.appendJournaled = () => new Promise<void>(() => undefined);
const service = await RewardService.open({
  store,
  ledger: stuck,
  protocol: wild7Protocol(),
  run,
  detector: null,
});
let acked = 0;
for (let b = 0; b < Number(batches); b++) {
  const sessions = [];
  for (let k = 1; k <= Number(size); k++) {
    const s = b * Number(size) + k;
    sessions.push({
      session: s,
      output: `output ${s}: ${s % 3 === 0 ? 'As an AI, I must decline.' : 'Here is the answer.'}`,
      baseline_reward: (s % 10) / 10,
      classification: s % 3 === 0 ? 'non_compliant' : 'compliant',
      category: s % 3 === 0 ? 2 + (s % 4) : null,
    });
  }
  const answer = await service.submit(parseBatch({ sessions }, 100_000).items);
  acked += answer.stored;
}
process.stdout.write(`acked ${acked}\n`);
setInterval(() => undefined, 60_000);
