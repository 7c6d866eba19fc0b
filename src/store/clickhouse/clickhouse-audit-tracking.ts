import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { isStoreUnavailable } from '../../model/errors.ts';
import {
  type AuditTracking,
  type LastAudit,
  type SectionStatus,
  STOPPED_SECTION_ERROR,
  type TrackedAudit,
  type TrackedSection,
} from '../audit-tracking.ts';
import type { ResultCache } from '../result-cache.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { join, list, type SqlFragment, sql } from '../sql/sql.ts';
import type { ClickHouseClient } from './clickhouse-client.ts';
import { float, int, nullableInt, nullableText, text } from './decode.ts';

/**
 * Audit tracking and the analysis result cache on ClickHouse (tables `audits`, `audit_sections`,
 * `audit_operations`, `analysis_cache`; schema version 2, src/store/clickhouse/clickhouse-schema.ts), with the
 * semantics of the DuckDB store's (src/store/duckdb/duckdb-audit-tracking.ts, duckdb-result-cache.ts).
 *
 * ClickHouse has no transactions and its mutations (`ALTER … UPDATE`) are heavy, asynchronous rewrites of
 * whole parts, so nothing here is updated in place: a change of an audit's or a section's status is a new
 * row of the same key with a higher `version` (microseconds of the clock, strictly increasing in this
 * process), and every read is `FINAL`, which keeps the highest version of each key before the replacing
 * merges ran too. A `FINAL` read filters only on columns that are the same in every version of a key (the
 * key itself, an audit's run and configuration): a filter on a column that changes between versions would
 * be applied before the replacement on some servers. Large texts (section results, reports, cached
 * results) travel as JSONEachRow strings, never as SQL text; numbers through the literal-escaping dialect.
 */
export class ClickHouseAuditTracking implements AuditTracking {
  private lastVersion = 0;
  private lastAuditId = 0;
  /** What this process wrote of its audits, so that a status change need not read it back. */
  private readonly begun = new Map<number, AuditRowValues>();
  private readonly sectionsOf = new Map<number, Map<string, SectionKnown>>();

  constructor(private readonly client: ClickHouseClient) {}

  /**
   * Writes tracking rows synchronously (the next read sees them). When the store reports a shard down — a
   * synchronous insert into a Distributed table needs every shard — the rows are queued on the server the
   * URL names instead, to reach their shard when it is back, so that an audit stopped by the failure is
   * still marked failed; the error is thrown all the same.
   */
  private async write(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    try {
      await this.client.insert(table, rows);
    } catch (err) {
      if (isStoreUnavailable(err))
        await this.client.insert(table, rows, { queued: true }).catch(() => undefined);
      throw err;
    }
  }

  /** A row version: microseconds of the clock, strictly increasing here. */
  private nextVersion(): number {
    const v = Math.max(Date.now() * 1000 + Math.floor(Math.random() * 1000), this.lastVersion + 1);
    this.lastVersion = v;
    return v;
  }

