import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  axisSpan,
  axisX,
  type ChartAxis,
  runMetricPoints,
  runMetricsChart,
  seriesColor,
  sessionLineChart,
  stepOfSession,
} from '../../../src/analyses/shared/chart-specs.ts';

const steps = [
  { step: 0, from: 1, to: 64, sessions: 64 },
  { step: 10, from: 65, to: 128, sessions: 64 },
  { step: 20, from: 129, to: 192, sessions: 64 },
];
const byStep: ChartAxis = { unit: 'step', steps };

describe('chart axes in the unit of the windows', () => {
  it('places a session at its training step, and one between steps at the step before', () => {
    assert.deepEqual(
      [1, 64, 65, 150, 192, 500].map((s) => stepOfSession(steps, s)),
      [0, 0, 10, 20, 20, 20],
    );
    assert.equal(
      stepOfSession(
        [
          { step: 3, from: 10, to: 12, sessions: 3 },
          { step: 4, from: 20, to: 22, sessions: 3 },
        ],
        15,
      ),
      3,
    );
    assert.equal(axisX({ unit: 'session' }, 150), 150);
    assert.equal(axisX(byStep, 150), 20);
  });

  it('draws a phase on a step axis from half-way to the step before to half-way to the step after', () => {
    assert.deepEqual(axisSpan(byStep, 1, 128), { from: 0, to: 15 });
    assert.deepEqual(axisSpan(byStep, 129, 192), { from: 15, to: 20 });
    assert.deepEqual(axisSpan({ unit: 'session' }, 1, 128), { from: 1, to: 128 });
  });

  it('joins measured points by straight lines with the points marked, at steps on a step axis', () => {
    const spec = sessionLineChart({
      title: 't',
      yTitle: 'y',
      axis: byStep,
      points: [
        { session: 32, value: 0.5, series: 'mean baseline reward' },
        { session: 96, value: 0.7, series: 'mean baseline reward' },
      ],
      spans: [{ from: 1, to: 64, label: 'noise' }],
    }) as unknown as {
      layer: {
        mark: { type: string; interpolate?: string; point?: unknown };
        data: { values: { x?: number }[] };
        encoding: { x: { title?: string } };
      }[];
    };
    const line = spec.layer.find((l) => l.mark.type === 'line')!;
    assert.equal(line.mark.interpolate, 'linear');
    assert.ok(line.mark.point);
    assert.deepEqual(
      line.data.values.map((v) => v.x),
      [0, 10],
    );
    assert.equal(line.encoding.x.title, 'training step');
  });

  it('gives a phase or series the same colour in every chart', () => {
    assert.equal(seriesColor('convergence'), seriesColor('convergence'));
    assert.notEqual(seriesColor('noise'), seriesColor('convergence'));
    const a = sessionLineChart({
      title: 'a',
      yTitle: 'y',
      points: [{ session: 1, value: 1, series: 'x-series' }],
      spans: [{ from: 1, to: 2, label: 'noise' }],
    });
    const b = sessionLineChart({
      title: 'b',
      yTitle: 'y',
      points: [
        { session: 1, value: 1, series: 'other' },
        { session: 1, value: 1, series: 'x-series' },
      ],
    });
    const colour = (spec: unknown, name: string) => {
      const layers = (
        spec as { layer: { encoding?: { color?: { scale?: { domain: string[]; range: string[] } } } }[] }
      ).layer;
      for (const l of layers) {
        const sc = l.encoding?.color?.scale;
        if (sc?.domain.includes(name)) return sc.range[sc.domain.indexOf(name)];
      }
      return undefined;
    };
    assert.equal(colour(a, 'x-series'), colour(b, 'x-series'));
    assert.equal(colour(a, 'noise'), seriesColor('noise'));
  });

  it("sets the run's own metrics at their logged steps on a step axis, and leaves them out on a session axis", () => {
    const logged = [
      { step: 3, name: 'train_reward', value: 0.5 },
      { step: 3, name: 'kl', value: 0.1 },
      { step: 4, name: 'train_reward', value: 0.6 },
    ];
    const points = runMetricPoints(byStep, logged, /reward/);
    assert.deepEqual(
      points.map((p) => [p.step, p.value, p.series]),
      [
        [3, 0.5, 'run: train_reward'],
        [4, 0.6, 'run: train_reward'],
      ],
    );
    assert.deepEqual(runMetricPoints({ unit: 'session' }, logged, /reward/), []);
    const spec = sessionLineChart({ title: 't', yTitle: 'y', axis: byStep, points }) as unknown as {
      layer: { data: { values: { x: number }[] } }[];
    };
    assert.deepEqual(
      spec.layer[0]!.data.values.map((v) => v.x),
      [3, 4],
    );
    // drawn first (under rlaudit's measures), thin and dashed
    const withOurs = sessionLineChart({
      title: 't',
      yTitle: 'y',
      axis: byStep,
      points: [{ session: 32, value: 0.5, series: 'mean baseline reward' }, ...points],
    }) as unknown as { layer: { mark: { strokeDash?: number[] }; data: { values: { series: string }[] } }[] };
    assert.deepEqual(withOurs.layer[0]!.mark.strokeDash, [4, 2]);
    assert.equal(withOurs.layer[0]!.data.values[0]!.series, 'run: train_reward');
    assert.equal(withOurs.layer[1]!.data.values[0]!.series, 'mean baseline reward');
    const panels = runMetricsChart({ title: 'm', metrics: logged }) as unknown as {
      data: { values: unknown[] };
      facet: { field: string };
    };
    assert.equal(panels.facet.field, 'name');
    assert.equal(panels.data.values.length, 3);
  });
});

describe('marker labels on a session line chart', () => {
  it('reads a marker label leftwards in the last quarter of the axis so the plot edge does not clip it', () => {
    const spec = sessionLineChart({
      title: 't',
      yTitle: 'y',
      points: [0, 100, 200, 300, 400].map((session) => ({ session, value: 1, series: 's' })),
      markers: [
        { session: 50, label: 'early' },
        { session: 380, label: 'training ends' },
      ],
    }) as unknown as {
      layer: { mark: { type: string; align?: string }; data?: { values: { label: string }[] } }[];
    };
    const texts = spec.layer.filter((l) => l.mark.type === 'text');
    const sideOf = (label: string) =>
      texts.find((l) => l.data?.values.some((v) => v.label === label))?.mark.align;
    assert.equal(sideOf('early'), 'left');
    assert.equal(sideOf('training ends'), 'right');
  });
});
