import type { ChartData, Finding, ReportTable } from '../model/findings.ts';
import type { WindowSpec } from '../model/windows.ts';
import type { ExcerptRow, RunInput } from '../store/scans/report-scans.ts';
import type { AbsentLayer, NotApplicable } from './fit-to-run.ts';

export type { AbsentLayer, NotApplicable } from './fit-to-run.ts';

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
  /** The layers of the record the run lacks, one line each (shown once, in the overview). */
  readonly notApplicable: readonly NotApplicable[];
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
  /** Every file ingested into the run, in ingest order (src/store/scans/report-scans.ts). */
  readonly inputs: readonly RunInput[];
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
  /** One line per analysis the run's data does not allow (beyond the report's `notApplicable` layers). */
  readonly missing: readonly string[];
  readonly error: string | null;
  /**
   * Set when nothing of the section applies to the run (no finding, table or chart): the section is shown
   * as this one line; `layers` are the absent layers that explain it (src/audit/fit-to-run.ts).
   */
  readonly notApplicable: { readonly reason: string; readonly layers: readonly AbsentLayer[] } | null;
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
