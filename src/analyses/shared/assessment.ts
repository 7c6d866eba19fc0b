import type {
  Evidence,
  EvidenceCondition,
  EvidenceShows,
  Finding,
  ReportTable,
  Severity,
} from '../../model/findings.ts';
import type { WindowSpec } from '../../model/windows.ts';

/** What an assessor makes of one analysis result: findings, tables, notes, and what the data lacks. */
export interface AssessedAnalysis {
  readonly findings: readonly Finding[];
  readonly tables: readonly ReportTable[];
  /** Audit notes: caveats and definitions a reader needs beside the findings. */
  readonly notes: readonly string[];
  /** One line per thing the run's data does not allow (the analysis's `missing`, passed through). */
  readonly missing: readonly string[];
}

/** Where findings go: the section, the run, and the prefix that keeps finding ids unique. */
export interface AssessContext {
  readonly sectionId: string;
  readonly run: string;
  /**
   * Finding ids are `<idPrefix>.<n>` (n from 1). Default `<sectionId>.<analysis>`; pass e.g.
   * `calibration.cluster-2` when a section runs the same analysis twice.
   */
  readonly idPrefix?: string;
}

/** Assessment thresholds of a template step (`assess:` map); unknown names are ignored. */
export type Thresholds = Readonly<Record<string, number>>;

/** A finding without its id and section (the builder adds them). */
export interface FindingDraft {
  readonly severity: Severity;
  readonly claim: string;
  readonly numbers: Readonly<Record<string, number | string | null>>;
  readonly method: string;
  readonly evidence?: Partial<Evidence>;
  readonly tags: readonly string[];
}

/**
 * Numbers findings in order: `<prefix>.1`, `<prefix>.2`, … Evidence ids are de-duplicated and sorted.
 *
 * @example
 * const b = findingBuilder({ sectionId: 'calibration', run: 'r' }, 'cluster');
 * b.add({ severity: 'info', claim: 'x', numbers: {}, method: 'm', tags: [] }); b.findings[0].id // 'calibration.cluster.1'
 */
export function findingBuilder(context: AssessContext, analysis: string) {
  const prefix = context.idPrefix ?? `${context.sectionId}.${analysis}`;
  const findings: Finding[] = [];
  return {
    findings: findings as readonly Finding[],
    add(d: FindingDraft): void {
      findings.push({
        id: `${prefix}.${findings.length + 1}`,
        section: context.sectionId,
        severity: d.severity,
        claim: d.claim,
        numbers: d.numbers,
        method: d.method,
        evidence: {
          sessions: [...new Set(d.evidence?.sessions ?? [])].sort((a, b) => a - b),
          events: [...new Set(d.evidence?.events ?? [])],
          annotations: [...new Set(d.evidence?.annotations ?? [])],
          ...(d.evidence?.shows ? { shows: d.evidence.shows } : {}),
        },
        tags: [analysis, ...d.tags],
      });
    },
  };
}

/** The threshold's value from the template, else its documented default (non-finite values fall back). */
export function threshold(t: Thresholds, name: string, fallback: number): number {
  const v = t[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** A session number as the seed writes it: `12,847`. */
export const n0 = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** A number with `d` decimals. */
export const fx = (x: number, d = 3): string => x.toFixed(d);

/** A rate 0–1 as a percentage with one decimal: `34.4%`. */
export const pct = (x: number, d = 1): string => `${(x * 100).toFixed(d)}%`;

/** A signed value with `d` decimals: `+0.100`, `−1.0` (a true minus sign). */
export const signed = (x: number, d = 1): string =>
  `${x < 0 ? '−' : x > 0 ? '+' : '±'}${Math.abs(x).toFixed(d)}`;

/** A session range: `4,800–4,950`. */
export const range = (from: number, to: number): string => (from === to ? n0(from) : `${n0(from)}–${n0(to)}`);

/** Rounds for the `numbers` map so report.json stays readable and deterministic. */
export const round = (x: number | null | undefined, d = 4): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(d));

/** An empty assessment with only `missing` lines (an analysis the run's data does not allow). */
export function onlyMissing(missing: readonly string[], notes: readonly string[] = []): AssessedAnalysis {
  return { findings: [], tables: [], notes, missing };
}

/** How a window spec reads in a method: `windows of 500 sessions` or `one training step per window`. */
export function windowText(spec: WindowSpec): string {
  return spec.by === 'step' ? 'one training step per window' : `windows of ${spec.size} sessions`;
}

/** A window label with thousands separators: `sessions 12501–12847` → `sessions 12,501–12,847`. */
export const label = (text: string): string => text.replace(/\d{4,}/g, (d) => n0(Number(d)));

/**
 * A span of sessions in the unit the windows use: `steps 30–100` when windowed by step (the windows wholly
 * inside the span), else `sessions 1,501–2,000`.
 *
 * @example spanLabel({ by: 'step' }, windows, 129, 704) // 'steps 20–100'
 */
export function spanLabel(
  spec: WindowSpec,
  windows: readonly { readonly index: number; readonly from: number; readonly to: number }[],
  from: number,
  to: number,
): string {
  if (spec.by !== 'step') return `sessions ${range(from, to)}`;
  const inside = windows.filter((w) => w.from >= from && w.to <= to);
  if (inside.length === 0) return `sessions ${range(from, to)}`;
  const a = inside[0]!.index;
  const b = inside.at(-1)!.index;
  return a === b ? `step ${n0(a)}` : `steps ${n0(a)}–${n0(b)}`;
}

/**
 * A window as a claim names it and as evidence shows it: cited sessions of the window (optionally with a
 * condition on their rows).
 *
 * @example windowShows({ label: 'sessions 1–500', from: 1, to: 500 }) // { named: 'sessions 1–500', from: 1, to: 500 }
 */
export function windowShows(
  w: { readonly label: string; readonly from: number; readonly to: number },
  where?: EvidenceCondition,
): EvidenceShows {
  return { named: label(w.label), from: w.from, to: w.to, ...(where ? { where } : {}) };
}

/** A single session the claim names (`4,846`), as evidence shows it. */
export function sessionShows(session: number, where?: EvidenceCondition): EvidenceShows {
  return { named: n0(session), from: session, to: session, ...(where ? { where } : {}) };
}
