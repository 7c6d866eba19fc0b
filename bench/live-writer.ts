// A trainer's writer for the live benchmarks: appends the lines of a JSONL file to another at a given rate
// (lines per second, in ticks of 10 ms), optionally pausing where the step changes (a trainer training
// between steps). Prints one JSON line: lines written, seconds, and the wall time (ms since the epoch) at
// which each line was written (`--times`), so the parent can measure alert latency against it.
//   node --import tsx bench/live-writer.ts IN OUT RATE [--step-pause MS] [--times]
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';

const [input, output, rateText] = process.argv.slice(2);
const args = process.argv.slice(5);
const stepPause = args.includes('--step-pause') ? Number(args[args.indexOf('--step-pause') + 1]) : 0;
const keepTimes = args.includes('--times');
const rate = Number(rateText);
const lines = readFileSync(input!, 'utf8').split('\n').filter(Boolean);
writeFileSync(output!, '');
const times: number[] = keepTimes ? new Array(lines.length) : [];
const stepOf = (l: string) => (JSON.parse(l) as { step?: number }).step ?? null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = performance.now();
let i = 0;
let written = 0;
while (i < lines.length) {
  // lines due by now at `rate`, at most to the end of the current step when pausing at steps
  const due = Math.min(lines.length, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
  let end = Math.max(due, i + 1);
  if (stepPause > 0) {
    const step = stepOf(lines[i]!);
    let j = i;
    while (j < end && stepOf(lines[j]!) === step) j++;
    end = j;
  }
  appendFileSync(output!, `${lines.slice(i, end).join('\n')}\n`);
  const now = Date.now();
  for (let k = i; k < end; k++) if (keepTimes) times[k] = now;
  written += end - i;
  const stepEnded = stepPause > 0 && end < lines.length && stepOf(lines[end]!) !== stepOf(lines[i]!);
  i = end;
  await sleep(stepEnded ? stepPause : 10);
}
process.stdout.write(
  `${JSON.stringify({ lines: written, seconds: (performance.now() - t0) / 1000, times })}\n`,
);
