import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../../model/errors.ts';
import type { RunRecord } from '../../model/schema.ts';
import type { StagedReject } from '../../sources/staged.ts';
import { type HeldAnnotation, rejectNestedAnnotationIdConflicts } from '../nested-annotation-ids.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { ident, join, list, sql } from '../sql/sql.ts';
import type { IngestBatch, IngestCounts, LoadInfo, Staged, StepMetricsBatch } from '../store.ts';
import { emptyCounts } from '../store.ts';
import type { ClickHouseClient } from './clickhouse-client.ts';
import {
  ANNOTATIONS,
  annotationRow,
  contentOf,
  EVENTS,
  eventRow,
  keyOf,
  nestedAnnotationRows,
  type RecordTable,
  type Row,
  runRecordContent,
  SESSIONS,
  STEP_METRICS,
  sessionRow,
} from './clickhouse-rows.ts';
import { type Layout, TABLES } from './clickhouse-schema.ts';
import { int, nullableInt, nullableText, text } from './decode.ts';
import { rowBinaryType } from './row-binary.ts';

const CONFLICT_EXPECTED = 'the same content as the copy already stored (a conflict: the stored copy is kept)';
/** Values per `IN (…)` list: keeps a statement far below the server's max_query_size (256 KiB). */
const IN_CHUNK = 2000;

const LoadPathRow = rowDecoder('loadPaths', z.object({ load_id: int, abs_path: text }));
const StoredRunRow = rowDecoder(
  'storedRun',
  z.object({
    model: nullableText,
    description: nullableText,
    meta: nullableText,
    has_record: int,
    load_id: nullableInt,
    source_line: nullableInt,
  }),
);
const RunNameRow = rowDecoder('runNames', z.object({ run: text }));
const KeyRow = rowDecoder('storedKeys', z.object({ k: z.union([z.string(), z.number()]) }));
const PendingRow = rowDecoder('pendingMutations', z.object({ n: int }));
const StoredAnnotationRow = rowDecoder(
  'storedAnnotationIds',
  z.object({
    run: text,
    id: text,
    session: int,
    author: nullableText,
    text: text,
    load_id: int,
    source_line: int,
  }),
);

/**
 * Items in chunks of at most `size`, and — for `IN (…)` lists of text (ids, run names, which a file may make
 * long) — of at most 100,000 characters, so that a statement stays below the server's max_query_size.
 */
function chunks<T>(items: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  let part: T[] = [];
  let chars = 0;
  for (const item of items) {
    const n = typeof item === 'string' ? item.length * 2 + 4 : 24;
    if (part.length > 0 && (part.length >= size || chars + n > 100_000)) {
      out.push(part);
      part = [];
      chars = 0;
    }
    part.push(item);
    chars += n;
  }
  if (part.length > 0) out.push(part);
  return out;
}

