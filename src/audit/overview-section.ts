import { type ChartEvent, type RunMetricValue, runMetricsChart } from '../analyses/shared/chart-specs.ts';
import type { ChartData } from '../model/findings.ts';
import type { RunRecord } from '../model/schema.ts';
import type { WindowSpec } from '../model/windows.ts';
import type { RunLayers } from '../store/scans/index.ts';
import type { Store } from '../store/store.ts';
import type { ReportSection } from './report-model.ts';

const fmt = (n: number) => n.toLocaleString('en-US');

/** Cells of the session index: one per session up to this many sessions, else buckets. */
export const SESSION_INDEX_CELLS = 20_000;

/**
 * The report's first section: what the record holds (a finding that cites the first and last session), the
 * session index picture, and which layers are missing.
 */
export async function overviewSection(
  store: Store,
  run: string,
  layers: RunLayers,
  runRecord: RunRecord | null,
  events: readonly ChartEvent[],
  window: WindowSpec,
  runMetrics: readonly RunMetricValue[] = [],
): Promise<ReportSection> {
  const reward = layers.withAdjustedReward > 0 ? 'adjusted_reward' : 'baseline_reward';
  const cells = await store.scans.sessionIndex(run, SESSION_INDEX_CELLS, reward);
  const colour: 'classification' | 'reward' | 'none' =
    layers.withClassification > 0
      ? 'classification'
      : cells.some((c) => c.reward !== null)
        ? 'reward'
        : 'none';
  const rows = window.by === 'step' && layers.withStep > 0 ? 'step' : 'session';
  const unit = rows === 'step' ? 'each row one training step' : 'in reading order';
  const bucketed = cells.length > 0 && cells[0]!.sessions > 1;
  const shows =
    colour === 'classification'
      ? bucketed
        ? 'shaded by the share of non-compliant outputs'
        : 'coloured by classification and category'
      : colour === 'reward'
        ? `coloured by its ${bucketed ? 'mean ' : ''}${reward.replace('_', ' ')} (the run has no classification)`
        : 'uncoloured (the run has neither a classification nor a reward)';
  const eventsNote = layers.events > 0 ? '; calibration events are outlined and marked' : '';
  const first = layers.firstSession ?? 0;
  const last = layers.lastSession ?? 0;
  const claim =
    `The training record of run ${run}${runRecord?.model ? ` (model ${runRecord.model})` : ''} holds ${fmt(layers.sessions)} sessions ` +
    `(sessions ${fmt(first)}–${fmt(last)}${layers.steps > 0 ? `, ${fmt(layers.steps)} training steps` : ''}), ` +
    `${fmt(layers.events)} calibration events and ${fmt(layers.annotations)} annotations.`;
  const metricNames = [...new Set(runMetrics.map((m) => m.name))];
  const metricCharts: ChartData[] =
    runMetrics.length === 0
      ? []
      : [
          {
            id: 'overview-run-metrics',
            title: "The run's own metrics",
            caption: `The ${metricNames.length} per-step metrics the trainer logged (${metricNames.slice(0, 6).join(', ')}${metricNames.length > 6 ? ', …' : ''}), as logged at every step, each on its own scale (rlaudit analyze metrics); those of reward and diversity are also drawn beside rlaudit's measures below.`,
            kind: 'vega-lite',
            spec: runMetricsChart({
              title: `Per-step metrics logged by the trainer of ${run}`,
              metrics: runMetrics,
            }),
          },
        ];
  return {
    id: 'overview',
    title: 'The training record',
    status: 'complete',
    summary: claim,
    notes: [],
    findings: [
      {
        id: 'overview.record.1',
        section: 'overview',
        severity: 'info',
        claim,
        numbers: {
          sessions: layers.sessions,
          first_session: layers.firstSession,
          last_session: layers.lastSession,
          steps: layers.steps,
          events: layers.events,
          annotations: layers.annotations,
          classified: layers.withClassification,
        },
        method: 'counts over the stored record (sessions, events, annotations tables)',
        evidence: {
          sessions: layers.sessions > 0 ? [first, last] : [],
          events: events.map((e) => e.id),
          annotations: [],
          // the first and last session of the range the claim names
          shows:
            layers.sessions > 0
              ? [{ named: `sessions ${fmt(first)}–${fmt(last)}`, from: first, to: last }]
              : [],
        },
        tags: ['record'],
      },
    ],
    tables: [],
    charts: [
      {
        id: 'overview-session-index',
        title: 'Session index',
        caption: bucketed
          ? `Every cell is ${cells[0]!.sessions} consecutive sessions, ${unit}, ${shows}${eventsNote}.`
          : `Every session is one cell, ${unit}, ${shows}${eventsNote}.`,
        kind: 'session-index',
        heading: `Session index of ${run}`,
        cells,
        linked: [],
        colour,
        reward: colour === 'reward' ? reward : null,
        rows,
      },
      ...metricCharts,
    ],
    // the layers the run lacks are the report's `notApplicable` lines, shown in this section
    missing: [],
    error: null,
    notApplicable: null,
  };
}