  /**
   * A new audit id, unique across processes and machines: milliseconds since 2025-01-01 (UTC) times 4,096 plus
   * 12 random bits (below 2^53 until 2094, so a JavaScript number holds it exactly), strictly increasing within
   * this process, and checked against the ids stored (a rare equal draw is drawn again). Two audits begun in
   * the same millisecond on two machines draw the same id with probability 1/4,096 and both would have to
   * check before either wrote; the clock microseconds used before collided whenever two audits began in the
   * same microsecond. Audits are ordered by their start time, not by id.
   */
  private async newAuditId(): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const id = Math.max((Date.now() - AUDIT_ID_EPOCH_MS) * 4096 + randomInt(4096), this.lastAuditId + 1);
      this.lastAuditId = id;
      const [row] = await this.client.query(
        // without FINAL: any row of the id, of any version, makes it taken
        sql`SELECT count() AS n FROM audits WHERE audit_id = ${id}`,
        CountRow,
      );
      if ((row?.n ?? 0) === 0) return id;
      if (attempt >= 8) throw new Error(`no free audit id after ${attempt + 1} draws (last ${id})`);
    }
  }

  private async sections(auditIds: readonly number[]): Promise<Map<number, TrackedSection[]>> {
    const out = new Map<number, TrackedSection[]>();
    if (auditIds.length === 0) return out;
    const rows = await this.client.query(
      sql`SELECT audit_id, position, section_id, status, started_at, finished_at, duration_ms, result, error
            FROM audit_sections FINAL WHERE audit_id IN (${list(auditIds)})
            ORDER BY audit_id, position`,
      SectionRow,
    );
    for (const r of rows) {
      const of = out.get(r.audit_id) ?? [];
      of.push({
        position: r.position,
        sectionId: r.section_id,
        status: r.status,
        startedAt: isoOf(r.started_at),
        finishedAt: isoOf(r.finished_at),
        durationMs: r.duration_ms,
        result: r.result === null ? null : (JSON.parse(r.result) as unknown),
        error: r.error,
      });
      out.set(r.audit_id, of);
    }
    return out;
  }

  private async audits(where: SqlFragment, limit: number): Promise<TrackedAudit[]> {
    // `where` names only run and config_hash, which every version of an audit's row has alike
    const rows = await this.client.query(
      sql`SELECT audit_id, run, template, config_hash, status, started_at, finished_at FROM audits FINAL
            WHERE ${where} ORDER BY started_at DESC, audit_id DESC LIMIT ${limit}`,
      AuditRow,
    );
    const sections = await this.sections(rows.map((r) => r.audit_id));
    return rows.map((r) => ({
      auditId: r.audit_id,
      run: r.run,
      template: r.template,
      configHash: r.config_hash,
      status: r.status,
      startedAt: isoOf(r.started_at) ?? '',
      finishedAt: isoOf(r.finished_at),
      sections: sections.get(r.audit_id) ?? [],
    }));
  }

  async latestAudit(run: string, configHash: string): Promise<TrackedAudit | null> {
    const [a] = await this.audits(sql`run = ${run} AND config_hash = ${configHash}`, 1);
    return a ?? null;
  }

  listAudits(run: string, limit = 20): Promise<TrackedAudit[]> {
    return this.audits(sql`run = ${run}`, limit);
  }

  async beginAudit(a: {
    run: string;
    template: string;
    configHash: string;
    config: unknown;
    sectionIds: readonly string[];
  }): Promise<number> {
    const id = await this.newAuditId();
    const values: AuditRowValues = {
      audit_id: id,
      run: a.run,
      template: a.template,
      config_hash: a.configHash,
      config: JSON.stringify(a.config),
      started_at: Date.now() * 1000,
    };
    // the audit first, then its sections: a kill between them leaves an audit with no section done
    await this.write('audits', [
      { ...values, status: 'running', finished_at: null, report: null, version: this.nextVersion() },
    ]);
    const known = new Map<string, SectionKnown>();
    for (const [position, sectionId] of a.sectionIds.entries())
      known.set(sectionId, { position, startedAt: null, status: 'pending' });
    await this.write(
      'audit_sections',
      [...known].map(([sectionId, k]) => ({
        audit_id: id,
        position: k.position,
        section_id: sectionId,
        status: 'pending',
        started_at: null,
        finished_at: null,
        duration_ms: null,
        result: null,
        error: null,
        version: this.nextVersion(),
      })),
    );
    this.begun.set(id, values);
    this.sectionsOf.set(id, known);
    return id;
  }

  /** A section's position and start as stored (what this process wrote, else read back). */
  private async known(auditId: number, sectionId: string): Promise<SectionKnown | null> {
    const mine = this.sectionsOf.get(auditId)?.get(sectionId);
    if (mine) return mine;
    const [row] = await this.client.query(
      sql`SELECT position, started_at, status FROM audit_sections FINAL
            WHERE audit_id = ${auditId} AND section_id = ${sectionId}`,
      KnownSectionRow,
    );
    return row ? { position: row.position, startedAt: row.started_at, status: row.status } : null;
  }

  async markSection(
    auditId: number,
    sectionId: string,
    u: { status: SectionStatus; durationMs?: number; result?: unknown; error?: string },
  ): Promise<void> {
    // as DuckDB's UPDATE: no row of that section, nothing changes
    const k = await this.known(auditId, sectionId);
    if (!k) return;
    const now = Date.now() * 1000;
    const startedAt = u.status === 'running' ? now : k.startedAt;
    // known as written even when the write fails: a failed write to a shard that is down is queued to reach
    // it later (`write`), so a `running` may still land, and finishAudit must then fail the section after it
    const of = this.sectionsOf.get(auditId) ?? new Map<string, SectionKnown>();
    of.set(sectionId, { position: k.position, startedAt, status: u.status });
    this.sectionsOf.set(auditId, of);
    await this.write('audit_sections', [
      {
        audit_id: auditId,
        position: k.position,
        section_id: sectionId,
        status: u.status,
        started_at: startedAt,
        finished_at: u.status === 'complete' || u.status === 'failed' ? now : null,
        duration_ms: u.durationMs ?? null,
        result: u.result === undefined ? null : JSON.stringify(u.result),
        error: u.error ?? null,
        version: this.nextVersion(),
      },
    ]);
  }

  /** The unchanging part of an audit's row (what this process wrote, else read back). */
  private async auditValues(auditId: number): Promise<AuditRowValues | null> {
    const mine = this.begun.get(auditId);
    if (mine) return mine;
    const [row] = await this.client.query(
      sql`SELECT audit_id, run, template, config_hash, config, started_at FROM audits FINAL
            WHERE audit_id = ${auditId}`,
      AuditValuesRow,
    );
    return row ?? null;
  }

  async finishAudit(auditId: number, status: 'complete' | 'failed', report: unknown): Promise<void> {
    let sectionsFailed: unknown = null;
    if (status === 'failed') {
      // the sections still running: marked failed first (queued on the URL's server when their shard is down,
      // as every tracking write), and the audit marked failed whatever came of that
      sectionsFailed = await this.failRunningSections(auditId).then(
        () => null,
        (err: unknown) => err ?? new Error('marking the running sections failed'),
      );
    }
    const values = await this.auditValues(auditId);
    if (!values) return;
    await this.write('audits', [
      {
        ...values,
        status,
        finished_at: Date.now() * 1000,
        report: report === null ? null : JSON.stringify(report),
        version: this.nextVersion(),
      },
    ]);
    if (sectionsFailed !== null) throw sectionsFailed;
  }

  /** Writes `failed` for each section of the audit whose last status is `running`. */
  private async failRunningSections(auditId: number): Promise<void> {
    let known = this.sectionsOf.get(auditId);
    // an audit this process did not begin: its sections as stored (this process marked none of them)
    if (!known || [...known.values()].every((k) => k.status === 'pending')) {
      const rows = await this.client.query(
        sql`SELECT section_id, position, started_at, status FROM audit_sections FINAL WHERE audit_id = ${auditId}`,
        StoredSectionRow,
      );
      known = new Map(
        rows.map((r) => [r.section_id, { position: r.position, startedAt: r.started_at, status: r.status }]),
      );
    }
    const running = [...known].filter(([, k]) => k.status === 'running');
    if (running.length === 0) return;
    const now = Date.now() * 1000;
    await this.write(
      'audit_sections',
      running.map(([sectionId, k]) => ({
        audit_id: auditId,
        position: k.position,
        section_id: sectionId,
        status: 'failed',
        started_at: k.startedAt,
        finished_at: now,
        duration_ms: null,
        result: null,
        error: STOPPED_SECTION_ERROR,
        version: this.nextVersion(),
      })),
    );
    for (const [sectionId, k] of running) known.set(sectionId, { ...k, status: 'failed' });
  }

  async lastAudits(): Promise<LastAudit[]> {
    // the newest audit of each run by start (then id); the arguments name only columns every version of an
    // audit's row has alike, but status and finished_at, which FINAL has made the current ones
    const rows = await this.client.query(
      sql`SELECT run, argMax(audit_id, (started_at, audit_id)) AS last_id,
                 argMax(template, (started_at, audit_id)) AS last_template,
                 argMax(status, (started_at, audit_id)) AS last_status,
                 max(started_at) AS last_started,
                 argMax(finished_at, (started_at, audit_id)) AS last_finished
            FROM audits FINAL GROUP BY run ORDER BY run`,
      LastAuditRow,
    );
    return rows.map((r) => ({
      run: r.run,
      auditId: r.last_id,
      template: r.last_template,
      status: r.last_status,
      startedAt: isoOf(r.last_started) ?? '',
      finishedAt: isoOf(r.last_finished),
    }));
  }

  async auditReport(auditId: number): Promise<unknown> {
    const [r] = await this.client.query(
      sql`SELECT report FROM audits FINAL WHERE audit_id = ${auditId}`,
      ReportRow,
    );
    return r?.report == null ? null : (JSON.parse(r.report) as unknown);
  }

  async recordOperations(
    auditId: number,
    summary: readonly { metric: string; p50: number; p95: number; max: number }[],
  ): Promise<void> {
    if (summary.length === 0) return;
    // small rows of doubles: SQL literals, which 18.16 parses exactly (its JSON number parser does not)
    await this.client.command(
      sql`INSERT INTO audit_operations (audit_id, metric, p50, p95, max) VALUES ${join(
        summary.map((m) => sql`(${auditId}, ${m.metric}, ${m.p50}, ${m.p95}, ${m.max})`),
      )}`,
    );
  }

  async operationsHistory(limit: number, excludeAuditId: number): Promise<{ metric: string; p95: number }[]> {
    // GLOBAL: a subquery over a Distributed table inside a query over one (18.16 refuses it on each shard)
    return this.client.query(
      // the newest audits by start time (ids are no clock: newAuditId), among those with operations
      sql`SELECT metric, p95 FROM audit_operations FINAL
            WHERE audit_id GLOBAL IN (SELECT audit_id FROM audits FINAL
                                      WHERE audit_id <> ${excludeAuditId}
                                        AND audit_id GLOBAL IN (SELECT audit_id FROM audit_operations)
                                      ORDER BY started_at DESC, audit_id DESC LIMIT ${limit})
            ORDER BY audit_id, metric`,
      OperationRow,
    );
  }
}

