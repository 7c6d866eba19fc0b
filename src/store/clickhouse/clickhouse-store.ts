import { z } from 'zod';
import { InputError, isStoreUnavailable, markStoreUnavailable, QueryError } from '../../model/errors.ts';
import type { AnnotationRecord, EventRecord, RunRecord, SessionRecord } from '../../model/schema.ts';
import type { StoredRun } from '../../sources/importers/run-cursors.ts';
import type { AuditTracking } from '../audit-tracking.ts';
import type { ResultCache } from '../result-cache.ts';
import type { JournalRecovery } from '../reward-journal.ts';
import type { AnalysisScans } from '../scans/index.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { sql } from '../sql/sql.ts';
import type {
  IngestBatch,
  IngestCounts,
  LoadInfo,
  RejectRow,
  RunSummary,
  SessionBounds,
  SessionDetail,
  SessionQuery,
  SessionRow,
  StepMetricRow,
  StepMetricsBatch,
  Store,
} from '../store.ts';
import { rejectRow } from '../store.ts';
import { ClickHouseAuditTracking, ClickHouseResultCache } from './clickhouse-audit-tracking.ts';
import { ClickHouseClient } from './clickhouse-client.ts';
import { ClickHouseReads } from './clickhouse-reads.ts';
import { ensureSchema, type Layout } from './clickhouse-schema.ts';
import { ClickHouseWriter } from './clickhouse-writer.ts';
import { int, nullableInt, nullableText, text } from './decode.ts';
import { clickHouseScans } from './scans/index.ts';
import { type ClickHouseTarget, parseClickHouseUrl } from './store-url.ts';

const RunRow = rowDecoder('listRuns.runs', z.object({ run: text, model: nullableText }));
const SessionCountRow = rowDecoder(
  'listRuns.sessions',
  z.object({ run: text, n: int, first_session: nullableInt, last_session: nullableInt }),
);
const CountByRunRow = rowDecoder('listRuns.counts', z.object({ run: text, n: int }));
const CountRow = rowDecoder('countRejects', z.object({ n: int }));
const RejectListRow = rowDecoder(
  'listRejects',
  z.object({
    run: nullableText,
    source_file: text,
    source_line: int,
    record_type: nullableText,
    field: text,
    expected: text,
    got: text,
    conflict_file: nullableText,
    conflict_line: nullableInt,
  }),
);
const ClusterRow = rowDecoder('cluster', z.object({ shards: int }));

/**
 * The ClickHouse store (docs/deploy-clickhouse.md): the training record in a ClickHouse database on one
 * server or a cluster (`--store clickhouse://user@host:port/database[?cluster=NAME]`). Every value reaches the
 * server as a literal of the one escaping function (18.16 binds no parameters); every read of a record table
 * is `FINAL`, so a key written twice (a rerun after a kill) is one row before the replacing merges ran too
 * (measured against argMax and `LIMIT 1 BY`: docs/deploy-clickhouse.md, "Exact before merges").
 */
export class ClickHouseStore implements Store {
  readonly backend = 'clickhouse';
  readonly scans: AnalysisScans;
  readonly audits: AuditTracking;
  readonly results: ResultCache;

  /**
   * What `serve-reward` moved in from a killed service's journal before it opened (the journal of a remote
   * store lives in `--journal-dir`: src/store/clickhouse/clickhouse-journal-recovery.ts), or null.
   */
  journalRecovery: JournalRecovery | null = null;

  private readonly writer: ClickHouseWriter;
  private readonly reads: ClickHouseReads;

  private constructor(
    readonly client: ClickHouseClient,
    readonly layout: Layout,
  ) {
    this.scans = clickHouseScans(client);
    this.audits = new ClickHouseAuditTracking(client);
    this.results = new ClickHouseResultCache(client);
    this.writer = new ClickHouseWriter(client, layout);
    this.reads = new ClickHouseReads(client);
  }

  get location(): string {
    return this.client.target.display;
  }

