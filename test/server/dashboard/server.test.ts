import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startDashboard } from '../../../src/server/dashboard/server.ts';
import { type ReadHandle, StoreBusyError, StoreLease } from '../../../src/server/dashboard/store-lease.ts';
import type { RunSummary } from '../../../src/store/store.ts';
import { tempDir } from '../../util/tmp.ts';

const dir = tempDir();

/**
 * A read handle whose `listRuns` waits for `release()`; its store records whether it was closed while a read
 * was in flight (what made a real request fail with "connection disconnected" during shutdown).
 */
function slowHandle() {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const state = { reading: 0, closed: false, closedDuringRead: false, started: false };
  const store = {
    async listRuns(): Promise<RunSummary[]> {
      state.reading++;
      state.started = true;
      await gate;
      state.reading--;
      if (state.closed) throw new Error('connection disconnected');
      return [];
    },
    async close() {
      state.closed = true;
      if (state.reading > 0) state.closedDuringRead = true;
    },
  };
  const handle = { store, reads: {} } as unknown as ReadHandle;
  return { handle, state, release: () => release() };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition reached within 5 s');
}

describe('rlaudit serve shutting down', () => {
  it('answers a request still reading when the server stops, and closes the store only after it', async () => {
    const slow = slowHandle();
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      errors.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      const server = await startDashboard({
        dbPath: join(dir, 'none.duckdb'),
        open: async () => slow.handle,
        host: '127.0.0.1',
        port: 0,
        warmRuns: 0,
      });
      const answer = fetch(`${server.url}api/runs`);
      await until(() => slow.state.started);
      const closed = server.close();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(slow.state.closed, false, 'the store stays open while a request reads');
      slow.release();
      const res = await answer;
      assert.equal(res.status, 200);
      assert.deepEqual((await res.json()).runs, []);
      await closed;
      assert.deepEqual([slow.state.closed, slow.state.closedDuringRead], [true, false]);
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(
      errors.filter((e) => /rlaudit serve:/.test(e)),
      [],
      'no engine error is logged',
    );
  });

  it('refuses a read that arrives while the lease closes (503) and closes after the reads in flight', async () => {
    const slow = slowHandle();
    const lease = new StoreLease(async () => slow.handle);
    const inFlight = lease.use((h) => h.store.listRuns());
    await until(() => slow.state.started);
    const closing = lease.close();
    await assert.rejects(
      lease.use((h) => h.store.listRuns()),
      (err: unknown) => err instanceof StoreBusyError && /stopping/.test((err as Error).message),
    );
    assert.equal(slow.state.closed, false);
    slow.release();
    assert.deepEqual(await inFlight, []);
    await closing;
    assert.deepEqual([slow.state.closed, slow.state.closedDuringRead], [true, false]);
  });
});