/**
 * The analysis result cache on ClickHouse (`analysis_cache`): one entry per (run, key), the newest `put`
 * (highest version) under `FINAL`; `clear` writes empty tombstones, which no fingerprint matches.
 */
export class ClickHouseResultCache implements ResultCache {
  private lastVersion = 0;

  constructor(private readonly client: ClickHouseClient) {}

  private nextVersion(): number {
    const v = Math.max(Date.now() * 1000 + Math.floor(Math.random() * 1000), this.lastVersion + 1);
    this.lastVersion = v;
    return v;
  }

  /**
   * The loads the run's rows come from (as text, in text order) and the number of rows, as DuckDB's
   * fingerprint: sessions, annotations, events and the run's row, each key once (`FINAL`).
   */
  async fingerprint(run: string): Promise<string> {
    const [row] = await this.client.query(
      sql`SELECT arrayStringConcat(arraySort(groupUniqArray(toString(lid))), ',') AS loads, count() AS n
            FROM (SELECT toNullable(load_id) AS lid FROM sessions FINAL WHERE run = ${run}
                  UNION ALL SELECT toNullable(load_id) AS lid FROM annotations FINAL WHERE run = ${run}
                  UNION ALL SELECT toNullable(load_id) AS lid FROM events FINAL WHERE run = ${run}
                  UNION ALL SELECT load_id AS lid FROM runs FINAL WHERE run = ${run})`,
      FingerprintRow,
    );
    return `${row?.n ?? 0}@${row?.loads ?? ''}`;
  }

