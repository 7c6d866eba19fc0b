import { appendFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** One line of the watch's health log (`<db>.watch-health.jsonl`): the watcher's own operations. */
export interface WatchHealth {
  readonly t: string;
  readonly run: string;
  /** Bytes written to the followed files that the watch has not read yet. */
  readonly lagBytes: number;
  /** Seconds since the watch last had every followed file read to its end (0: caught up). */
  readonly lagSeconds: number;
  /** Largest event-loop delay in the interval (perf_hooks.monitorEventLoopDelay), ms. */
  readonly eventLoopDelayMs: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  /** Rows read per second over the interval. */
  readonly rowsPerSecond: number;
  readonly read: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly alerts: number;
  readonly files: number;
  /** Longest ingest cycle of the interval (read, write, monitors), ms. */
  readonly maxCycleMs: number;
}

/** Where a store's watch health log is kept: beside the store, as its alert log is. */
export function watchHealthLogPath(storePath: string): string {
  return `${storePath}.watch-health.jsonl`;
}

/**
 * Samples the watcher every `intervalMs`: lag behind the files, event-loop delay (max over the interval, as
 * the auditor's operations monitor samples it), resident and heap memory, throughput; appends each sample to
 * the health log and hands it to `onSample`.
 */
export class HealthMonitor {
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | null = null;
  private lastRead = 0;
  private lastT = performance.now();
  maxCycleMs = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly logPath: string | null,
    private readonly probe: () => Promise<
      Omit<WatchHealth, 't' | 'eventLoopDelayMs' | 'rssMiB' | 'heapUsedMiB' | 'rowsPerSecond' | 'maxCycleMs'>
    >,
    private readonly onSample: (h: WatchHealth) => void = () => undefined,
  ) {}

  start(): void {
    this.histogram.enable();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  async sample(): Promise<WatchHealth> {
    const p = await this.probe();
    const mem = process.memoryUsage();
    const now = performance.now();
    const h: WatchHealth = {
      t: new Date().toISOString(),
      ...p,
      eventLoopDelayMs: Math.round((this.histogram.max / 1e6) * 100) / 100,
      rssMiB: Math.round((mem.rss / 2 ** 20) * 10) / 10,
      heapUsedMiB: Math.round((mem.heapUsed / 2 ** 20) * 10) / 10,
      rowsPerSecond: Math.round(((p.read - this.lastRead) / Math.max(now - this.lastT, 1)) * 1000),
      maxCycleMs: Math.round(this.maxCycleMs),
    };
    this.histogram.reset();
    this.lastRead = p.read;
    this.lastT = now;
    this.maxCycleMs = 0;
    if (this.logPath !== null)
      await appendFile(this.logPath, `${JSON.stringify(h)}\n`).catch(() => undefined);
    this.onSample(h);
    return h;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.histogram.disable();
  }
}
