import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runMetricsChart, sessionLineChart, timelineChart } from '../../src/analyses/shared/chart-specs.ts';
import {
  absentLayers,
  fitSection,
  isEmptyChart,
  restatedLayer,
  withoutEmptyColumns,
} from '../../src/audit/fit-to-run.ts';
import type { ReportSection } from '../../src/audit/report-model.ts';
import type { RunLayers } from '../../src/store/scans/run-layers.ts';

const layers = (over: Partial<RunLayers>): RunLayers =>
  ({
    run: 'r',
    sessions: 10,
    firstSession: 1,
    lastSession: 10,
    withStep: 10,
    steps: 2,
    withClassification: 10,
    withCategory: 3,
    withBaselineReward: 10,
    withAdjustedReward: 10,
    events: 1,
    annotations: 1,
    withGroundTruth: 0,
    ...over,
  }) as RunLayers;

const section = (over: Partial<ReportSection>): ReportSection => ({
  id: 's',
  title: 'S',
  status: 'complete',
  summary: 'sum',
  notes: [],
  findings: [],
  tables: [],
  charts: [],
  missing: [],
  error: null,
  notApplicable: null,
  ...over,
});

describe('what of a report does not apply to the run', () => {
  it('names each absent layer of the record once, and nothing for a run that has them all', () => {
    assert.deepEqual(absentLayers(layers({})), []);
    const absent = absentLayers(
      layers({ withClassification: 0, withCategory: 0, events: 0, annotations: 0, withAdjustedReward: 0 }),
    );
    assert.deepEqual(
      absent.map((a) => a.layer),
      ['classification', 'categories', 'events', 'annotations', 'adjusted_reward'],
    );
    assert.match(absent.find((a) => a.layer === 'events')!.reason, /^the run has no calibration events/);
  });

  it('recognizes the lines that only restate an absent layer, and keeps those that say more', () => {
    const absent = new Set(['events', 'classification', 'adjusted_reward'] as const);
    assert.equal(
      restatedLayer('no calibration events: there is no intervention to evaluate', absent),
      'events',
    );
    assert.equal(
      restatedLayer('events: the run has no calibration events, so nothing to join', absent),
      'events',
    );
    assert.equal(
      restatedLayer('no classification in the range: no compliant / non-compliant gap', absent),
      'classification',
    );
    assert.equal(
      restatedLayer('no adjusted reward: baseline reward used instead', absent),
      'adjusted_reward',
    );
    assert.equal(
      restatedLayer(
        'category appeal rate: category appeal rate is constant, so no correlation is defined',
        absent,
      ),
      null,
    );
    assert.equal(restatedLayer('steps: 3 sessions without a step are left out', absent), null);
    // a layer the run has is never explained away
    assert.equal(restatedLayer('no annotations in the run', absent), null);
  });

  it('drops columns empty in every row and tables without rows', () => {
    const t = {
      title: 't',
      columns: ['window', 'mean', 'gap'],
      rows: [
        ['step 0', 0.5, null],
        ['step 1', 0.6, ''],
      ],
    };
    assert.deepEqual(withoutEmptyColumns(t), {
      title: 't',
      columns: ['window', 'mean'],
      rows: [
        ['step 0', 0.5],
        ['step 1', 0.6],
      ],
    });
    assert.equal(withoutEmptyColumns({ title: 't', columns: ['a'], rows: [] }), null);
    const full = { title: 't', columns: ['a'], rows: [[1]] };
    assert.equal(withoutEmptyColumns(full), full);
  });

  it('finds a chart that draws nothing measured', () => {
    const empty = sessionLineChart({
      title: 't',
      yTitle: 'y',
      points: [{ session: 1, value: null, series: 's' }],
    });
    const drawn = sessionLineChart({
      title: 't',
      yTitle: 'y',
      points: [{ session: 1, value: 2, series: 's' }],
    });
    assert.equal(isEmptyChart({ id: 'a', title: 'a', caption: 'c', kind: 'vega-lite', spec: empty }), true);
    assert.equal(isEmptyChart({ id: 'a', title: 'a', caption: 'c', kind: 'vega-lite', spec: drawn }), false);
    // data shared by every layer (the timeline) or of a facet (the run's metrics)
    const timeline = timelineChart({
      title: 't',
      items: [{ session: 3, lane: 'annotations', label: 'a-1' }],
    });
    assert.equal(
      isEmptyChart({ id: 'a', title: 'a', caption: 'c', kind: 'vega-lite', spec: timeline }),
      false,
    );
    const none = timelineChart({ title: 't', items: [] });
    assert.equal(isEmptyChart({ id: 'a', title: 'a', caption: 'c', kind: 'vega-lite', spec: none }), true);
    const panels = runMetricsChart({ title: 'm', metrics: [{ step: 1, name: 'kl', value: 0 }] });
    assert.equal(isEmptyChart({ id: 'a', title: 'a', caption: 'c', kind: 'vega-lite', spec: panels }), false);
  });

  it('turns a section with nothing left into one line naming the absent layers', () => {
    const absent = new Set(['events', 'classification'] as const);
    const fitted = fitSection(
      section({
        missing: ['no calibration events in the run', 'no classification: no compliant / non-compliant gap'],
        tables: [{ title: 't', columns: ['a'], rows: [] }],
      }),
      absent,
    );
    assert.deepEqual(fitted.notApplicable, {
      reason: 'the run has no calibration events and classification',
      layers: ['events', 'classification'],
    });
    assert.deepEqual([fitted.tables, fitted.missing, fitted.summary], [[], [], '']);
  });

  it('keeps a section whose analyses report in other sections, with its notes saying where', () => {
    const notes = ['The findings of the recurrence analysis are in the section "adjustment-history".'];
    const fitted = fitSection(section({ notes }), new Set(['events'] as const));
    assert.equal(fitted.notApplicable, null);
    assert.deepEqual(fitted.notes, notes);
  });

  it('keeps a section with a finding, without the lines that restate absent layers', () => {
    const finding = {
      id: 's.a.1',
      section: 's',
      severity: 'info' as const,
      claim: 'c',
      numbers: {},
      method: 'm',
      evidence: { sessions: [], events: [], annotations: [] },
      tags: [],
    };
    const fitted = fitSection(
      section({ findings: [finding], missing: ['no calibration events in the run', 'ground truth: none'] }),
      new Set(['events'] as const),
    );
    assert.equal(fitted.notApplicable, null);
    assert.deepEqual(fitted.missing, ['ground truth: none']);
  });
});
