// The simulate benchmark in its own process, so the peak RSS printed is the simulator's own.
import { benchSimulate } from './simulate-bench.ts';

await benchSimulate(Number(process.argv[2] ?? 1_000_000));
