import type { ChartData, Finding, ReportTable } from '../model/findings.ts';
import type { WindowSpec } from '../model/windows.ts';
import type { ExcerptRow } from '../store/scans/report-scans.ts';

/**
 * The compiled audit, as renderers (markdown, HTML, JSON, PDF) and `rlaudit check` see it. `report.json` is
 * this object; its schema is documented in docs/report-format.md and versioned by `schema`.
 */
export interface AuditReport {
  readonly schema: 'rlaudit-report/1';
  readonly title: string;
  readonly run: ReportRun;
  readonly template: { readonly name: string; readonly description: string };
  readonly parameters: { readonly window: WindowSpec; readonly [name: string]: unknown };
  readonly provenance: Provenance;
  /** The headline findings, most severe first (ids into `sections[].findings`). */
  readonly headline: readonly string[];
  readonly sections: readonly ReportSection[];
  /** Every session any finding cites, with the start of its output: the targets of evidence links. */
  readonly excerpts: readonly SessionExcerpt[];
  /** The auditor's own operations log (excluded when comparing reports for determinism). */
  readonly operations: OperationsLog | null;
}

export interface ReportRun {
  readonly run: string;
  readonly model: string | null;
  readonly sessions: number;
  readonly firstSession: number | null;
  readonly lastSession: number | null;
  readonly events: number;
  readonly annotations: number;
  readonly simulated: boolean;
}

export interface Provenance {
  readonly rlauditVersion: string;
  readonly generatedAt: string;
  readonly durationMs: number;
  readonly inputs: readonly {
    readonly path: string;
    readonly sha256: string | null;
    readonly rows: number;
  }[];
  readonly seeds: Readonly<Record<string, number>>;
  readonly database: string;
}

export type {
  ChartData,
  Evidence,
  Finding,
  ReportTable,
  SessionIndexCell,
  Severity,
} from '../model/findings.ts';

export interface ReportSection {
  readonly id: string;
  readonly title: string;
  readonly status: 'complete' | 'failed' | 'skipped';
  readonly summary: string;
  readonly notes: readonly string[];
  readonly findings: readonly Finding[];
  readonly tables: readonly ReportTable[];
  /** Chart data; `report/` renders it (to SVG in report.json and report.html). */
  readonly charts: readonly ChartData[];
  /** One line per analysis the run's data does not allow. */
  readonly missing: readonly string[];
  readonly error: string | null;
}

/** A cited session with the start of its output (untrusted text) and its annotations: the store's row. */
export type SessionExcerpt = ExcerptRow;

export interface OperationsSample {
  readonly t: number;
  readonly eventLoopDelayMs: number;
  readonly heapUsedMiB: number;
  readonly rssMiB: number;
}

export interface Irregularity {
  readonly metric: string;
  readonly startMs: number;
  readonly durationMs: number;
  /** Largest relative excursion outside the band, in percent of the band's upper edge. */
  readonly magnitudePct: number;
  readonly classification: 'routine' | 'alert';
  readonly report: string;
}

export interface OperationsLog {
  readonly samples: readonly OperationsSample[];
  readonly sections: readonly { readonly id: string; readonly durationMs: number }[];
  readonly bands: Readonly<
    Record<string, { readonly low: number; readonly high: number; readonly from: number }>
  >;
  readonly irregularities: readonly Irregularity[];
}