  async get(run: string, fingerprint: string, key: string): Promise<string | null> {
    // the fingerprint is compared here, not in the FINAL query: it is no part of the key
    const [row] = await this.client.query(
      sql`SELECT fingerprint, value FROM analysis_cache FINAL WHERE run = ${run} AND key = ${key}`,
      CacheRow,
    );
    return row && row.fingerprint === fingerprint ? row.value : null;
  }

  async put(run: string, fingerprint: string, key: string, value: string): Promise<void> {
    await this.client.insert('analysis_cache', [
      { run, key, fingerprint, value, created_at: dateTimeNow(), version: this.nextVersion() },
    ]);
  }

  async clear(run?: string): Promise<void> {
    await this.client.command(
      sql`INSERT INTO analysis_cache (run, key, fingerprint, value, version)
            SELECT run, key, '', '', ${this.nextVersion()} FROM analysis_cache FINAL
            WHERE ${run === undefined ? sql`1` : sql`run = ${run}`}`,
    );
  }
}

/** The unchanging columns of an audit's row. */
interface AuditRowValues {
  readonly audit_id: number;
  readonly run: string;
  readonly template: string;
  readonly config_hash: string;
  readonly config: string;
  readonly started_at: number;
}

interface SectionKnown {
  readonly position: number;
  readonly startedAt: number | null;
  /** The last status written (or read). */
  readonly status: SectionStatus;
}

