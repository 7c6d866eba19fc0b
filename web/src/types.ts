// The API's response shapes: the server's own types, imported for their types only (nothing of src/ is bundled).
export type { Alert } from '../../src/model/alerts.ts';
export type { Finding } from '../../src/model/findings.ts';
export type {
  IndexCell,
  ReviewPage,
  ReviewRow,
  RunEventMark,
  RunSeries,
  SamePrompt,
  SearchResult,
  SessionIndex,
} from '../../src/store/dashboard-reads.ts';

import type { Finding } from '../../src/model/findings.ts';
import type { DashboardChart } from '../../src/server/dashboard/chart-types.ts';
import type { SamePrompt } from '../../src/store/dashboard-reads.ts';

/** `RunSummary` of src/store/store.ts (restated: that module's imports are Node's). */
export interface RunSummary {
  readonly run: string;
  readonly model: string | null;
  readonly sessions: number;
  readonly firstSession: number | null;
  readonly lastSession: number | null;
  readonly events: number;
  readonly annotations: number;
  readonly rejects: number;
}

/** `SessionDetail` of src/store/store.ts, as JSON. */
export interface SessionDetail {
  readonly run: string;
  readonly session: number;
  readonly step: number | null;
  readonly indexInStep: number | null;
  readonly sessionsInStep: number | null;
  /** `training` when the record names none; the checkpoint it was sampled from, when given. */
  readonly phase: string;
  readonly checkpoint: string | null;
  readonly time: string | null;
  readonly promptId: string | null;
  readonly prompt: string | null;
  readonly output: string;
  readonly classification: string | null;
  readonly category: string | number | null;
  readonly baselineReward: number | null;
  readonly adjustedReward: number | null;
  readonly differentialPct: number | null;
  readonly complianceTrajectoryIndex: number | null;
  readonly flags: readonly string[];
  readonly annotations: readonly {
    readonly id: string;
    readonly author: string | null;
    readonly time: string | null;
    readonly classification: string | null;
    readonly text: string;
  }[];
  readonly events: readonly {
    readonly id: string;
    readonly kind: string;
    readonly parameter: string | null;
    readonly target: unknown;
    readonly from: number | null;
    readonly to: number | null;
    readonly changePct: number | null;
    readonly recommendedBy: string | null;
    readonly note: string | null;
  }[];
}

export interface AuditBrief {
  readonly id: number;
  readonly template: string;
  readonly finishedAt: string | null;
}

export interface RunsResponse {
  /** Runs in the database (all pages). */
  readonly total: number;
  readonly offset: number;
  readonly runs: (RunSummary & {
    readonly steps: number;
    readonly lastAudit: (AuditBrief & { headline: Pick<Finding, 'id' | 'severity' | 'claim'>[] }) | null;
  })[];
}

export interface RunResponse extends RunSummary {
  readonly description: string | null;
  readonly steps: number;
  readonly alerts: number;
  readonly lastAudit: AuditBrief | null;
}

/** GET /api/runs/:run/findings: the last audit's headline findings. */
export interface FindingsResponse {
  readonly audit: AuditBrief;
  readonly headline: readonly Finding[];
  readonly window: unknown;
}

export interface SessionResponse extends SessionDetail {
  readonly previous: number | null;
  readonly next: number | null;
  readonly samePrompt: SamePrompt;
}

export type RenderedChart = DashboardChart;

/** GET /api/runs/:run/charts?ids=…: some charts of the last audit's report. */
export interface ChartsResponse {
  readonly audit: AuditBrief;
  readonly charts: readonly RenderedChart[];
}

export interface ReportSection {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly summary: string;
  readonly notes: readonly string[];
  readonly findings: readonly Finding[];
  readonly tables: readonly {
    readonly title: string;
    readonly columns: readonly string[];
    readonly rows: readonly (readonly (string | number | null)[])[];
  }[];
  readonly charts: readonly RenderedChart[];
  readonly missing: readonly string[];
  readonly error: string | null;
  readonly notApplicable: { readonly reason: string } | null;
}

export interface ReportResponse {
  readonly audit: AuditBrief;
  readonly report: {
    readonly title: string;
    readonly run: { readonly run: string; readonly model: string | null };
    readonly template: { readonly name: string; readonly description: string };
    readonly headline: readonly string[];
    readonly sections: readonly ReportSection[];
    readonly notApplicable: readonly { readonly layer?: string; readonly reason?: string }[];
  };
}
