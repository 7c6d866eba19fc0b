// The audit benchmark's phases, each in its own process so the peak RSS printed is its own.
// argv: <phase: setup|floor|audit|audit-again> <db> <sessions>
// audit clears the result cache first (a first audit of the run); audit-again reads what audit kept.
import { DuckDBInstance } from '@duckdb/node-api';
import { runAudit } from '../src/audit/run-audit.ts';
import { simulate } from '../src/simulate/index.ts';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { duckdbTokensSql } from '../src/store/duckdb/tokens-sql.ts';
import { ingestRecords } from '../src/store/ingest.ts';

const [phase, db, sessionsArg] = process.argv.slice(2) as [string, string, string];
const sessions = Number(sessionsArg);
const start = performance.now();
let detail: Record<string, unknown> = {};
if (phase === 'setup') {
  const store = await DuckDbStore.open(db);
  const s = await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7, sessions, run: 'bench' }), {
    name: 'bench:simulate',
  });
  detail = { accepted: s.accepted };
  await store.close();
} else if (phase === 'floor') {
  // The engine floor: one DuckDB pass that tokenizes every output and counts distinct tokens per
  // 500-session window (the vocabulary series, the cheapest text aggregate an audit needs).
  const inst = await DuckDBInstance.create(db);
  const conn = await inst.connect();
  const r = await conn.runAndReadAll(
    `SELECT w, count(DISTINCT tok) AS n FROM (SELECT (session - 1) // 500 AS w, unnest(${duckdbTokensSql('output')}) AS tok FROM sessions WHERE run = 'bench') GROUP BY w`,
  );
  detail = { windows: r.getRows().length };
  conn.closeSync();
  inst.closeSync();
} else {
  const store = await DuckDbStore.open(db);
  if (phase === 'audit') await store.results.clear('bench');
  const { report } = await runAudit(store, {
    run: 'bench',
    template: 'quantitative-review',
    operations: false,
    fresh: true,
  });
  detail = {
    sections: report.sections.map((s) => `${s.id}:${s.status}`).join(' '),
    findings: report.sections.reduce((a, s) => a + s.findings.length, 0),
  };
  await store.close();
}
const seconds = (performance.now() - start) / 1000;
process.stdout.write(
  `${JSON.stringify({ phase, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, ...detail })}\n`,
);
