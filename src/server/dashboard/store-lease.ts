import { InputError } from '../../model/errors.ts';
import type { DashboardReads } from '../../store/dashboard-reads.ts';
import type { Store } from '../../store/store.ts';

/** What the dashboard reads through: the store's read API and the dashboard's bounded reads. */
export interface ReadHandle {
  readonly store: Store;
  readonly reads: DashboardReads;
}

/** Opens the database read-only; rejects with an `InputError` whose message says "in use" when it is locked. */
export type OpenReadHandle = () => Promise<ReadHandle>;

export interface StoreLeaseOptions {
  /** Close the database after this long without a request, so a writer (`ingest`, `watch`) can open it. */
  readonly idleMs?: number;
  /** How long a request waits for a writer to release the file before it gets 503. */
  readonly waitMs?: number;
}

/** The database is held by a writer for longer than a request waits. */
export class StoreBusyError extends Error {}

/** The server is stopping: a request that arrives then is answered 503 instead of reading a closing store. */
export class StoreClosingError extends StoreBusyError {}

/**
 * The dashboard's hold on the database. DuckDB lets one process open a file read-write and then no other
 * process may open it at all; a read-only open shares the file with other readers only. So the server never
 * keeps it: it opens the file read-only when a request comes, shares that handle between the requests in
 * flight, and closes it `idleMs` after the last one, so that `rlaudit ingest` or `rlaudit watch` can write
 * between requests. While a writer holds the file, a request retries for up to `waitMs`, then answers 503.
 */
export class StoreLease {
  private handle: Promise<ReadHandle> | null = null;
  private users = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly idleMs: number;
  private readonly waitMs: number;
  /** Set by `close`: no new request reads; the ones in flight finish first. */
  private closing = false;
  private drained: (() => void) | null = null;

  constructor(
    private readonly open: OpenReadHandle,
    options: StoreLeaseOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 2000;
    this.waitMs = options.waitMs ?? 5000;
  }

  async use<T>(fn: (h: ReadHandle) => Promise<T>): Promise<T> {
    if (this.closing) {
      throw new StoreClosingError('rlaudit serve is stopping: try again once it runs again');
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.users += 1;
    try {
      if (this.handle === null) {
        const opening = this.openWaiting();
        this.handle = opening;
        opening.catch(() => {
          if (this.handle === opening) this.handle = null;
        });
      }
      return await fn(await this.handle);
    } finally {
      this.users -= 1;
      if (this.users === 0) {
        if (this.closing) this.drained?.();
        else this.timer = setTimeout(() => void this.release(), this.idleMs);
      }
    }
  }

  private async openWaiting(): Promise<ReadHandle> {
    const deadline = Date.now() + this.waitMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      try {
        return await this.open();
      } catch (err) {
        const busy = err instanceof InputError && /in use/.test(err.message);
        if (!busy) throw err;
        if (Date.now() + delay > deadline) {
          throw new StoreBusyError(
            'the database is held by a process writing it (rlaudit ingest or watch); try again in a moment',
          );
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async release(): Promise<void> {
    this.timer = null;
    if (this.users > 0 || this.handle === null) return;
    const h = this.handle;
    this.handle = null;
    try {
      await (await h).store.close();
    } catch {
      // a handle that never opened has nothing to close
    }
  }

  /**
   * Closes the database (server shutdown): refuses new requests (503), waits for the requests in flight to
   * finish their reads (up to `drainMs`, default 30 s), then closes it, so that no read meets a closed store.
   */
  async close(drainMs = 30_000): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.users > 0) {
      await new Promise<void>((resolve) => {
        const give = setTimeout(resolve, drainMs);
        this.drained = () => {
          clearTimeout(give);
          resolve();
        };
      });
    }
    const h = this.handle;
    this.handle = null;
    if (h) await (await h.catch(() => null))?.store.close();
  }
}
