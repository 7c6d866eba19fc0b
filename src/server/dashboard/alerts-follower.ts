import { open, stat } from 'node:fs/promises';
import { type Alert, AlertSchema } from '../../model/alerts.ts';

/** A line of the alerts file that is not an alert: kept and shown, never dropped silently. */
export interface RejectedAlertLine {
  readonly line: number;
  readonly error: string;
}

/** How many alerts are kept in memory per run (the newest); the file keeps them all. */
const KEEP_PER_RUN = 1000;

/**
 * Follows the alerts file `rlaudit watch` appends to (`alertsLogPath(db)`, src/model/alerts.ts): reads what
 * was appended since the last poll, validates each line against `AlertSchema`, keeps the newest alerts per
 * run and tells subscribers of each new one. A file that shrinks (rotated, rewritten) is read again from the
 * start. Lines that are not alerts are counted with their line number and the reason.
 */
export class AlertsFollower {
  private offset = 0;
  private lineNo = 0;
  private partial = '';
  private readonly byRun = new Map<string, Alert[]>();
  private readonly seen = new Set<string>();
  readonly rejected: RejectedAlertLine[] = [];
  private readonly listeners = new Set<(a: Alert) => void>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    if (this.timer) return;
    this.polling = this.poll();
    this.timer = setInterval(() => {
      this.polling = this.polling.then(() => this.poll());
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads whatever was appended now (tests call it instead of waiting for the interval). */
  async poll(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch {
      return; // no alerts yet
    }
    if (size < this.offset) {
      this.offset = 0;
      this.lineNo = 0;
      this.partial = '';
    }
    if (size === this.offset) return;
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      await fh.read(buf, 0, buf.length, this.offset);
      this.offset = size;
      const text = this.partial + buf.toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) this.take(line);
    } finally {
      await fh.close();
    }
  }

  private take(line: string): void {
    this.lineNo += 1;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      this.rejected.push({ line: this.lineNo, error: `not JSON (${(err as Error).message})` });
      return;
    }
    const parsed = AlertSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.rejected.push({
        line: this.lineNo,
        error: `${issue?.path.join('.') || 'alert'}: ${issue?.message ?? 'not an alert'}`,
      });
      return;
    }
    const alert = parsed.data;
    if (this.seen.has(alert.id)) return; // the same crossing written twice is one alert
    this.seen.add(alert.id);
    const list = this.byRun.get(alert.run) ?? [];
    list.push(alert);
    if (list.length > KEEP_PER_RUN) list.splice(0, list.length - KEEP_PER_RUN);
    this.byRun.set(alert.run, list);
    for (const l of this.listeners) l(alert);
  }

  /** The run's alerts, newest first. */
  list(run: string, limit: number): Alert[] {
    return [...(this.byRun.get(run) ?? [])].reverse().slice(0, limit);
  }

  count(run: string): number {
    return this.byRun.get(run)?.length ?? 0;
  }

  subscribe(fn: (a: Alert) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
