import type { ChartData, ReportTable } from '../model/findings.ts';
import type { RunLayers } from '../store/scans/run-layers.ts';
import type { ReportSection } from './report-model.ts';

/** A layer of the record a run may lack, and what the report leaves out for it. */
export type AbsentLayer = 'classification' | 'categories' | 'events' | 'annotations' | 'adjusted_reward';

/** One line of the report: what does not apply to the run, and why (machine-readable by `layer`). */
export interface NotApplicable {
  readonly layer: AbsentLayer;
  readonly reason: string;
}

const REASONS: Readonly<Record<AbsentLayer, string>> = {
  classification:
    'the run has no classification: no compliant / non-compliant means or gap; unsolicited content is found by the detector',
  categories: 'the run has no non-compliance categories: no per-category rewards',
  events:
    'the run has no calibration events: no intervention, recalibration or recurrence-after-event analysis',
  annotations: 'the run has no annotations: no cross-reference of annotators',
  adjusted_reward: 'the run has no adjusted reward: the baseline reward is analysed instead',
};

/** The layers the run lacks, each with its one line. */
export function absentLayers(layers: RunLayers): NotApplicable[] {
  const absent: AbsentLayer[] = [];
  if (layers.sessions > 0 && layers.withClassification === 0) absent.push('classification');
  if (layers.sessions > 0 && layers.withCategory === 0) absent.push('categories');
  if (layers.events === 0) absent.push('events');
  if (layers.annotations === 0) absent.push('annotations');
  if (layers.sessions > 0 && layers.withAdjustedReward === 0) absent.push('adjusted_reward');
  return absent.map((layer) => ({ layer, reason: REASONS[layer] }));
}

/**
 * The analyses' "missing" lines that only restate an absent layer of the run (the report says it once, in
 * the overview). A line that says more — a constant series, a phrase that never occurs, sessions without a
 * step — is kept.
 */
const RESTATES: readonly [AbsentLayer, RegExp][] = [
  ['classification', /^(no classification\b|classification: the run has none\b)/],
  ['categories', /^(no categories$|categories: (the classification carries no category|no non-compliance))/],
  ['events', /^(no calibration events\b|events: the run has no calibration events\b)/],
  ['annotations', /^(no annotations in the run$|annotations: the run has no annotations\b)/],
  ['adjusted_reward', /^no adjusted reward\b/],
];

/** The absent layer a section's missing line restates, or null when the line says something of its own. */
export function restatedLayer(line: string, absent: ReadonlySet<AbsentLayer>): AbsentLayer | null {
  for (const [layer, re] of RESTATES) if (absent.has(layer) && re.test(line)) return layer;
  return null;
}

const isEmpty = (v: string | number | null) => v === null || v === '';

/** A table without its columns that are empty in every row; null when it has no rows. */
export function withoutEmptyColumns(t: ReportTable): ReportTable | null {
  if (t.rows.length === 0) return null;
  const keep = t.columns.map((_, i) => t.rows.some((r) => !isEmpty(r[i] ?? null)));
  if (keep.every(Boolean)) return t;
  return {
    title: t.title,
    columns: t.columns.filter((_, i) => keep[i]),
    rows: t.rows.map((r) => r.filter((_, i) => keep[i])),
  };
}

/** Whether a chart draws nothing measured: no cell, or no layer with a data value. */
export function isEmptyChart(c: ChartData): boolean {
  if (c.kind === 'session-index') return c.cells.length === 0;
  // data at the top (shared by every layer, or of a facet) or in the layers
  const spec = c.spec as { data?: { values?: unknown[] }; layer?: { data?: { values?: unknown[] } }[] };
  return ![spec, ...(spec.layer ?? [])].some((l) => (l.data?.values?.length ?? 0) > 0);
}

/**
 * A section as it fits the run: lines that restate an absent layer, tables without rows, columns empty in
 * every row and charts that draw nothing left out; a section with nothing left (no finding, table or chart)
 * becomes one line, `notApplicable`, naming the absent layers (or the section's own missing lines) why —
 * unless its notes say where its analyses' findings are (an analysis assessed in an earlier section).
 */
export function fitSection(section: ReportSection, absent: ReadonlySet<AbsentLayer>): ReportSection {
  if (section.status !== 'complete') return section;
  const restated = new Set<AbsentLayer>();
  const missing: string[] = [];
  for (const m of section.missing) {
    const layer = restatedLayer(m, absent);
    if (layer === null) missing.push(m);
    else restated.add(layer);
  }
  const tables = section.tables.map(withoutEmptyColumns).filter((t): t is ReportTable => t !== null);
  const charts = section.charts.filter((c) => !isEmptyChart(c));
  const empty = section.findings.length === 0 && tables.length === 0 && charts.length === 0;
  // a section whose analyses report elsewhere (its notes say where) applies; it is only short
  const pointsElsewhere = section.notes.length > 0 && restated.size === 0 && missing.length === 0;
  if (!empty || pointsElsewhere) return { ...section, missing, tables, charts, notApplicable: null };
  const layers = [...restated];
  const reason =
    layers.length > 0
      ? `the run has no ${joinList(layers.map((l) => LAYER_NAMES[l]))}`
      : missing.length > 0
        ? missing.join('; ')
        : 'the analyses of this section found nothing to measure in the run';
  return {
    ...section,
    summary: '',
    notes: [],
    missing: [],
    tables: [],
    charts: [],
    notApplicable: { reason, layers },
  };
}

const LAYER_NAMES: Readonly<Record<AbsentLayer, string>> = {
  classification: 'classification',
  categories: 'non-compliance categories',
  events: 'calibration events',
  annotations: 'annotations',
  adjusted_reward: 'adjusted reward',
};

function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
