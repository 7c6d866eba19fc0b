// node --import tsx bench/incremental.ts [--steps N] [--rows N]
// A benchmark, not a timed test: a verl rollout dump of N step files (`<step>.jsonl`, default 100 × 512
// rows) ingested (a) as a directory in one command, (b) one file per command as a trainer writes them, and
// (c) again (duplicates only). Prints figures to record in docs/benchmarks.md with the machine.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { ingestFiles } from '../src/store/ingest.ts';
import { ingestDirectory } from '../src/store/ingest-directory.ts';

const args = process.argv.slice(2);
const option = (name: string, d: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const steps = option('--steps', 100);
const rows = option('--rows', 512);
const out = fileURLToPath(new URL('./out/incremental/', import.meta.url));
const dump = join(out, 'rollout_data');
rmSync(out, { recursive: true, force: true });
mkdirSync(dump, { recursive: true });
for (let s = 1; s <= steps; s++) {
  const lines = Array.from({ length: rows }, (_, i) =>
    JSON.stringify({
      input: `Question ${Math.floor(i / 8)} of step ${s}: compute the sum of the numbers`,
      output: `Let me think step by step about row ${i} at step ${s}. The answer is ${(i * s) % 97}.`,
      gts: String(i % 97),
      score: (i % 3) / 2,
      step: s,
      acc: i % 2,
      uid: `u-${s}-${Math.floor(i / 8)}`,
    }),
  );
  writeFileSync(join(dump, `${s}.jsonl`), `${lines.join('\n')}\n`);
}
const files = Array.from({ length: steps }, (_, i) => join(dump, `${i + 1}.jsonl`));
const total = steps * rows;
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(2);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
console.log(`verl dump: ${steps} step files × ${rows} rows = ${total} rows`);

const a = await DuckDbStore.open(join(out, 'dir.duckdb'));
let t0 = performance.now();
const dir = await ingestDirectory(a, dump, { run: 'r' });
if (dir.accepted !== total) throw new Error(`ingest DIR accepted ${dir.accepted} of ${total}`);
console.log(`  ingest DIR, one command:         ${secs(t0)} s (${dir.accepted} accepted)`);
t0 = performance.now();
const again = await ingestDirectory(a, dump, { run: 'r' });
if (again.duplicates !== total) throw new Error(`ingest DIR again: ${again.duplicates} duplicates`);
console.log(`  ingest DIR again:                ${secs(t0)} s (${again.duplicates} duplicates)`);
await a.close();

const b = await DuckDbStore.open(join(out, 'files.duckdb'));
const per: number[] = [];
for (const file of files) {
  const t = performance.now();
  const s = await ingestFiles(b, [file], { run: 'r' });
  if (s.accepted !== rows) throw new Error(`${file}: accepted ${s.accepted}`);
  per.push(performance.now() - t);
}
const ms = (i: number) => per[i]!.toFixed(0);
console.log(
  `  one file per command:            ${(per.reduce((x, y) => x + y, 0) / 1000).toFixed(2)} s in all; ` +
    `step 1 ${ms(0)} ms, step ${Math.ceil(steps / 2)} ${ms(Math.ceil(steps / 2) - 1)} ms, step ${steps} ${ms(steps - 1)} ms`,
);
t0 = performance.now();
const re = await ingestFiles(b, [files[steps - 1]!], { run: 'r' });
console.log(`  the last file again:             ${secs(t0)} s (${re.duplicates} duplicates)`);
t0 = performance.now();
const stored = await b.storedSessions('r');
console.log(
  `  storedSessions (${total} sessions): ${secs(t0)} s (${stored[0]?.steps.size ?? 0} steps read back)`,
);
await b.close();