/** Audit ids count milliseconds from 2025-01-01T00:00:00Z (`newAuditId`). */
const AUDIT_ID_EPOCH_MS = Date.UTC(2025, 0, 1);

/** Microseconds since the epoch as ISO text (DuckDB's tracking reports TIMESTAMPTZ so, to the millisecond). */
function isoOf(us: number | null): string | null {
  return us === null ? null : new Date(Math.floor(us / 1000)).toISOString();
}

function dateTimeNow(): string {
  return new Date().toISOString().slice(0, 19).replace('T', ' ');
}

const sectionStatus = z.enum(['pending', 'running', 'complete', 'failed']);

const SectionRow = rowDecoder(
  'auditSections',
  z.object({
    audit_id: int,
    position: int,
    section_id: text,
    status: sectionStatus,
    started_at: nullableInt,
    finished_at: nullableInt,
    duration_ms: nullableInt,
    result: nullableText,
    error: nullableText,
  }),
);
const KnownSectionRow = rowDecoder(
  'auditSection',
  z.object({ position: int, started_at: nullableInt, status: sectionStatus }),
);
const StoredSectionRow = rowDecoder(
  'auditSectionsOfAudit',
  z.object({ section_id: text, position: int, started_at: nullableInt, status: sectionStatus }),
);
const CountRow = rowDecoder('auditIdTaken', z.object({ n: int }));
const LastAuditRow = rowDecoder(
  'lastAudits',
  z.object({
    run: text,
    last_id: int,
    last_template: text,
    last_status: z.enum(['running', 'complete', 'failed']),
    last_started: int,
    last_finished: nullableInt,
  }),
);
const AuditRow = rowDecoder(
  'audits',
  z.object({
    audit_id: int,
    run: text,
    template: text,
    config_hash: text,
    status: z.enum(['running', 'complete', 'failed']),
    started_at: int,
    finished_at: nullableInt,
  }),
);
const AuditValuesRow = rowDecoder(
  'auditValues',
  z.object({ audit_id: int, run: text, template: text, config_hash: text, config: text, started_at: int }),
);
const ReportRow = rowDecoder('auditReport', z.object({ report: nullableText }));
const OperationRow = rowDecoder('operationsHistory', z.object({ metric: text, p95: float }));
const FingerprintRow = rowDecoder('runFingerprint', z.object({ loads: text, n: int }));
const CacheRow = rowDecoder('analysisCache', z.object({ fingerprint: text, value: text }));
