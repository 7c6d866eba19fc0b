/** Section status of a tracked audit. */
export type SectionStatus = 'pending' | 'running' | 'complete' | 'failed';

export interface TrackedSection {
  readonly position: number;
  readonly sectionId: string;
  readonly status: SectionStatus;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  /** The section's stored result (JSON) once complete, so a resumed audit need not redo it. */
  readonly result: unknown;
  readonly error: string | null;
}

export interface TrackedAudit {
  readonly auditId: number;
  readonly run: string;
  readonly template: string;
  readonly configHash: string;
  readonly status: 'running' | 'complete' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly sections: readonly TrackedSection[];
}

/** A run's newest audit, as `rlaudit runs` shows it. */
export interface LastAudit {
  readonly run: string;
  readonly auditId: number;
  readonly template: string;
  readonly status: 'running' | 'complete' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

/** What a section still `running` when its audit failed says (it never finished; a rerun resumes it). */
export const STOPPED_SECTION_ERROR =
  'the audit stopped while this section ran (rerun the audit to resume it)';

/**
 * Audit tracking in the store: which sections of which audit are done, with their results, so that an
 * audit killed mid-way resumes from its first incomplete section; and each audit's operations summary,
 * from which the auditor's standard operating bands are drawn.
 */
export interface AuditTracking {
  /** The newest audit of the run with this configuration, or null. */
  latestAudit(run: string, configHash: string): Promise<TrackedAudit | null>;
  /** The newest audits of a run, any configuration, newest first. */
  listAudits(run: string, limit?: number): Promise<TrackedAudit[]>;
  beginAudit(a: {
    run: string;
    template: string;
    configHash: string;
    config: unknown;
    sectionIds: readonly string[];
  }): Promise<number>;
  markSection(
    auditId: number,
    sectionId: string,
    update: { status: SectionStatus; durationMs?: number; result?: unknown; error?: string },
  ): Promise<void>;
  /**
   * Ends an audit. A failed audit's sections still `running` (the store stopped answering while one ran) are
   * marked `failed` with {@link STOPPED_SECTION_ERROR}, so no section of a finished audit stays `running`.
   */
  finishAudit(auditId: number, status: 'complete' | 'failed', report: unknown): Promise<void>;
  /** Each run's newest audit (by start), in run order. */
  lastAudits(): Promise<LastAudit[]>;
  /** The stored report of a complete audit. */
  auditReport(auditId: number): Promise<unknown>;
  recordOperations(
    auditId: number,
    summary: readonly { metric: string; p50: number; p95: number; max: number }[],
  ): Promise<void>;
  /** p95 of each metric in the newest `limit` earlier audits (any run), for operating bands. */
  operationsHistory(limit: number, excludeAuditId: number): Promise<{ metric: string; p95: number }[]>;
}
