import { existsSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { liveMonitors } from '../../analyses/live-monitors.ts';
import type { LiveAlertDraft, LiveTarget } from '../../analyses/shared/live.ts';
import { type Alert, alertsLogPath } from '../../model/alerts.ts';
import { InputError } from '../../model/errors.ts';
import { DEFAULT_PHASE } from '../../model/schema.ts';
import type { WindowSpec } from '../../model/windows.ts';
import { planImport } from '../../sources/importers/detect-importer.ts';
import type { ImportOptions } from '../../sources/importers/formats.ts';
import type { ImportPlan } from '../../sources/importers/import-plan.ts';
import { baseRunsOf } from '../../sources/importers/import-reader.ts';
import { mapRolloutItems } from '../../sources/importers/rollout-mapper.ts';
import { RunCursors } from '../../sources/importers/run-cursors.ts';
import { stageStepMetrics } from '../../sources/importers/step-metrics.ts';
import type { SourceItem } from '../../sources/source-item.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../../sources/source-item.ts';
import { FileTail } from '../../sources/tail/file-tail.ts';
import { ParquetTail } from '../../sources/tail/parquet-tail.ts';
import { stageItems } from '../../sources/validated-batches.ts';
import { addCounts, emptyCounts, type IngestCounts, type Store } from '../../store/store.ts';
import { type AlertSink, jsonlSink } from './alert-sinks.ts';
import { HealthMonitor, type WatchHealth, watchHealthLogPath } from './health.ts';
import { defaultWindow, type FeedItem } from './monitor-engine.ts';
import { inlineMonitors, type MonitorRunner, threadMonitors } from './monitor-thread.ts';

export interface WatchOptions extends ImportOptions {
  /** A JSONL file, or a trainer's directory whose JSONL files (and `completions/`) are followed. */
  readonly path: string;
  readonly run: string;
  /** The store's path: the alert log and the health log are kept beside it. */
  readonly storePath: string;
  /**
   * Opens the store. The watch holds it while lines arrive (one ingest, one load per file) and closes it
   * after `releaseAfterMs` without new lines, so another process (`rlaudit serve`, `rlaudit analyze`) can
   * open the database while the trainer is between steps; with `holdStore` it is held until the watch ends.
   */
  readonly openStore: () => Promise<Store>;
  readonly holdStore?: boolean;
  /**
   * Closes the store after this long without new lines (default 2,000 ms), so another process can open the
   * database while the trainer is between steps; 0 closes it after every cycle. Ignored with `holdStore`.
   */
  readonly releaseAfterMs?: number;
  readonly sinks?: readonly AlertSink[];
  readonly targets?: readonly LiveTarget[];
  /** Windows of the window monitors; default: by step when the first session has a step, else 500 sessions. */
  readonly window?: WindowSpec;
  readonly thresholds?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly rules?: readonly string[];
  /**
   * Run the live monitors on a worker thread of their own (default true): the watch goes on reading and
   * writing while a cycle's rows are monitored, so the monitors' CPU is spent on another core. false runs
   * them on the watch's thread, between cycles. The alerts are the same either way.
   */
  readonly monitorThread?: boolean;
  /** How often the files are looked at (default 200 ms). */
  readonly pollMs?: number;
  /** A step window closes once the writer has been quiet this long (default 2,000 ms). */
  readonly settleMs?: number;
  readonly maxLineBytes?: number;
  /** Stop once everything present was read (and the open step window closed): `--once`. */
  readonly once?: boolean;
  /** Stop after this long without a new line (ms). */
  readonly idleExitMs?: number;
  readonly signal?: AbortSignal;
  readonly healthIntervalMs?: number;
  readonly onHealth?: (h: WatchHealth) => void;
  readonly onAlert?: (a: Alert) => void;
  readonly onDetect?: (file: string, format: string, message: string) => void;
  readonly onWarning?: (file: string, message: string) => void;
  /** Called after each cycle that ingested rows, with that cycle's counts. */
  readonly onCycle?: (
    c: IngestCounts & {
      readonly ms: number;
      /** Of `ms`: validating and writing the rows (and opening the store when it was closed). */
      readonly writeMs: number;
      /** Of `ms`: the live monitors and the alert sinks. */
      readonly monitorMs: number;
    },
  ) => void;
}

export interface WatchSummary extends IngestCounts {
  readonly run: string;
  readonly alerts: number;
  /** Alerts of the log already raised by an earlier watch of the run (same id): not raised twice. */
  readonly alertsAlreadyLogged: number;
  readonly files: readonly {
    readonly file: string;
    readonly format: string | null;
    readonly lines: number;
    readonly heldBackBytes: number;
    readonly error: string | null;
  }[];
  readonly skipped: readonly { readonly file: string; readonly why: string }[];
  readonly errors: readonly string[];
  readonly window: WindowSpec | null;
}

interface Source {
  readonly path: string;
  readonly tail: FileTail | ParquetTail;
  /** The load this file's rows go to while the store is held (null: none open). */
  load: {
    readonly id: number;
    readonly counts: IngestCounts;
    readonly runs: Set<string>;
    error: string | null;
  } | null;
  plan: ImportPlan | null;
  error: string | null;
  caughtUpAt: number;
  lastSize: number;
}

interface Got {
  readonly source: Source;
  readonly before: SourceItem[];
  readonly items: SourceItem[];
  readonly restarted: 'rotated' | 'truncated' | null;
  readonly size: number;
}

/**
 * Most bytes read from one file per cycle (~2,000 lines of WILD-7): a cycle's rows are committed and
 * monitored before the next read, so this bounds how long a line waits for its alert when the watch keeps up.
 */
const CYCLE_READ_BYTES = 2 << 20;
/** Most bytes read from one file per cycle while the watch is behind (doubling from `CYCLE_READ_BYTES`). */
const MAX_CYCLE_READ_BYTES = 32 << 20;

/** Most cycles whose rows wait for the monitor thread before the watch waits for it. */
const MAX_PENDING_FEEDS = 3;

const WATCHED = /\.(jsonl|ndjson|parquet)$/i;
const PARQUET = /\.parquet$/i;

/**
 * Follows a file or directory a trainer is still writing, ingests its new lines incrementally with the
 * guarantees of `rlaudit ingest` (one validation, the same session identity, duplicates and conflicts,
 * rejects naming file and line, read = accepted + rejected + duplicates), and runs the registry's live
 * monitors on the accepted rows and on every closed window. Alerts go to the store's alert log
 * (`alertsLogPath`) and to `sinks`.
 */
export async function watchRun(o: WatchOptions): Promise<WatchSummary> {
  const pollMs = o.pollMs ?? 200;
  const settleMs = o.settleMs ?? 2_000;
  const maxLineBytes = o.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const isDir = (await stat(o.path).catch(() => null))?.isDirectory() ?? false;
  const sources = new Map<string, Source>();
  const skipped = new Map<string, string>();
  const errors: string[] = [];
  const warn = (file: string, message: string) => o.onWarning?.(file, message);
  let store: Store | null = null;
  let ingest: { readonly id: number; readonly counts: IngestCounts; failed: boolean } | null = null;
  const releaseAfterMs = o.holdStore ? Number.POSITIVE_INFINITY : (o.releaseAfterMs ?? 2_000);
  const cursors = {
    rollouts: new RunCursors(o.onRestart ?? 'error', warn, (run) => store!.storedSessions(run)),
    metrics: new RunCursors(o.onRestart ?? 'error', warn),
  };
  const totals = emptyCounts();
  const logPath = alertsLogPath(o.storePath);
  const logged = loggedAlertIds(logPath, o.run);
  const sinks: AlertSink[] = [jsonlSink(logPath), ...(o.sinks ?? [])];
  const usedIds = new Set<string>();
  let alerts = 0;
  let alreadyLogged = 0;
  let window: WindowSpec | null = o.window ?? null;
  const targets = o.targets ?? [];
  const monitorConfig = {
    targets,
    window,
    ...(o.thresholds ? { thresholds: o.thresholds } : {}),
    ...(o.rules ? { rules: o.rules } : {}),
  };
  // a rule or threshold the monitors refuse is refused before the first line is followed
  liveMonitors({ ...monitorConfig, window: window ?? { by: 'session', size: 500 } });
  let lastData = performance.now();
  let sawData = false;

  const health = new HealthMonitor(
    o.healthIntervalMs ?? 10_000,
    watchHealthLogPath(o.storePath),
    async () => {
      let lagBytes = 0;
      let oldest = performance.now();
      for (const s of sources.values()) {
        const size = (await stat(s.path).catch(() => null))?.size ?? s.lastSize;
        const behind = Math.max(0, size - s.tail.offsetRead);
        lagBytes += behind;
        if (behind > 0) oldest = Math.min(oldest, s.caughtUpAt);
      }
      return {
        run: o.run,
        lagBytes,
        lagSeconds: Math.round((performance.now() - oldest) / 10) / 100,
        read: totals.read,
        accepted: totals.accepted,
        rejected: totals.rejected,
        duplicates: totals.duplicates,
        alerts,
        files: sources.size,
      };
    },
    o.onHealth,
  );
  health.start();

  async function raise(drafts: readonly LiveAlertDraft[]): Promise<void> {
    for (const d of drafts) {
      let id = `${o.run}:${d.rule}:${d.session}`;
      for (let k = 2; usedIds.has(id); k++) id = `${o.run}:${d.rule}:${d.session}:${k}`;
      usedIds.add(id);
      if (logged.has(id)) {
        alreadyLogged++;
        continue;
      }
      const alert: Alert = {
        v: 1,
        id,
        run: o.run,
        rule: d.rule,
        severity: d.severity,
        session: d.session,
        step: d.step,
        message: d.message,
        numbers: { ...d.numbers },
        evidence: {
          sessions: [...d.evidence.sessions],
          events: [...d.evidence.events],
          annotations: [...d.evidence.annotations],
        },
        raisedAt: new Date().toISOString(),
      };
      alerts++;
      for (const s of sinks) await s.write(alert);
      o.onAlert?.(alert);
    }
  }

  /**
   * The monitors' answers are raised in the order of the requests, while the next cycles read and write; at
   * most `MAX_PENDING_FEEDS` cycles wait for the monitors (memory stays bounded when they are the slower).
   */
  // started with the watch: the thread loads its modules while the first lines are awaited
  const monitorRunner: MonitorRunner =
    o.monitorThread === false ? inlineMonitors(monitorConfig) : threadMonitors(monitorConfig);
  let alertChain: Promise<void> = Promise.resolve();
  const pendingFeeds: Promise<void>[] = [];
  let monitorFailure: unknown = null;
  function monitor(request: Promise<LiveAlertDraft[]>): void {
    const done = alertChain.then(async () => {
      const drafts = await request;
      if (monitorFailure === null) await raise(drafts);
    });
    const settled = done.catch((err) => {
      monitorFailure ??= err;
    });
    alertChain = settled;
    pendingFeeds.push(settled);
    void settled.then(() => pendingFeeds.splice(pendingFeeds.indexOf(settled), 1));
  }
  async function drainMonitors(max: number): Promise<void> {
    while (pendingFeeds.length > max) await pendingFeeds[0];
    if (monitorFailure !== null) throw monitorFailure;
  }

  async function discover(): Promise<void> {
    if (!isDir) {
      if (!sources.has(o.path)) sources.set(o.path, newSource(o.path));
      return;
    }
    for (const dir of [o.path, join(o.path, 'completions')]) {
      const names = await readdir(dir).catch(() => [] as string[]);
      names.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      for (const name of names) {
        const p = join(dir, name);
        if (sources.has(p) || skipped.has(p) || name.startsWith('.')) continue;
        const st = await stat(p).catch(() => null);
        if (st === null || !st.isFile()) continue;
        if (!WATCHED.test(name)) {
          const why = 'not a JSONL or Parquet file';
          skipped.set(p, why);
          o.onWarning?.(p, `skipped: ${why}`);
          continue;
        }
        sources.set(p, newSource(p));
      }
    }
  }

  function newSource(path: string): Source {
    return {
      path,
      load: null,
      tail: PARQUET.test(path) ? new ParquetTail(path) : new FileTail(path, maxLineBytes, CYCLE_READ_BYTES),
      plan: null,
      error: null,
      caughtUpAt: performance.now(),
      lastSize: 0,
    };
  }

  /** Decides how a file is read once it has a complete line, as `rlaudit ingest` would. */
  async function planOf(s: Source): Promise<ImportPlan> {
    if (s.plan !== null) return s.plan;
    const plan = await planImport(s.path, { ...o, maxLineBytes });
    const container = plan.container;
    const kind = container.kind === 'file' ? container.file.format : null;
    const expected = PARQUET.test(s.path) ? 'parquet' : 'jsonl';
    if (container.kind !== 'file' || kind !== expected || container.file.gzip) {
      throw new InputError(
        `watch follows JSONL files as they are written and Parquet files once they are whole, not ${plan.format}` +
          (container.kind === 'file' && container.file.gzip ? ' (gzip)' : ''),
        { file: s.path },
      );
    }
    s.plan = plan;
    o.onDetect?.(s.path, plan.format, plan.message);
    return plan;
  }

  /** Reads every source once; returns the items read per source (in discovery order). */
  async function readAll(): Promise<Got[]> {
    const out: Got[] = [];
    for (const s of sources.values()) {
      if (s.error !== null) continue;
      const r = await s.tail.read();
      s.lastSize = r.size;
      if (s.tail instanceof FileTail) {
        // adaptive batches: a watch that is behind reads (and writes, and monitors) more per cycle, which pays
        // the store's per-batch cost over more rows; one that has caught up reads little, for a short cycle
        s.tail.maxReadBytes =
          r.offset < r.size ? Math.min(s.tail.maxReadBytes * 2, MAX_CYCLE_READ_BYTES) : CYCLE_READ_BYTES;
      }
      if (r.offset >= r.size) s.caughtUpAt = performance.now();
      if (r.restarted !== null)
        o.onWarning?.(s.path, `the file was ${r.restarted}: reading it again from line 1`);
      if (r.items.length > 0 || r.before.length > 0 || (r.restarted !== null && s.load !== null))
        out.push({ source: s, before: r.before, items: r.items, restarted: r.restarted, size: r.size });
    }
    return out;
  }

  /**
   * Opens the store; while another process holds the database (DuckDB: one process at a time), waits and
   * tries again — the lines already read are kept, and the files' unread lines stay where they are.
   */
  async function openWhenFree(): Promise<Store> {
    let warnedAt = 0;
    for (;;) {
      try {
        return await o.openStore();
      } catch (err) {
        if (!(err instanceof InputError) || !/in use/.test(err.message) || o.signal?.aborted) throw err;
        if (performance.now() - warnedAt > 10_000) {
          warnedAt = performance.now();
          o.onWarning?.(o.storePath, `${err.message}: waiting for it (the read lines are kept)`);
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    }
  }

  type Feed = FeedItem;

  /** Records the outcome of a source's open load (one load per file per holding of the store). */
  async function finishSourceLoad(s: Source): Promise<void> {
    const load = s.load;
    if (load === null || store === null || ingest === null) return;
    s.load = null;
    await store.finishLoad(
      load.id,
      load.counts,
      null,
      load.error === null ? 'complete' : 'failed',
      load.runs.size === 1 ? [...load.runs][0]! : o.run,
    );
    addCounts(ingest.counts, load.counts);
    if (load.error !== null) ingest.failed = true;
  }

  /** Ends the ingest and its loads and closes the store, so another process can open the database. */
  async function release(): Promise<void> {
    if (store === null) return;
    const held = store;
    try {
      for (const s of sources.values()) await finishSourceLoad(s);
      if (ingest !== null)
        await held.finishIngest(ingest.id, ingest.counts, ingest.failed ? 'failed' : 'complete');
    } finally {
      ingest = null;
      store = null;
      await held.close();
    }
  }

  /** Validates and writes one source's items into its load; returns what the monitors read of them. */
  async function writeItems(
    s: Source,
    plan: ImportPlan,
    items: SourceItem[],
    size: number,
    feed: Feed[],
  ): Promise<IngestCounts> {
    const st = store!;
    s.load ??= {
      id: await st.beginLoad({
        ingestId: ingest!.id,
        path: s.path,
        absPath: resolve(s.path),
        format: plan.format,
        bytes: size,
      }),
      counts: emptyCounts(),
      runs: new Set(),
      error: null,
    };
    const load = s.load;
    const counts = emptyCounts();
    try {
      if (plan.mapping?.kind === 'step-metrics') {
        const staged = stageStepMetrics(
          items,
          plan.mapping.metrics,
          { baseRun: o.run, file: s.path },
          cursors.metrics,
        );
        for (const r of staged.runIds) load.runs.add(r);
        addCounts(
          counts,
          await st.writeStepMetrics({ ...staged, loadId: load.id, sourceFile: resolve(s.path) }),
        );
      } else {
        let rows = items;
        if (plan.mapping?.kind === 'rollouts') {
          await cursors.rollouts.prepare(baseRunsOf(plan.mapping.rollout, items, o.run));
          rows = mapRolloutItems(
            plan.mapping.rollout,
            items,
            { baseRun: o.run, file: s.path },
            cursors.rollouts,
          );
        }
        const staged = stageItems(rows, {
          forcedRun: plan.mapping === null ? o.run : undefined,
          fileRun: o.run,
        });
        for (const r of staged.runIds) load.runs.add(r);
        addCounts(counts, await st.writeBatch({ ...staged, loadId: load.id, sourceFile: resolve(s.path) }));
        const note = (
          a: {
            id?: string | undefined;
            author?: string | null | undefined;
            text: string;
            classification?: string | null | undefined;
          },
          session: number,
        ) => ({
          id: a.id ?? null,
          session,
          author: a.author ?? null,
          text: a.text,
          classification: a.classification ?? null,
        });
        // in file order (a nested annotation right after its session), so an event's target is tracked from it on
        const ordered: FeedItem[] = [];
        for (const { line, record: r } of staged.sessions) {
          // a session after training (docs/record-format.md#phases) is stored but not monitored: the live
          // monitors, like the training analyses they anticipate, read training sessions only
          if (r.phase != null && r.phase !== DEFAULT_PHASE) continue;
          ordered.push({
            line,
            kind: 'session',
            session: {
              session: r.session,
              step: r.step ?? null,
              output: r.output,
              reward: r.baseline_reward ?? null,
            },
          });
          for (const a of r.annotations ?? [])
            ordered.push({ line, kind: 'annotation', annotation: note(a, r.session) });
        }
        for (const { line, record: a } of staged.annotations)
          ordered.push({ line, kind: 'annotation', annotation: note(a, a.session) });
        for (const { line, record: e } of staged.events)
          ordered.push({
            line,
            kind: 'event',
            event: { id: e.id ?? null, session: e.session, target: e.target, trigger: e.trigger ?? null },
          });
        feed.push(...ordered.sort((a, b) => a.line - b.line));
      }
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      // a step counter that restarts (--on-restart error) or another refusal: this file is not followed further
      load.error = err.message;
      s.error = err.message;
      errors.push(err.message);
      o.onWarning?.(s.path, `stopped following: ${err.message}`);
    }
    addCounts(load.counts, counts);
    return counts;
  }

  async function cycle(): Promise<number> {
    await discover();
    const got = await readAll();
    if (got.length === 0) return 0;
    const t0 = performance.now();
    const cycleCounts = emptyCounts();
    if (store === null) {
      store = await openWhenFree();
      ingest = { id: await store.beginIngest(o.run), counts: emptyCounts(), failed: false };
    }
    const feed: Feed[] = [];
    for (const { source: s, before, items, restarted, size } of got) {
      let plan: ImportPlan;
      try {
        plan = await planOf(s);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        s.error = err.message;
        errors.push(err.message);
        o.onWarning?.(s.path, `not followed: ${err.message}`);
        continue;
      }
      // the old content's unfinished line goes to the old content's load; the new content gets a load of its own
      if (before.length > 0) addCounts(cycleCounts, await writeItems(s, plan, before, size, feed));
      if (restarted !== null) await finishSourceLoad(s);
      if (items.length > 0 && s.error === null)
        addCounts(cycleCounts, await writeItems(s, plan, items, size, feed));
    }
    if (releaseAfterMs === 0) await release();
    const tWritten = performance.now();
    addCounts(totals, cycleCounts);
    // the rows are committed: the monitors read them, in reading order
    if (feed.length > 0) {
      if (window === null) {
        const first = feed.find((f) => f.kind === 'session');
        if (first !== undefined) window = defaultWindow(first.session);
      }
      monitor(monitorRunner.feed(feed));
      await drainMonitors(o.monitorThread === false ? 0 : MAX_PENDING_FEEDS);
    }
    const ms = performance.now() - t0;
    health.maxCycleMs = Math.max(health.maxCycleMs, ms);
    o.onCycle?.({ ...cycleCounts, ms, writeMs: tWritten - t0, monitorMs: performance.now() - tWritten });
    return got.reduce((a, g) => a + g.items.length + g.before.length, 0);
  }

  async function closeStep(): Promise<void> {
    if (window?.by !== 'step') return;
    monitor(monitorRunner.closeStep());
    await drainMonitors(o.monitorThread === false ? 0 : MAX_PENDING_FEEDS);
  }

  try {
    // opened before the first line arrives: the first cycle does not pay for it
    store = await openWhenFree();
    ingest = { id: await store.beginIngest(o.run), counts: emptyCounts(), failed: false };
    lastData = performance.now();
    for (;;) {
      const n = await cycle();
      const now = performance.now();
      if (n > 0) {
        lastData = now;
        sawData = true;
        continue; // more may be waiting: read again at once
      }
      if (o.once) break;
      if (store !== null && now - lastData >= releaseAfterMs) await release();
      if (now - lastData >= settleMs && sawData) await closeStep();
      if (o.idleExitMs !== undefined && now - lastData >= o.idleExitMs) break;
      if (o.signal?.aborted) break;
      await new Promise<void>((r) => {
        const done = () => {
          clearTimeout(t);
          o.signal?.removeEventListener('abort', done);
          r();
        };
        const t = setTimeout(done, pollMs);
        o.signal?.addEventListener('abort', done, { once: true });
      });
    }
    if (o.once || o.idleExitMs !== undefined) await closeStep();
    await drainMonitors(0);
  } finally {
    await alertChain;
    await monitorRunner.close();
    health.stop();
    await health.sample().catch(() => undefined);
    await release();
    for (const s of sinks) await s.close();
    for (const s of sources.values()) await s.tail.close();
  }
  return {
    run: o.run,
    ...totals,
    alerts,
    alertsAlreadyLogged: alreadyLogged,
    files: [...sources.values()].map((s) => ({
      file: s.path,
      format: s.plan?.format ?? null,
      lines: s.tail.lines,
      heldBackBytes: s.tail.heldBackBytes,
      error: s.error,
    })),
    skipped: [...skipped].map(([file, why]) => ({ file, why })),
    errors,
    window,
  };
}

/** Ids of the alerts of `run` already in the alert log (a watch started again raises none of them twice). */
function loggedAlertIds(path: string, run: string): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(path)) return ids;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const a = JSON.parse(line) as { id?: unknown; run?: unknown };
      if (a.run === run && typeof a.id === 'string') ids.add(a.id);
    } catch {
      // a line cut short by a crash: not an alert
    }
  }
  return ids;
}