  /**
   * Connects, checks the cluster (when the URL names one) and the schema. `create` lets a command that
   * writes create the tables on a single server. Every problem is an `InputError` naming the URL.
   */
  static async open(
    target: ClickHouseTarget | string,
    options: { readonly create?: boolean; readonly password?: string } = {},
  ): Promise<ClickHouseStore> {
    const t = typeof target === 'string' ? parseClickHouseUrl(target) : target;
    const client = await ClickHouseClient.connect(t, options.password);
    try {
      const layout: Layout = t.cluster ? { kind: 'cluster', cluster: t.cluster } : { kind: 'single' };
      if (t.cluster) {
        const [row] = await client.query(
          sql`SELECT uniqExact(shard_num) AS shards FROM system.clusters WHERE cluster = ${t.cluster}`,
          ClusterRow,
        );
        if (!row || row.shards === 0) {
          throw new InputError(
            `ClickHouse at ${t.display}: the server has no cluster ${JSON.stringify(t.cluster)} in its ` +
              'remote_servers configuration. Name one of system.clusters, or leave out ?cluster= for one server',
            { field: '--store' },
          );
        }
      }
      await ensureSchema(client, layout, { create: options.create ?? false });
      return new ClickHouseStore(client, layout);
    } catch (err) {
      await client.close();
      // the server answers but a shard of the cluster does not: the store cannot be used, as unreachable
      if (err instanceof QueryError && isStoreUnavailable(err)) {
        throw markStoreUnavailable(
          new InputError(
            `ClickHouse at ${t.display}: a server of the cluster does not answer (${err.message.split('\n')[0]}). ` +
              "Start it (for the project's test cluster: scripts/clickhouse-cluster.sh start) and run the command again",
            { field: '--store' },
            { cause: err },
          ),
        );
      }
      throw err;
    }
  }

  async listRuns(): Promise<RunSummary[]> {
    const c = this.client;
    // small per-run aggregates, merged here; FINAL makes each key one row before merges too
    const [runs, sessions, events, annotations, rejects] = await Promise.all([
      c.query(
        sql`SELECT run, model FROM runs FINAL
            UNION ALL
            SELECT DISTINCT assumeNotNull(run) AS run, CAST(NULL AS Nullable(String)) AS model
              FROM (SELECT run FROM rejects WHERE run IS NOT NULL)`,
        RunRow,
      ),
      c.query(
        sql`SELECT run, count() AS n, min(session) AS first_session, max(session) AS last_session
              FROM sessions FINAL GROUP BY run`,
        SessionCountRow,
      ),
      c.query(sql`SELECT run, count() AS n FROM events FINAL GROUP BY run`, CountByRunRow),
      c.query(sql`SELECT run, count() AS n FROM annotations FINAL GROUP BY run`, CountByRunRow),
      c.query(
        // (the filter in a subquery: ClickHouse resolves a WHERE name to a SELECT alias of the same name)
        sql`SELECT assumeNotNull(run) AS run, count() AS n
              FROM (SELECT run FROM rejects FINAL WHERE run IS NOT NULL)
              GROUP BY run`,
        CountByRunRow,
      ),
    ]);
    const byRun = <T extends { run: string }>(rows: T[]) => new Map(rows.map((r) => [r.run, r]));
    const s = byRun(sessions);
    const e = byRun(events);
    const a = byRun(annotations);
    const j = byRun(rejects);
    const models = new Map<string, string | null>();
    for (const r of runs) if (!models.has(r.run) || r.model !== null) models.set(r.run, r.model);
    return [...models.keys()]
      .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
      .map((run) => ({
        run,
        model: models.get(run) ?? null,
        sessions: s.get(run)?.n ?? 0,
        firstSession: s.get(run)?.first_session ?? null,
        lastSession: s.get(run)?.last_session ?? null,
        events: e.get(run)?.n ?? 0,
        annotations: a.get(run)?.n ?? 0,
        rejects: j.get(run)?.n ?? 0,
      }));
  }

  /**
   * `run` undefined: all; null: the rows of no run; else one run's. Used in a subquery of its own: ClickHouse
   * resolves a name in WHERE to a SELECT alias of the same name (`any(run) AS run`) before the column.
   */
  private rejectFilter(run: string | null | undefined) {
    if (run === undefined) return sql`1`;
    return run === null ? sql`run IS NULL` : sql`run = ${run}`;
  }

