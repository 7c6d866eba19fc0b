import { z } from 'zod';
import {
  type AuditTracking,
  type LastAudit,
  type SectionStatus,
  STOPPED_SECTION_ERROR,
  type TrackedAudit,
  type TrackedSection,
} from '../audit-tracking.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { type SqlFragment, sql } from '../sql/sql.ts';
import { isoTimestamp, jsonText, nullableNumber, nullableText, number, text } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { transaction } from './transaction.ts';

const sectionStatus = z.enum(['pending', 'running', 'complete', 'failed']);

/** `audit_sections` rows; `result` is JSON cast to VARCHAR, the times TIMESTAMPTZ. */
const SectionRow = rowDecoder(
  'auditSections',
  z.object({
    position: number,
    section_id: text,
    status: sectionStatus,
    started_at: isoTimestamp,
    finished_at: isoTimestamp,
    duration_ms: nullableNumber,
    result: jsonText,
    error: nullableText,
  }),
);

const AuditRow = rowDecoder(
  'audits',
  z.object({
    audit_id: number,
    run: text,
    template: text,
    config_hash: text,
    status: z.enum(['running', 'complete', 'failed']),
    started_at: isoTimestamp,
    finished_at: isoTimestamp,
  }),
);

const IdRow = rowDecoder('beginAudit', z.object({ id: number }));
const ReportRow = rowDecoder('auditReport', z.object({ report: jsonText }));
const OperationRow = rowDecoder('operationsHistory', z.object({ metric: text, p95: number }));

/** Audit tracking in DuckDB (tables `audits`, `audit_sections`, `audit_operations`; migration 3). */
export class DuckDbAuditTracking implements AuditTracking {
  constructor(private readonly client: DuckDbClient) {}

  private async sections(auditId: number): Promise<TrackedSection[]> {
    const rows = await this.client.query(
      sql`SELECT position, section_id, status, started_at, finished_at, duration_ms, CAST(result AS VARCHAR) AS result, error
            FROM audit_sections WHERE audit_id = ${auditId} ORDER BY position`,
      SectionRow,
    );
    return rows.map((r) => ({
      position: r.position,
      sectionId: r.section_id,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      durationMs: r.duration_ms,
      result: r.result,
      error: r.error,
    }));
  }

  private async audits(where: SqlFragment, limit: number): Promise<TrackedAudit[]> {
    const rows = await this.client.query(
      sql`SELECT audit_id, run, template, config_hash, status, started_at, finished_at FROM audits
            WHERE ${where} ORDER BY audit_id DESC LIMIT ${limit}`,
      AuditRow,
    );
    const out: TrackedAudit[] = [];
    for (const r of rows) {
      out.push({
        auditId: r.audit_id,
        run: r.run,
        template: r.template,
        configHash: r.config_hash,
        status: r.status,
        startedAt: r.started_at ?? '',
        finishedAt: r.finished_at,
        sections: await this.sections(r.audit_id),
      });
    }
    return out;
  }

  async latestAudit(run: string, configHash: string): Promise<TrackedAudit | null> {
    const [a] = await this.audits(sql`run = ${run} AND config_hash = ${configHash}`, 1);
    return a ?? null;
  }

  listAudits(run: string, limit = 20): Promise<TrackedAudit[]> {
    return this.audits(sql`run = ${run}`, limit);
  }

  beginAudit(a: {
    run: string;
    template: string;
    configHash: string;
    config: unknown;
    sectionIds: readonly string[];
  }): Promise<number> {
    return transaction(this.client, async () => {
      const [row] = await this.client.query(
        sql`INSERT INTO audits (audit_id, run, template, config_hash, config, status, started_at)
              VALUES (nextval('audit_id_seq'), ${a.run}, ${a.template}, ${a.configHash},
                      CAST(${JSON.stringify(a.config)} AS JSON), 'running', now())
              RETURNING audit_id AS id`,
        IdRow,
      );
      const id = row!.id;
      for (const [position, sectionId] of a.sectionIds.entries()) {
        await this.client.exec(
          sql`INSERT INTO audit_sections (audit_id, position, section_id, status) VALUES (${id}, ${position}, ${sectionId}, 'pending')`,
        );
      }
      return id;
    });
  }

  async markSection(
    auditId: number,
    sectionId: string,
    u: { status: SectionStatus; durationMs?: number; result?: unknown; error?: string },
  ): Promise<void> {
    await this.client.exec(
      sql`UPDATE audit_sections SET status = ${u.status},
              started_at = CASE WHEN ${u.status} = 'running' THEN now() ELSE started_at END,
              finished_at = CASE WHEN ${u.status} IN ('complete', 'failed') THEN now() ELSE NULL END,
              duration_ms = ${u.durationMs ?? null},
              result = CAST(${u.result === undefined ? null : JSON.stringify(u.result)} AS JSON),
              error = ${u.error ?? null}
            WHERE audit_id = ${auditId} AND section_id = ${sectionId}`,
    );
  }

  async finishAudit(auditId: number, status: 'complete' | 'failed', report: unknown): Promise<void> {
    const json = report === null ? null : JSON.stringify(report);
    if (status === 'failed') {
      await this.client.exec(
        sql`UPDATE audit_sections SET status = 'failed', finished_at = now(),
                error = coalesce(error, ${STOPPED_SECTION_ERROR})
              WHERE audit_id = ${auditId} AND status = 'running'`,
      );
    }
    await this.client.exec(
      sql`UPDATE audits SET status = ${status}, finished_at = now(), report = CAST(${json} AS JSON) WHERE audit_id = ${auditId}`,
    );
  }

  async lastAudits(): Promise<LastAudit[]> {
    const rows = await this.client.query(
      sql`SELECT audit_id, run, template, config_hash, status, started_at, finished_at FROM audits
            QUALIFY row_number() OVER (PARTITION BY run ORDER BY audit_id DESC) = 1
            ORDER BY run`,
      AuditRow,
    );
    return rows.map((r) => ({
      run: r.run,
      auditId: r.audit_id,
      template: r.template,
      status: r.status,
      startedAt: r.started_at ?? '',
      finishedAt: r.finished_at,
    }));
  }

  async auditReport(auditId: number): Promise<unknown> {
    const [r] = await this.client.query(
      sql`SELECT CAST(report AS VARCHAR) AS report FROM audits WHERE audit_id = ${auditId}`,
      ReportRow,
    );
    return r?.report ?? null;
  }

  async recordOperations(
    auditId: number,
    summary: readonly { metric: string; p50: number; p95: number; max: number }[],
  ): Promise<void> {
    for (const m of summary) {
      await this.client.exec(
        sql`INSERT INTO audit_operations (audit_id, metric, p50, p95, max) VALUES (${auditId}, ${m.metric}, ${m.p50}, ${m.p95}, ${m.max})`,
      );
    }
  }

  async operationsHistory(limit: number, excludeAuditId: number): Promise<{ metric: string; p95: number }[]> {
    return this.client.query(
      sql`SELECT metric, p95 FROM audit_operations
            WHERE audit_id IN (SELECT DISTINCT audit_id FROM audit_operations WHERE audit_id <> ${excludeAuditId}
                               ORDER BY audit_id DESC LIMIT ${limit})`,
      OperationRow,
    );
  }
}
