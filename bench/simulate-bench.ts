import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeSimulation } from '../src/simulate/index.ts';

/**
 * Streams `sessions` sessions of WILD-7 to bench/out/simulate-<n>.jsonl and prints seconds, sessions/s and
 * peak RSS. Beyond 12,847 sessions the run continues its convergence phase (the dynamics are defined in
 * session numbers). Runs in the calling process; start it in a child process
 * (`node --import tsx -e "import('./bench/simulate-bench.ts').then(m => m.benchSimulate())"`) so that the
 * peak RSS is the simulator's own.
 */
export async function benchSimulate(sessions = 1_000_000): Promise<void> {
  const dir = join(process.cwd(), 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `simulate-${sessions}.jsonl`);
  const started = process.hrtime.bigint();
  const summary = await writeSimulation(path, { scenario: 'wild-7', seed: 7, sessions });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      bench: 'simulate',
      sessions: summary.sessions,
      events: summary.events,
      annotations: summary.annotations,
      bytes: summary.bytes,
      seconds: Math.round(seconds * 100) / 100,
      sessionsPerSecond: Math.round(summary.sessions / seconds),
      peakRssMiB: Math.round(peakRssMiB),
    }),
  );
}
