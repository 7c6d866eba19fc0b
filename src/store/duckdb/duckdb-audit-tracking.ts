import type { AuditTracking, SectionStatus, TrackedAudit, TrackedSection } from '../audit-tracking.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { num } from './values.ts';

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v ? String(v) : null);
const parse = (v: unknown): unknown => (v === null || v === undefined ? null : JSON.parse(String(v)));

/** Audit tracking in DuckDB (tables `audits`, `audit_sections`, `audit_operations`; migration 3). */
export class DuckDbAuditTracking implements AuditTracking {
  constructor(private readonly client: DuckDbClient) {}

  private async sections(auditId: number): Promise<TrackedSection[]> {
    const rows = await this.client.query<Record<string, unknown>>({
      sql: `SELECT position, section_id, status, started_at, finished_at, duration_ms, CAST(result AS VARCHAR) AS result, error
            FROM audit_sections WHERE audit_id = $id ORDER BY position`,
      params: { id: auditId },
    });
    return rows.map((r) => ({
      position: Number(r.position),
      sectionId: String(r.section_id),
      status: r.status as SectionStatus,
      startedAt: iso(r.started_at),
      finishedAt: iso(r.finished_at),
      durationMs: num(r.duration_ms),
      result: parse(r.result),
      error: (r.error as string | null) ?? null,
    }));
  }

  private async audits(
    where: string,
    params: Record<string, unknown>,
    limit: number,
  ): Promise<TrackedAudit[]> {
    const rows = await this.client.query<Record<string, unknown>>({
      sql: `SELECT audit_id, run, template, config_hash, status, started_at, finished_at FROM audits
            WHERE ${where} ORDER BY audit_id DESC LIMIT $limit`,
      params: { ...params, limit },
    });
    const out: TrackedAudit[] = [];
    for (const r of rows) {
      const auditId = Number(r.audit_id);
      out.push({
        auditId,
        run: String(r.run),
        template: String(r.template),
        configHash: String(r.config_hash),
        status: r.status as TrackedAudit['status'],
        startedAt: iso(r.started_at) ?? '',
        finishedAt: iso(r.finished_at),
        sections: await this.sections(auditId),
      });
    }
    return out;
  }

  async latestAudit(run: string, configHash: string): Promise<TrackedAudit | null> {
    const [a] = await this.audits('run = $run AND config_hash = $hash', { run, hash: configHash }, 1);
    return a ?? null;
  }

  listAudits(run: string, limit = 20): Promise<TrackedAudit[]> {
    return this.audits('run = $run', { run }, limit);
  }

  async beginAudit(a: {
    run: string;
    template: string;
    configHash: string;
    config: unknown;
    sectionIds: readonly string[];
  }): Promise<number> {
    await this.client.exec('BEGIN TRANSACTION');
    try {
      const [row] = await this.client.query<{ id: bigint }>({
        sql: `INSERT INTO audits (audit_id, run, template, config_hash, config, status, started_at)
              VALUES (nextval('audit_id_seq'), $run, $template, $hash, CAST($config AS JSON), 'running', now())
              RETURNING audit_id AS id`,
        params: { run: a.run, template: a.template, hash: a.configHash, config: JSON.stringify(a.config) },
      });
      const id = Number(row!.id);
      for (const [position, sectionId] of a.sectionIds.entries()) {
        await this.client.exec({
          sql: `INSERT INTO audit_sections (audit_id, position, section_id, status) VALUES ($id, $pos, $sid, 'pending')`,
          params: { id, pos: position, sid: sectionId },
        });
      }
      await this.client.exec('COMMIT');
      return id;
    } catch (err) {
      await this.client.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async markSection(
    auditId: number,
    sectionId: string,
    u: { status: SectionStatus; durationMs?: number; result?: unknown; error?: string },
  ): Promise<void> {
    await this.client.exec({
      sql: `UPDATE audit_sections SET status = $status,
              started_at = CASE WHEN $status = 'running' THEN now() ELSE started_at END,
              finished_at = CASE WHEN $status IN ('complete', 'failed') THEN now() ELSE NULL END,
              duration_ms = $duration, result = CAST($result AS JSON), error = $error
            WHERE audit_id = $id AND section_id = $sid`,
      params: {
        status: u.status,
        duration: u.durationMs ?? null,
        result: u.result === undefined ? null : JSON.stringify(u.result),
        error: u.error ?? null,
        id: auditId,
        sid: sectionId,
      },
    });
  }

  async finishAudit(auditId: number, status: 'complete' | 'failed', report: unknown): Promise<void> {
    await this.client.exec({
      sql: `UPDATE audits SET status = $status, finished_at = now(), report = CAST($report AS JSON) WHERE audit_id = $id`,
      params: { status, report: report === null ? null : JSON.stringify(report), id: auditId },
    });
  }

  async auditReport(auditId: number): Promise<unknown> {
    const [r] = await this.client.query<{ report: string | null }>({
      sql: 'SELECT CAST(report AS VARCHAR) AS report FROM audits WHERE audit_id = $id',
      params: { id: auditId },
    });
    return parse(r?.report);
  }

  async recordOperations(
    auditId: number,
    summary: readonly { metric: string; p50: number; p95: number; max: number }[],
  ): Promise<void> {
    for (const m of summary) {
      await this.client.exec({
        sql: 'INSERT INTO audit_operations (audit_id, metric, p50, p95, max) VALUES ($id, $metric, $p50, $p95, $max)',
        params: { id: auditId, ...m },
      });
    }
  }

  async operationsHistory(limit: number, excludeAuditId: number): Promise<{ metric: string; p95: number }[]> {
    const rows = await this.client.query<{ metric: string; p95: number }>({
      sql: `SELECT metric, p95 FROM audit_operations
            WHERE audit_id IN (SELECT DISTINCT audit_id FROM audit_operations WHERE audit_id <> $ex
                               ORDER BY audit_id DESC LIMIT $limit)`,
      params: { ex: excludeAuditId, limit },
    });
    return rows.map((r) => ({ metric: r.metric, p95: Number(r.p95) }));
  }
}
