// node --import tsx bench/thread-sampler.ts OUT PID…  (started by `bench/live-service.ts --trace`)
// Every 10 ms, each thread's CPU time (utime + stime, clock ticks of 10 ms, from /proc/PID/task/TID/stat) of the
// processes named, and the whole machine's busy ticks (/proc/stat); written to OUT as JSON on SIGTERM. The
// benchmark takes the difference over each request's interval: which threads ran while the slow ones waited.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const [out, ...pids] = process.argv.slice(2);
if (out === undefined || pids.length === 0) throw new Error('usage: thread-sampler.ts OUT PID…');

const ticks = (stat: string): number => {
  const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};
/** Busy ticks of all CPUs (everything but idle and iowait). */
const machineBusy = (): number => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  return f.reduce((a, b) => a + b, 0) - f[3]! - f[4]!;
};

/** [wall ms, machine busy ticks, { "pid/tid": ticks }] */
const samples: [number, number, Record<string, number>][] = [];
const sample = () => {
  const threads: Record<string, number> = {};
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited
    }
    for (const tid of tids) {
      try {
        threads[`${pid}/${tid}`] = ticks(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  samples.push([performance.timeOrigin + performance.now(), machineBusy(), threads]);
};
const timer = setInterval(sample, 10);
process.on('SIGTERM', () => {
  clearInterval(timer);
  writeFileSync(out, JSON.stringify(samples));
  process.exit(0);
});
process.stdout.write('sampling\n');
