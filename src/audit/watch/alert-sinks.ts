import { appendFile } from 'node:fs/promises';
import { type Alert, alertsLogPath } from '../../model/alerts.ts';
import { InputError } from '../../model/errors.ts';

/** Where alerts go besides the store's alert log: `stdout`, `jsonl:FILE`, `webhook:URL`. */
export interface AlertSink {
  readonly name: string;
  /** Takes the alert; never waits on the network (a webhook queues it). */
  write(alert: Alert): Promise<void>;
  /** Delivers what is queued (a webhook: within `graceMs`), then stops. */
  close(graceMs?: number): Promise<void>;
}

/** Appends alerts as JSON lines to a file (the store's alert log `alertsLogPath(db)`, or `jsonl:FILE`). */
export function jsonlSink(path: string): AlertSink {
  return {
    name: `jsonl:${path}`,
    write: (a) => appendFile(path, `${JSON.stringify(a)}\n`),
    close: async () => undefined,
  };
}

/** One line per alert on `out`: time, severity, rule, session/step and the message. */
export function stdoutSink(out: (line: string) => void): AlertSink {
  return {
    name: 'stdout',
    write: async (a) => {
      const at = a.step === null ? `session ${a.session}` : `session ${a.session} (step ${a.step})`;
      out(`${a.raisedAt} ${a.severity.toUpperCase()} ${a.rule} at ${at}: ${a.message} [${a.id}]`);
    },
    close: async () => undefined,
  };
}

export interface WebhookOptions {
  /** Attempts per alert (first try included); default 8. */
  readonly attempts?: number;
  /** First retry delay; doubles each time (capped at 30 s); default 500 ms. */
  readonly backoffMs?: number;
  /** Alerts waiting at most; beyond, the oldest is given up (counted and reported); default 10,000. */
  readonly maxQueue?: number;
  /** Called once per alert given up, with why. */
  readonly onGiveUp?: (alert: Alert, why: string) => void;
  readonly timeoutMs?: number;
}

/**
 * POSTs each alert as JSON to `url`, one at a time in order, from a queue the watcher never waits on: a slow
 * or failing endpoint delays only the webhook, never ingest. A failed POST (network error, timeout, a status
 * other than 2xx) is retried with exponential backoff; after `attempts` the alert is given up and reported.
 */
export function webhookSink(
  url: string,
  options: WebhookOptions = {},
): AlertSink & { readonly sent: () => number } {
  const attempts = options.attempts ?? 8;
  const backoff = options.backoffMs ?? 500;
  const maxQueue = options.maxQueue ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const queue: Alert[] = [];
  let running: Promise<void> | null = null;
  let stopping = false;
  let sent = 0;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  async function post(a: Alert): Promise<void> {
    for (let i = 1; ; i++) {
      let why: string;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(a),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          sent++;
          return;
        }
        why = `HTTP ${res.status}`;
      } catch (err) {
        why = (err as Error).message;
      }
      if (i >= attempts || stopping) {
        options.onGiveUp?.(a, `${why} after ${i} attempt${i === 1 ? '' : 's'}`);
        return;
      }
      await sleep(Math.min(backoff * 2 ** (i - 1), 30_000));
    }
  }

  function drain(): void {
    if (running !== null) return;
    running = (async () => {
      while (queue.length > 0) await post(queue.shift()!);
      running = null;
    })();
  }

  return {
    name: `webhook:${url}`,
    sent: () => sent,
    write: async (a) => {
      queue.push(a);
      while (queue.length > maxQueue) options.onGiveUp?.(queue.shift()!, `queue over ${maxQueue} alerts`);
      drain();
    },
    close: async (graceMs = 5_000) => {
      const done = running ?? Promise.resolve();
      const timer = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      await Promise.race([done, timer]);
      stopping = true;
      (wake as (() => void) | null)?.();
      await Promise.race([
        running ?? Promise.resolve(),
        new Promise<void>((r) => setTimeout(r, 100).unref()),
      ]);
      for (const a of queue.splice(0)) options.onGiveUp?.(a, 'the watch stopped before it was delivered');
    },
  };
}

/** Parses `--alert` values: `stdout`, `jsonl:FILE`, `webhook:http(s)://…`. */
export function parseAlertSinks(
  specs: readonly string[],
  out: (line: string) => void,
  webhook: WebhookOptions = {},
): AlertSink[] {
  return specs.map((spec) => {
    if (spec === 'stdout') return stdoutSink(out);
    if (spec.startsWith('jsonl:') && spec.length > 6) return jsonlSink(spec.slice(6));
    if (spec.startsWith('webhook:')) {
      const url = spec.slice(8);
      let ok = false;
      try {
        ok = ['http:', 'https:'].includes(new URL(url).protocol);
      } catch {
        ok = false;
      }
      if (ok) return webhookSink(url, webhook);
    }
    throw new InputError(`expected stdout, jsonl:FILE or webhook:http(s)://…, got ${JSON.stringify(spec)}`, {
      field: '--alert',
    });
  });
}

export { alertsLogPath };