/** `YYYY-MM-DD hh:mm:ss` (UTC) of now, for the DateTime bookkeeping columns of rows sent as JSON. */
function dateTimeNow(): string {
  return new Date().toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The long text columns of each record table that a duplicate check reads back as their SHA-256 (computed by
 * the server, `hex(SHA256(…))`) instead of whole: a re-ingest ships 64 characters per value back, not the
 * text. A value is the UTF-8 of the text the writer sent (a lone surrogate as U+FFFD, as Node encodes it), so
 * the hash of the row's text in Node (`comparable`) is equal exactly when the stored text is.
 */
const HASHED: Readonly<Record<RecordTable['name'], ReadonlySet<string>>> = {
  sessions: new Set(['prompt', 'output']),
  annotations: new Set(['text']),
  events: new Set(['note']),
  step_metrics: new Set(),
};

/** A row's content as `contentOf`, with its `HASHED` columns as the server's `hex(SHA256(…))` of them. */
function comparable(t: RecordTable, r: Row): string {
  const hashed = HASHED[t.name];
  if (hashed.size === 0) return contentOf(t, r);
  const out: Row = { ...r };
  for (const c of hashed) {
    const v = r[c];
    if (typeof v === 'string') out[c] = createHash('sha256').update(v, 'utf8').digest('hex').toUpperCase();
  }
  return contentOf(t, out);
}

/** The key of a stored row of one table, as `keyOf` makes it. */
type Stored = { readonly content: string; readonly loadId: number; readonly line: number };

/**
 * The ingest side of the ClickHouse store. ClickHouse has no transactions, so each batch is written so that a
 * process killed at any point leaves a state the same ingest, run again, completes exactly:
 *
 * - rows are classified here against what is stored (read with `FINAL`): a key not stored is accepted, a key
 *   stored with the same content is a duplicate, a key stored with other content is a conflict — rejected,
 *   never overwriting, naming the file and line of the kept copy (as the DuckDB store, merge.ts);
 * - what a batch writes goes in dependency order — the runs, the annotations nested in its accepted
 *   sessions, the sessions, standalone annotations, events, run records, rejects — each one insert per
 *   table (one part per shard), so a rerun finds whatever a killed run wrote as duplicates and writes the
 *   rest; a key written twice by a race is one row under `FINAL` (ReplacingMergeTree);
 * - record rows travel as RowBinary straight into the record tables (row-binary.ts): Float64 values as their
 *   IEEE-754 bytes, because 18.16 parses floats in JSON and text inexactly (1 ulp off for about a quarter of
 *   random doubles, measured), and no value is ever SQL text except through the one escaping function.
 */
export class ClickHouseWriter {
  private lastId = 0;
  private readonly loadPaths = new Map<number, string>();

  constructor(
    private readonly client: ClickHouseClient,
    private readonly layout: Layout,
  ) {}

  /** A new id (ingests, loads) and row version: microseconds of the clock, strictly increasing here. */
  private nextId(): number {
    const id = Math.max(Date.now() * 1000 + Math.floor(Math.random() * 1000), this.lastId + 1);
    this.lastId = id;
    return id;
  }

  async close(): Promise<void> {}

  async beginIngest(runOption: string | null): Promise<number> {
    const id = this.nextId();
    await this.client.command(
      sql`INSERT INTO ingests (ingest_id, started_at, status, run_option, version)
            VALUES (${id}, now(), 'running', ${runOption}, ${1})`,
    );
    return id;
  }

  async beginLoad(info: LoadInfo): Promise<number> {
    const id = this.nextId();
    await this.client.command(
      sql`INSERT INTO loads (load_id, ingest_id, path, abs_path, format, bytes, status, started_at, version)
            VALUES (${id}, ${info.ingestId}, ${info.path}, ${info.absPath}, ${info.format}, ${info.bytes},
                    'running', now(), ${1})`,
    );
    this.loadPaths.set(id, info.absPath);
    return id;
  }

  async finishLoad(
    loadId: number,
    k: IngestCounts,
    sha256: string | null,
    status: string,
    defaultRun: string | null,
  ): Promise<void> {
    if (defaultRun !== null) {
      // the load's rejects that name no run, written again with the run: under FINAL the later row is the one
      await this.client.command(
        sql`INSERT INTO rejects (run, load_id, source_file, source_line, record_type, field, expected, got,
                                 conflict_file, conflict_line, created_at)
              SELECT ${defaultRun}, load_id, source_file, source_line, record_type, field, expected, got,
                     conflict_file, conflict_line, now()
                FROM (SELECT * FROM rejects FINAL WHERE load_id = ${loadId} AND run IS NULL)`,
      );
    }
    await this.client.command(
      sql`INSERT INTO loads (load_id, ingest_id, path, abs_path, format, bytes, sha256, status, read, accepted,
                             rejected, duplicates, conflicts, started_at, finished_at, version)
            SELECT load_id, ingest_id, path, abs_path, format, bytes, ${sha256}, ${status}, ${k.read},
                   ${k.accepted}, ${k.rejected}, ${k.duplicates}, ${k.conflicts}, started_at, now(), ${this.nextId()}
              FROM loads FINAL WHERE load_id = ${loadId}`,
    );
  }

  /**
   * Adds `n` stored rows to a running load's counts (read and accepted), as a new version of its row: the
   * reward service's ledger calls it after each move of journaled batches, so a load whose service was killed
   * still counts what of it is stored (src/store/clickhouse/clickhouse-reward-ledger.ts).
   */
  async addToLoadCounts(loadId: number, n: number): Promise<void> {
    if (n === 0) return;
    await this.client.command(
      sql`INSERT INTO loads (load_id, ingest_id, path, abs_path, format, bytes, sha256, status, read, accepted,
                             rejected, duplicates, conflicts, started_at, finished_at, version)
            SELECT load_id, ingest_id, path, abs_path, format, bytes, sha256, status, ifNull(read, 0) + ${n},
                   ifNull(accepted, 0) + ${n}, ifNull(rejected, 0), ifNull(duplicates, 0), ifNull(conflicts, 0),
                   started_at, finished_at, ${this.nextId()}
              FROM loads FINAL WHERE load_id = ${loadId}`,
    );
    await this.client.command(
      sql`INSERT INTO ingests (ingest_id, started_at, finished_at, status, run_option, read, accepted, rejected,
                               duplicates, conflicts, version)
            SELECT ingest_id, started_at, finished_at, status, run_option, ifNull(read, 0) + ${n},
                   ifNull(accepted, 0) + ${n}, ifNull(rejected, 0), ifNull(duplicates, 0), ifNull(conflicts, 0),
                   ${this.nextId()}
              FROM ingests FINAL
              WHERE ingest_id GLOBAL IN (SELECT ingest_id FROM loads FINAL WHERE load_id = ${loadId})`,
    );
  }

  async finishIngest(ingestId: number, k: IngestCounts, status: string): Promise<void> {
    await this.client.command(
      sql`INSERT INTO ingests (ingest_id, started_at, finished_at, status, run_option, read, accepted, rejected,
                               duplicates, conflicts, version)
            SELECT ingest_id, started_at, now(), ${status}, run_option, ${k.read}, ${k.accepted}, ${k.rejected},
                   ${k.duplicates}, ${k.conflicts}, ${this.nextId()}
              FROM ingests FINAL WHERE ingest_id = ${ingestId}`,
    );
  }

  /**
   * Removes what a load wrote. ClickHouse deletes with mutations (`ALTER TABLE … DELETE`), which run on the
   * tables that hold the rows: on one server they are issued and awaited here; on a cluster they must run on
   * every shard's local tables, which this connection cannot reach (no ZooKeeper for `ON CLUSTER` assumed),
   * so the load is marked `discarded` and an `InputError` names the statements to run.
   */
  async discardLoad(loadId: number): Promise<void> {
    const tables = ['sessions', 'annotations', 'events', 'rejects', 'step_metrics'];
    const runs = await this.client.query(
      sql`SELECT run FROM runs FINAL WHERE load_id = ${loadId} AND has_record = 1`,
      RunNameRow,
    );
    // the run records this load wrote: back to "no record" (a newer version of the row)
    for (const { run } of runs) {
      await this.client.command(
        sql`INSERT INTO runs (run, model, description, meta, has_record, created_at, load_id, source_line, version)
              VALUES (${run}, NULL, NULL, NULL, 0, now(), NULL, NULL, ${this.nextId()})`,
      );
    }
    await this.client.command(
      sql`INSERT INTO loads (load_id, ingest_id, path, abs_path, format, bytes, sha256, status, read, accepted,
                             rejected, duplicates, conflicts, started_at, finished_at, version)
            SELECT load_id, ingest_id, path, abs_path, format, bytes, NULL, 'discarded', 0, 0, 0, 0, 0,
                   started_at, now(), ${this.nextId()}
              FROM loads FINAL WHERE load_id = ${loadId}`,
    );
    if (this.layout.kind === 'cluster') {
      const statements = tables.map((t) => `ALTER TABLE ${t}_local DELETE WHERE load_id = ${loadId}`);
      throw new InputError(
        `ClickHouse at ${this.client.target.display}: load ${loadId} failed and was marked discarded, but its ` +
          'rows stay until they are deleted on every shard of the cluster (rlaudit deletes on one server only). ' +
          `Run on each shard: ${statements.join('; ')}`,
        { field: '--store' },
      );
    }
    for (const t of tables) {
      await this.client.command(sql`ALTER TABLE ${ident(t)} DELETE WHERE load_id = ${loadId}`);
    }
    await this.awaitMutations();
    const empty = await this.client.query(
      sql`SELECT run FROM runs FINAL WHERE has_record = 0
            AND run NOT IN (SELECT run FROM sessions) AND run NOT IN (SELECT run FROM events)
            AND run NOT IN (SELECT run FROM annotations) AND run NOT IN (SELECT run FROM step_metrics)`,
      RunNameRow,
    );
    for (const part of chunks(empty.map((r) => r.run))) {
      await this.client.command(sql`ALTER TABLE runs DELETE WHERE run IN (${list(part)})`);
    }
    if (empty.length > 0) await this.awaitMutations();
  }

  /** Waits until this database's mutations are done (18.16 has no `mutations_sync`). */
  private async awaitMutations(): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const [row] = await this.client.query(
        sql`SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND is_done = 0`,
        PendingRow,
      );
      if (!row || row.n === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new InputError(
      `ClickHouse at ${this.client.target.display}: deleting a failed load's rows did not finish within 60 s ` +
        '(see system.mutations)',
      { field: '--store' },
    );
  }

  async writeBatch(staged: IngestBatch): Promise<IngestCounts> {
    const batch = await this.rejectNestedAnnotationIdConflicts(staged);
    const counts = emptyCounts();
    const conflicts: Row[] = [];
    await this.ensureRuns(batch.runIds);

    if (batch.sessions.length > 0) {
      const rows = batch.sessions.map(sessionRow);
      const byLine = new Map(batch.sessions.map((s) => [s.line, s] as const));
      const c = await this.classify(SESSIONS, rows, batch.loadId, batch.sourceFile);
      // nested annotations before their sessions: a rerun after a kill finds the session a duplicate, so its
      // annotations must already be there
      const nested = c.accepted.flatMap((r) => nestedAnnotationRows(byLine.get(r.source_line as number)!));
      await this.insert(ANNOTATIONS, await this.notStored(ANNOTATIONS, nested), batch.loadId);
      await this.insert(SESSIONS, c.accepted, batch.loadId);
      add(counts, c.counts);
      conflicts.push(...c.conflicts);
    }
    if (batch.annotations.length > 0) {
      const c = await this.classify(
        ANNOTATIONS,
        batch.annotations.map(annotationRow),
        batch.loadId,
        batch.sourceFile,
      );
      await this.insert(ANNOTATIONS, c.accepted, batch.loadId);
      add(counts, c.counts);
      conflicts.push(...c.conflicts);
    }
    if (batch.events.length > 0) {
      const c = await this.classify(EVENTS, batch.events.map(eventRow), batch.loadId, batch.sourceFile);
      await this.insert(EVENTS, c.accepted, batch.loadId);
      add(counts, c.counts);
      conflicts.push(...c.conflicts);
    }
    for (const r of batch.runs) {
      const c = await this.mergeRunRecord(r, batch.loadId, batch.sourceFile);
      add(counts, c.counts);
      conflicts.push(...c.conflicts);
    }
    await this.writeRejects(batch, conflicts, counts);
    return counts;
  }

  async writeStepMetrics(batch: StepMetricsBatch): Promise<IngestCounts> {
    const counts = emptyCounts();
    await this.ensureRuns(batch.runIds);
    const key = (run: string, step: number, name: string) => JSON.stringify([run, step, name]);
    const stored = new Map<
      string,
      { value: number; loadId: number | null; file: string | null; line: number }
    >();
    const ranges = new Map<string, { lo: number; hi: number }>();
    for (const r of batch.rows) {
      const g = ranges.get(r.run);
      ranges.set(
        r.run,
        g ? { lo: Math.min(g.lo, r.step), hi: Math.max(g.hi, r.step) } : { lo: r.step, hi: r.step },
      );
    }
    const Metric = rowDecoder(
      'storedStepMetrics',
      z.object({ step: int, name: text, value: z.number(), load_id: int, source_line: int }),
    );
    for (const [run, { lo, hi }] of ranges) {
      const rows = await this.client.query(
        sql`SELECT step, name, value, load_id, source_line FROM step_metrics FINAL
              WHERE run = ${run} AND step BETWEEN ${lo} AND ${hi}`,
        Metric,
      );
      for (const r of rows) {
        stored.set(key(run, r.step, r.name), {
          value: r.value,
          loadId: r.load_id,
          file: null,
          line: r.source_line,
        });
      }
    }
    const fresh: Row[] = [];
    const conflicts: Row[] = [];
    for (const r of batch.rows) {
      counts.read++;
      const prior = r.metrics.map((m) => ({ m, s: stored.get(key(r.run, r.step, m.name)) }));
      const clash = prior.find(({ m, s }) => s !== undefined && s.value !== m.value);
      if (clash) {
        counts.rejected++;
        counts.conflicts++;
        const s = clash.s!;
        conflicts.push({
          run: r.run,
          source_line: r.line,
          record_type: 'step_metrics',
          field: clash.m.name,
          expected: 'the value already stored for this step (a conflict: the stored copy is kept)',
          got: `step ${r.step}: ${clash.m.value} (stored: ${s.value})`,
          conflict_file: s.file ?? (s.loadId === null ? null : await this.loadPath(s.loadId)),
          conflict_line: s.line,
        });
        continue;
      }
      if (prior.every(({ s }) => s !== undefined)) {
        counts.duplicates++;
        continue;
      }
      counts.accepted++;
      for (const { m, s } of prior) {
        if (s !== undefined) continue;
        fresh.push({ run: r.run, step: r.step, name: m.name, value: m.value, source_line: r.line });
        stored.set(key(r.run, r.step, m.name), {
          value: m.value,
          loadId: null,
          file: batch.sourceFile,
          line: r.line,
        });
      }
    }
    await this.insert(STEP_METRICS, fresh, batch.loadId);
    await this.writeRejects(batch, conflicts, counts);
    return counts;
  }

  /**
   * Accepted, duplicate or conflicting, row by row in line order: against the stored copy of the key, else
   * against the first row of the key in this batch (which is accepted).
   */
  private async classify(
    t: RecordTable,
    rows: readonly Row[],
    loadId: number,
    file: string,
  ): Promise<{ accepted: Row[]; counts: IngestCounts; conflicts: Row[] }> {
    const stored = await this.stored(t, rows);
    const counts = emptyCounts();
    const accepted: Row[] = [];
    const conflicts: Row[] = [];
    // a key first seen in this batch: its row, whose content is made only when the key comes again
    const inBatch = new Map<string, Row>();
    for (const r of rows) {
      counts.read++;
      const k = keyOf(t, r);
      const first = inBatch.get(k);
      const held: Stored | undefined =
        stored.get(k) ??
        (first === undefined
          ? undefined
          : { content: comparable(t, first), loadId, line: first.source_line as number });
      if (held === undefined) {
        inBatch.set(k, r);
        accepted.push(r);
        counts.accepted++;
      } else if (held.content === comparable(t, r)) {
        counts.duplicates++;
      } else {
        counts.rejected++;
        counts.conflicts++;
        const field = t.key[t.key.length - 1]!;
        conflicts.push({
          run: r.run,
          source_line: r.source_line,
          record_type: t.recordType,
          field,
          expected: CONFLICT_EXPECTED,
          got: `${t.recordType} ${String(r[field])} with different content`,
          conflict_file: held.loadId === loadId ? file : await this.loadPath(held.loadId),
          conflict_line: held.line,
        });
      }
    }
    return { accepted, counts, conflicts };
  }

  /** The stored copies of the rows' keys (`FINAL`), by `keyOf`: first which keys exist, then their content. */
  private async stored(t: RecordTable, rows: readonly Row[]): Promise<Map<string, Stored>> {
    const out = new Map<string, Stored>();
    const last = t.key[t.key.length - 1]!;
    const byRun = new Map<string, Set<string | number>>();
    for (const r of rows) {
      const run = r.run as string;
      const set = byRun.get(run) ?? new Set();
      set.add(r[last] as string | number);
      byRun.set(run, set);
    }
    // long text comes back as its SHA-256, compared with the hash of the row's text (`comparable`)
    const hashed = HASHED[t.name];
    const cols = join([
      ...t.key.map((c) => ident(c)),
      ...t.content.map((c) => (hashed.has(c) ? sql`hex(SHA256(${ident(c)})) AS ${ident(c)}` : ident(c))),
    ]);
    const Decoder = rowDecoder(`stored.${t.name}`, z.record(z.string(), z.unknown()));
    for (const [run, values] of byRun) {
      // which keys are stored: for a dense range of session numbers (the usual batch) one range query,
      // which finds none on a fresh ingest; else IN lists
      const nums = t.ints.has(last) ? ([...values] as number[]) : [];
      const lo = nums.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
      const hi = nums.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
      const dense = nums.length > 0 && hi - lo < 4 * nums.length;
      const probes = dense
        ? [sql`${ident(last)} BETWEEN ${lo} AND ${hi}`]
        : chunks([...values]).map((part) => sql`${ident(last)} IN (${list(part)})`);
      const keys: (string | number)[] = [];
      for (const probe of probes) {
        const rows = await this.client.query(
          sql`SELECT DISTINCT ${ident(last)} AS k FROM ${ident(t.name)} WHERE run = ${run} AND ${probe}`,
          KeyRow,
        );
        for (const r of rows) {
          const k = t.ints.has(last) ? Number(r.k) : r.k;
          if (values.has(k)) keys.push(k);
        }
      }
      for (const part of chunks(keys)) {
        const present = part.map((k) => ({ k }));
        const found = await this.client.query(
          sql`SELECT ${cols}, load_id, source_line FROM ${ident(t.name)} FINAL
                WHERE run = ${run} AND ${ident(last)} IN (${list(present.map((p) => (t.ints.has(last) ? Number(p.k) : p.k)))})`,
          Decoder,
        );
        for (const s of found) {
          out.set(keyOf(t, s), {
            content: contentOf(t, s),
            loadId: Number(s.load_id),
            line: Number(s.source_line),
          });
        }
      }
    }
    return out;
  }

  /** The rows whose key is not stored, the first of each key (nested annotations: the first session's copy). */
  private async notStored(t: RecordTable, rows: readonly Row[]): Promise<Row[]> {
    if (rows.length === 0) return [];
    const stored = await this.stored(t, rows);
    const seen = new Set<string>();
    return rows.filter((r) => {
      const k = keyOf(t, r);
      if (stored.has(k) || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  private async loadPath(loadId: number): Promise<string | null> {
    const known = this.loadPaths.get(loadId);
    if (known !== undefined) return known;
    const [row] = await this.client.query(
      sql`SELECT load_id, abs_path FROM loads FINAL WHERE load_id = ${loadId}`,
      LoadPathRow,
    );
    if (row) this.loadPaths.set(loadId, row.abs_path);
    return row?.abs_path ?? null;
  }

  /** Each run a valid row belongs to has a row in `runs` (version 0: any run record replaces it). */
  private async ensureRuns(runIds: readonly string[]): Promise<void> {
    if (runIds.length === 0) return;
    const present = new Set<string>();
    for (const part of chunks([...new Set(runIds)])) {
      const rows = await this.client.query(
        sql`SELECT run FROM runs WHERE run IN (${list(part)})`,
        RunNameRow,
      );
      for (const r of rows) present.add(r.run);
    }
    const missing = [...new Set(runIds)].filter((r) => !present.has(r));
    if (missing.length === 0) return;
    await this.client.insert(
      'runs',
      missing.map((run) => ({ run, has_record: 0, created_at: dateTimeNow(), version: 0 })),
    );
  }

  private async mergeRunRecord(
    r: Staged<RunRecord>,
    loadId: number,
    file: string,
  ): Promise<{ counts: IngestCounts; conflicts: Row[] }> {
    const counts: IngestCounts = { read: 1, accepted: 0, rejected: 0, duplicates: 0, conflicts: 0 };
    const mine = runRecordContent(r.record);
    const [prev] = await this.client.query(
      sql`SELECT model, description, meta, has_record, load_id, source_line FROM runs FINAL WHERE run = ${r.run}`,
      StoredRunRow,
    );
    if (prev === undefined || !prev.has_record) {
      await this.client.command(
        sql`INSERT INTO runs (run, model, description, meta, has_record, created_at, load_id, source_line, version)
              VALUES (${r.run}, ${mine.model}, ${mine.description}, ${mine.meta}, 1, now(), ${loadId}, ${r.line},
                      ${this.nextId()})`,
      );
      counts.accepted = 1;
      return { counts, conflicts: [] };
    }
    if (prev.model === mine.model && prev.description === mine.description && prev.meta === mine.meta) {
      counts.duplicates = 1;
      return { counts, conflicts: [] };
    }
    counts.rejected = 1;
    counts.conflicts = 1;
    return {
      counts,
      conflicts: [
        {
          run: r.run,
          source_line: r.line,
          record_type: 'run',
          field: 'run',
          expected: CONFLICT_EXPECTED,
          got: `run ${r.run} with different content`,
          conflict_file:
            prev.load_id === null ? null : prev.load_id === loadId ? file : await this.loadPath(prev.load_id),
          conflict_line: prev.source_line,
        },
      ],
    };
  }

  /** The batch's rejects and its conflicts, stored once per (file, line, field); counted in `counts`. */
  private async writeRejects(
    batch: {
      readonly loadId: number;
      readonly sourceFile: string;
      readonly rejects: readonly StagedReject[];
    },
    conflicts: readonly Row[],
    counts: IngestCounts,
  ): Promise<void> {
    const created_at = dateTimeNow();
    const rows: Row[] = [
      ...batch.rejects.map((r) => ({
        run: r.run,
        source_line: r.line,
        record_type: r.recordType,
        field: r.field,
        expected: r.expected,
        got: r.got,
        conflict_file: null,
        conflict_line: null,
      })),
      ...conflicts,
    ].map((r) => ({ ...r, load_id: batch.loadId, source_file: batch.sourceFile, created_at }));
    for (let i = 0; i < rows.length; i += 50_000)
      await this.client.insert('rejects', rows.slice(i, i + 50_000));
    counts.read += batch.rejects.length;
    counts.rejected += batch.rejects.length;
  }

  /**
   * Inserts rows into a record table in one statement, as RowBinary (row-binary.ts: floats exact, no text
   * parsed, no stage table); through the Distributed table on a cluster: synchronous, so the next read sees
   * them. `written_at` is the server's `DEFAULT now()`.
   */
  private async insert(t: RecordTable, rows: readonly Row[], loadId: number): Promise<void> {
    if (rows.length === 0) return;
    const spec = TABLES.find((x) => x.name === t.name)!;
    const columns = [...t.key, ...t.content, 'load_id', 'source_line'].map((name) => ({
      name,
      type: rowBinaryType(name, spec.columns.find(([n]) => n === name)![1]),
    }));
    await this.client.insertRowBinary(t.name, columns, rows, { load_id: loadId });
  }

  /**
   * The nested-annotation id rule of every store (src/store/nested-annotation-ids.ts), with the stored ids read
   * here (`FINAL`, in chunks of the IN list).
   */
  private rejectNestedAnnotationIdConflicts(batch: IngestBatch): Promise<IngestBatch> {
    return rejectNestedAnnotationIdConflicts(batch, async (run, ids) => {
      const held: HeldAnnotation[] = [];
      for (const part of chunks([...ids])) {
        const rows = await this.client.query(
          sql`SELECT run, id, session, author, text, load_id, source_line FROM annotations FINAL
                WHERE run = ${run} AND id IN (${list(part)})`,
          StoredAnnotationRow,
        );
        for (const r of rows) {
          const file = await this.loadPath(r.load_id);
          const where = file ? `${file}:${r.source_line}` : 'the store';
          held.push({ run: r.run, id: r.id, session: r.session, author: r.author, text: r.text, where });
        }
      }
      return held;
    });
  }
}

function add(into: IngestCounts, c: IngestCounts): void {
  into.read += c.read;
  into.accepted += c.accepted;
  into.rejected += c.rejected;
  into.duplicates += c.duplicates;
  into.conflicts += c.conflicts;
}
