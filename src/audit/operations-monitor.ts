import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { OperationsSample } from './report-model.ts';

/**
 * Samples the auditor's own event-loop delay (max over each interval), heap and resident memory every
 * `intervalMs` while an audit runs, and records section boundaries and durations.
 */
export class OperationsMonitor {
  readonly samples: OperationsSample[] = [];
  readonly sections: { id: string; startMs: number; durationMs: number }[] = [];
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | null = null;
  private readonly t0 = performance.now();

  constructor(private readonly intervalMs = 100) {}

  start(): void {
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const mem = process.memoryUsage();
    this.samples.push({
      t: Math.round(performance.now() - this.t0),
      eventLoopDelayMs: Math.round((this.histogram.max / 1e6) * 100) / 100,
      heapUsedMiB: Math.round((mem.heapUsed / 2 ** 20) * 10) / 10,
      rssMiB: Math.round((mem.rss / 2 ** 20) * 10) / 10,
    });
    this.histogram.reset();
  }

  /** Times `fn` as section `id`. */
  async section<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const startMs = performance.now() - this.t0;
    try {
      return await fn();
    } finally {
      this.sections.push({
        id,
        startMs: Math.round(startMs),
        durationMs: Math.round(performance.now() - this.t0 - startMs),
      });
    }
  }

  /** The section that was running at time t (ms since start). */
  sectionAt(t: number): string {
    const s = this.sections.find((x) => t >= x.startMs && t <= x.startMs + x.durationMs);
    return s ? `the ${s.id} review` : 'the audit';
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    this.histogram.disable();
  }
}
