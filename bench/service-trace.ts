// Loaded into the reward service's process by `bench/live-service.ts --trace` (through
// RLAUDIT_BENCH_NODE_ARGS="--import tsx --import <this file>"), never by rlaudit itself: records, on the wall
// clock (ms since the epoch, `performance.timeOrigin + performance.now()`), the service's garbage collections,
// its event loop's stalls, and each move of journaled groups into DuckDB, and writes them as JSON to
// $RLAUDIT_TRACE_OUT when the service exits. The benchmark then lays its slowest requests over them.
import { writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

const out = process.env.RLAUDIT_TRACE_OUT;
if (out === undefined) throw new Error('service-trace: set RLAUDIT_TRACE_OUT');

const wall = () => performance.timeOrigin + performance.now();
/** [start, duration ms, kind]: kind 1 minor (scavenge), 2 major (mark-compact), 4 incremental, 8 weak callbacks. */
const gc: [number, number, number][] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.push([
      performance.timeOrigin + e.startTime,
      e.duration,
      (e as unknown as { detail: { kind: number } }).detail.kind,
    ]);
  }
}).observe({ entryTypes: ['gc'] });

/** [start, end]: the event loop did not run a 2 ms timer for longer than 4 ms (the gap's end and length). */
const stalls: [number, number][] = [];
const TICK = 2;
let last = wall();
setInterval(() => {
  const now = wall();
  if (now - last > TICK + 4) stalls.push([last + TICK, now]);
  last = now;
}, TICK).unref();

/** [start, end, rows]: one `appendJournaled` (a move of journaled groups into the database, one transaction). */
const moves: [number, number, number][] = [];
// the very module the CLI loads (same URL: same instance), so the service's ledger goes through the wrapper
const { DuckDbRewardLedger } = await import(
  new URL('../dist/store/duckdb/duckdb-reward-ledger.js', import.meta.url).href
);
const proto = DuckDbRewardLedger.prototype as {
  appendJournaled(lines: readonly { rows: number }[]): Promise<void>;
  moveRows?: number;
};
// arms of an A/B from one build (bench/live-service.ts --trace): RLAUDIT_BENCH_MOVE_ROWS, the rows of one move
// (the service's FLUSH_ROWS otherwise); RLAUDIT_BENCH_DUCKDB_THREADS, DuckDB's `threads` for the service
if (process.env.RLAUDIT_BENCH_MOVE_ROWS) proto.moveRows = Number(process.env.RLAUDIT_BENCH_MOVE_ROWS);
const threads = process.env.RLAUDIT_BENCH_DUCKDB_THREADS;
let threadsSet = threads === undefined;
const { sql } = await import(new URL('../dist/store/sql/sql.js', import.meta.url).href);
const move = proto.appendJournaled;
proto.appendJournaled = async function (this: { client: { exec(q: unknown): Promise<void> } }, lines) {
  if (!threadsSet) {
    threadsSet = true;
    await this.client.exec(sql`SET threads = ${Number(threads)}`);
  }
  const start = wall();
  try {
    return await move.call(this, lines);
  } finally {
    moves.push([start, wall(), lines.reduce((n, l) => n + l.rows, 0)]);
  }
};

process.on('exit', () => {
  writeFileSync(out, JSON.stringify({ gc, stalls, moves }));
});

// RLAUDIT_BENCH_ALLOC_PROFILE=FILE: V8's sampling heap profiler over the whole run, counting the objects the
// GCs collected too (what was allocated, not what is live at the end), written to FILE at SIGTERM
const allocOut = process.env.RLAUDIT_BENCH_ALLOC_PROFILE;
if (allocOut !== undefined) {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 32768,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  process.prependListener('SIGTERM', () => {
    session.post('HeapProfiler.stopSampling', (err, r) => {
      if (err === null) writeFileSync(allocOut, JSON.stringify(r.profile));
    });
  });
}