  async listRejects(q: { run?: string | null; limit?: number }): Promise<RejectRow[]> {
    const rows = await this.client.query(
      // one row per key (a rerun rejects a line again): FINAL (`LIMIT 1 BY`, the alternative, 18.16 gets
      // wrong together with LIMIT over a Distributed table)
      sql`SELECT run, source_file, source_line, record_type, field, expected, got, conflict_file, conflict_line
            FROM (SELECT * FROM rejects FINAL WHERE ${this.rejectFilter(q.run)})
            ORDER BY source_file, source_line, field
            LIMIT ${q.limit ?? 1000}`,
      RejectListRow,
    );
    return rows.map(rejectRow);
  }

  async countRejects(q: { run?: string | null }): Promise<number> {
    const [row] = await this.client.query(
      sql`SELECT count() AS n FROM rejects FINAL WHERE ${this.rejectFilter(q.run)}`,
      CountRow,
    );
    return row?.n ?? 0;
  }

  async close(): Promise<void> {
    await this.writer.close();
    await this.client.close();
  }

  // ---- ingest (src/store/clickhouse/clickhouse-writer.ts) ----
  beginIngest(runOption: string | null): Promise<number> {
    return this.writer.beginIngest(runOption);
  }
  beginLoad(info: LoadInfo): Promise<number> {
    return this.writer.beginLoad(info);
  }
  writeBatch(batch: IngestBatch): Promise<IngestCounts> {
    return this.writer.writeBatch(batch);
  }
  writeStepMetrics(batch: StepMetricsBatch): Promise<IngestCounts> {
    return this.writer.writeStepMetrics(batch);
  }
  finishLoad(
    loadId: number,
    counts: IngestCounts,
    sha256: string | null,
    status: 'complete' | 'failed',
    defaultRun: string | null,
  ): Promise<void> {
    return this.writer.finishLoad(loadId, counts, sha256, status, defaultRun);
  }
  /** Adds `n` stored rows to a running load's counts (the reward service's ledger). */
  addToLoadCounts(loadId: number, n: number): Promise<void> {
    return this.writer.addToLoadCounts(loadId, n);
  }
  discardLoad(loadId: number): Promise<void> {
    return this.writer.discardLoad(loadId);
  }
  finishIngest(ingestId: number, counts: IngestCounts, status: 'complete' | 'failed'): Promise<void> {
    return this.writer.finishIngest(ingestId, counts, status);
  }

  // ---- reads of the commands (src/store/clickhouse/clickhouse-reads.ts) ----
  listStepMetrics(q: { run: string; names?: readonly string[] }): Promise<StepMetricRow[]> {
    return this.reads.listStepMetrics(q);
  }
  listSessions(q: SessionQuery): Promise<SessionRow[]> {
    return this.reads.listSessions(q);
  }
  getSession(q: { run: string; session: number }): Promise<SessionDetail | null> {
    return this.reads.getSession(q);
  }
  storedSessions(baseRun: string): Promise<StoredRun[]> {
    return this.reads.storedSessions(baseRun);
  }
  sessionAtStep(q: { run: string; step: number; index: number }): Promise<number | null> {
    return this.reads.sessionAtStep(q);
  }
  sessionBounds(q: { run: string; session?: number; step?: number }): Promise<SessionBounds> {
    return this.reads.sessionBounds(q);
  }
  hasRun(run: string): Promise<boolean> {
    return this.reads.hasRun(run);
  }
  getRun(run: string): Promise<RunRecord | null> {
    return this.reads.getRun(run);
  }
  scanSessions(run: string, pageSize?: number): AsyncGenerator<SessionRecord[]> {
    return this.reads.scanSessions(run, pageSize);
  }
  scanRunRecords(run: string, pageSize?: number): AsyncGenerator<(AnnotationRecord | EventRecord)[]> {
    return this.reads.scanRunRecords(run, pageSize);
  }
}
