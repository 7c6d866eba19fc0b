// The startup benchmark: wall-clock time of whole `rlaudit` processes, as a user waits for them, through the
// compiled bin (dist/) and through tsx (the sources, RLAUDIT_FROM_SOURCE=1). Commands are interleaved round-robin
// so that load from other work on the machine falls on every command alike; the median is the figure to record.
// Each process also reports its own CPU time (all its threads), which other work inflates far less than the
// wall-clock time.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStaleness } from '../bin/build-staleness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'rlaudit.js');

/** The commands, with issue 10's targets (seconds, compiled bin; none for --help). */
const COMMANDS: readonly { readonly args: readonly string[]; readonly target?: number }[] = [
  { args: ['--version'], target: 0.3 },
  { args: ['--help'] },
  { args: ['runs'], target: 1 },
  { args: ['sessions', '--run', 'wild-7', '--from', '1', '--to', '20'], target: 1 },
];

interface Mode {
  readonly name: string;
  readonly bin: string;
  readonly env: Readonly<Record<string, string>>;
}

const MODES: readonly Mode[] = [
  { name: 'compiled (dist/)', bin: BIN, env: {} },
  { name: 'tsx (src/)', bin: BIN, env: { RLAUDIT_FROM_SOURCE: '1' } },
];

/** Preloaded into each timed process: at exit it writes its CPU time (µs, user + system) to fd 3. */
const REPORT_CPU = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(3, String(u.user + u.system)); });",
)}`;

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

function runOnce(bin: string, args: readonly string[], env: Readonly<Record<string, string>>): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', REPORT_CPU, bin, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`rlaudit ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number(r.output[3]) / 1e6 };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const wallMedian = (xs: readonly Sample[]) => median(xs.map((x) => x.wall));

function describe(xs: readonly Sample[]): string {
  const wall = xs.map((x) => x.wall);
  const cpu = median(xs.map((x) => x.cpu));
  return `${median(wall).toFixed(2)} (${Math.min(...wall).toFixed(2)}–${Math.max(...wall).toFixed(2)})  CPU ${cpu.toFixed(2)}`;
}

/**
 * Times `--version`, `--help`, `runs` and `sessions --run wild-7 --from 1 --to 20` on the demo database, `runs`
 * times each through both entry points — and through `<baseline>/bin/rlaudit.js`, another checkout (e.g. the
 * commit before a change), when given — after one untimed warm-up (which also fills the page cache and tsx's).
 */
export function benchStartup(outDir: string, runs: number, baseline?: string): void {
  const stale = buildStaleness(ROOT);
  if (stale !== null)
    throw new Error(`the compiled bin would not be used (${stale}): run npm run build first`);
  const db = join(outDir, 'startup-demo.duckdb');
  if (!existsSync(db)) {
    console.log(`setting up: rlaudit demo into ${db} (not timed)`);
    runOnce(BIN, ['demo', '--no-pdf', '--out', join(outDir, 'startup-demo-report')], { RLAUDIT_DB: db });
  }
  const modes: readonly Mode[] = baseline
    ? [...MODES, { name: 'baseline', bin: join(resolve(baseline), 'bin', 'rlaudit.js'), env: {} }]
    : MODES;
  if (baseline) console.log(`baseline: ${modes[2]!.bin}`);
  const env = (mode: Mode) => ({ ...mode.env, RLAUDIT_DB: db });
  const samples = modes.map(() => COMMANDS.map((): Sample[] => []));
  for (const mode of modes) for (const c of COMMANDS) runOnce(mode.bin, c.args, env(mode));
  const loadBefore = loadavg()[0]!;
  for (let i = 0; i < runs; i++) {
    for (const [m, mode] of modes.entries()) {
      for (const [c, command] of COMMANDS.entries()) {
        samples[m]![c]!.push(runOnce(mode.bin, command.args, env(mode)));
      }
    }
  }
  const loadAfter = loadavg()[0]!;
  console.log(
    `startup benchmark: ${runs} runs of each command, interleaved; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`,
  );
  console.log('  seconds: wall-clock median (min–max), median CPU time of the process');
  for (const [c, command] of COMMANDS.entries()) {
    const compiled = samples[0]![c]!;
    const verdict =
      command.target === undefined
        ? ''
        : `  target < ${command.target} s ${wallMedian(compiled) < command.target ? '✓' : '✗'}`;
    console.log(`  rlaudit ${command.args.join(' ')}`);
    console.log(`    ${modes[0]!.name.padEnd(17)} ${describe(compiled)}${verdict}`);
    for (const [m, mode] of modes.entries()) {
      if (m === 0) continue;
      const these = samples[m]![c]!;
      const ratio = wallMedian(these) / wallMedian(compiled);
      console.log(`    ${mode.name.padEnd(17)} ${describe(these)}  (${ratio.toFixed(1)}× the wall-clock)`);
    }
  }
}
