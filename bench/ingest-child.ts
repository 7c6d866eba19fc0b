// One measured phase of the ingest benchmark, in its own process so its peak RSS is its own.
// argv: <mode: rlaudit|typescript|floor> <jsonl file> <db file> (rlaudit: the default reader, the engine path of
// docs/ingest.md; typescript: the TypeScript reader)
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { ingestFiles } from '../src/store/ingest.ts';

const [mode, file, db] = process.argv.slice(2) as [string, string, string];
const start = performance.now();
let rows = 0;
/** Phase timings (seconds from the start), printed beside the total: where the time went. */
const phases: Record<string, number> = {};
const mark = (name: string) => {
  phases[name] = Number(((performance.now() - start) / 1000).toFixed(3));
};
if (mode === 'floor') {
  // The engine floor: DuckDB's own parallel JSON reader into a plain table, no validation.
  const inst = await DuckDBInstance.create(db);
  const conn = await inst.connect();
  await conn.run("CREATE TABLE floor AS SELECT * FROM read_json($f, format = 'newline_delimited')", {
    f: file,
  });
  const r = await conn.runAndReadAll('SELECT count(*) FROM floor');
  rows = Number(r.getRows()[0]![0]);
  mark('scanned');
  conn.closeSync();
  inst.closeSync();
} else {
  const store = await DuckDbStore.open(db);
  mark('opened');
  const s = await ingestFiles(store, [file], {
    run: 'bench',
    reader: mode === 'typescript' ? 'typescript' : 'engine',
    onTrace: (_file, what) => mark(what),
  });
  rows = s.accepted;
  if (s.read !== s.accepted) throw new Error(`benchmark file should be all valid: ${JSON.stringify(s)}`);
  mark('ingested');
  await store.close();
}
const seconds = (performance.now() - start) / 1000;
process.stdout.write(
  `${JSON.stringify({ mode, rows, seconds, phases, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
