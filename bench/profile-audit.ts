// Where an audit spends its time: section timings and the slowest SQL statements (with their share).
// usage: node --import tsx bench/profile-audit.ts DB RUN [TEMPLATE]
import { runAudit } from '../src/audit/run-audit.ts';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.ts';

const [db, run, template = 'quantitative-review'] = process.argv.slice(2);
if (!db || !run) throw new Error('usage: bench/profile-audit.ts DB RUN [TEMPLATE]');
const store = await DuckDbStore.open(db);
const queries: { sql: string; ms: number }[] = [];
store.client.onQuery = (t) => queries.push(t);
const t0 = performance.now();
const s = () => ((performance.now() - t0) / 1000).toFixed(2).padStart(7);
await runAudit(store, {
  run,
  template,
  operations: false,
  fresh: true,
  onSection: (id, status) => console.log(`${s()} s  ${id} ${status}`),
});
const total = performance.now() - t0;
const sql = queries.reduce((a, q) => a + q.ms, 0);
console.log(
  `total ${(total / 1000).toFixed(2)} s; ${queries.length} statements, ${(sql / 1000).toFixed(2)} s in SQL`,
);
for (const q of queries.sort((a, b) => b.ms - a.ms).slice(0, 15)) {
  console.log(`${(q.ms / 1000).toFixed(2).padStart(7)} s  ${q.sql.replace(/\s+/g, ' ').slice(0, 140)}`);
}
await store.close();
