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

export type Severity = 'info' | 'notice' | 'warning' | 'alert';

/** Evidence a finding cites: ids that exist in the store. */
export interface Evidence {
  readonly sessions: readonly number[];
  readonly events: readonly string[];
  readonly annotations: readonly string[];
}

/** One claim of the audit with its numbers, its method and its evidence. */
export interface Finding {
  readonly id: string;
  readonly section: string;
  readonly severity: Severity;
  /** A plain declarative sentence. */
  readonly claim: string;
  readonly numbers: Readonly<Record<string, number | string | null>>;
  /** How the numbers were obtained: analysis, definitions, parameters. */
  readonly method: string;
  readonly evidence: Evidence;
  /** Machine-readable tags `rlaudit check` rules match on, e.g. `diversity_collapse`. */
  readonly tags: readonly string[];
}

export interface ReportTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | null)[])[];
}

export interface ReportChart {
  readonly id: string;
  readonly title: string;
  /** What the reader should look at, in one sentence. */
  readonly caption: string;
  /** Rendered SVG (inline in HTML). */
  readonly svg: string;
}

export interface ReportSection {
  readonly id: string;
  readonly title: string;
  readonly status: 'complete' | 'failed' | 'skipped';
  readonly summary: string;
  readonly notes: readonly string[];
  readonly findings: readonly Finding[];
  readonly tables: readonly ReportTable[];
  readonly charts: readonly ReportChart[];
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
