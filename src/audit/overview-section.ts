import type { ChartEvent } from '../analyses/shared/chart-specs.ts';
import type { RunRecord } from '../model/schema.ts';
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
): Promise<ReportSection> {
  const missing: string[] = [];
  if (layers.withClassification === 0)
    missing.push('classification: no session is classified; the unsolicited rate uses the detector');
  if (layers.withCategory === 0) missing.push('categories: no non-compliance categories in the record');
  if (layers.events === 0)
    missing.push('calibration events: none in the record; no intervention or recalibration analysis');
  if (layers.annotations === 0)
    missing.push('annotations: none in the record; no cross-reference of annotators');
  if (layers.withAdjustedReward === 0)
    missing.push('adjusted reward: none; the baseline reward is analysed instead');
  const cells = await store.scans.sessionIndex(run, SESSION_INDEX_CELLS);
  const first = layers.firstSession ?? 0;
  const last = layers.lastSession ?? 0;
  const claim =
    `The training record of run ${run}${runRecord?.model ? ` (model ${runRecord.model})` : ''} holds ${fmt(layers.sessions)} sessions ` +
    `(sessions ${fmt(first)}–${fmt(last)}${layers.steps > 0 ? `, ${fmt(layers.steps)} training steps` : ''}), ` +
    `${fmt(layers.events)} calibration events and ${fmt(layers.annotations)} annotations.`;
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
        caption:
          cells.length > 0 && cells[0]!.sessions > 1
            ? `Every cell is ${cells[0]!.sessions} consecutive sessions, shaded by the share of non-compliant outputs; calibration events are outlined and marked.`
            : 'Every session is one cell, in reading order, coloured by classification and category; calibration events are outlined and marked.',
        kind: 'session-index',
        heading: `Session index of ${run}`,
        cells,
        linked: [],
      },
    ],
    missing,
    error: null,
  };
}
