import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type ChartPoint, reduceChartPoints } from '../../../src/analyses/shared/chart-points.ts';
import { runMetricsChart, sessionLineChart } from '../../../src/analyses/shared/chart-specs.ts';

/** An independent M4 by brute force: per series and column, the extremes of x and of value of every point. */
function extremes(points: readonly ChartPoint[], columns: number, xMin: number, xMax: number) {
  const out = new Map<string, { minX: number; maxX: number; minV: number; maxV: number }>();
  for (const p of points) {
    if (p.value === null) continue;
    const c = xMax > xMin ? Math.min(columns - 1, Math.floor((columns * (p.x - xMin)) / (xMax - xMin))) : 0;
    const key = `${p.series}\u0000${c}`;
    const e = out.get(key);
    if (!e) out.set(key, { minX: p.x, maxX: p.x, minV: p.value, maxV: p.value });
    else {
      e.minX = Math.min(e.minX, p.x);
      e.maxX = Math.max(e.maxX, p.x);
      e.minV = Math.min(e.minV, p.value);
      e.maxV = Math.max(e.maxV, p.value);
    }
  }
  return out;
}

const series = fc.array(
  fc.record({
    x: fc.integer({ min: 0, max: 5_000 }),
    value: fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { freq: 10 }),
    series: fc.constantFrom('a', 'b', 'c'),
  }),
  { maxLength: 400 },
);

describe('drawing long series from a bounded number of points (M4)', () => {
  it('draws every point with a value when no series has more than four points a column', () => {
    const points: ChartPoint[] = [
      { x: 1, value: 0.5, series: 'a' },
      { x: 2, value: null, series: 'a' },
      { x: 3, value: 0.7, series: 'a' },
      { x: 1, value: 2, series: 'b' },
    ];
    const r = reduceChartPoints(points, 1);
    assert.equal(r.reduced, false);
    assert.deepEqual(r.points, [points[0], points[2], points[3]]);
    assert.equal(r.measured, 3);
    assert.equal(r.longestSeries, 2);
  });

  it('keeps, of each series and column, exactly the points with the first and last x and the lowest and highest value', () => {
    fc.assert(
      fc.property(series, fc.integer({ min: 1, max: 40 }), (points, columns) => {
        const r = reduceChartPoints(points, columns);
        const valued = points.filter((p) => p.value !== null);
        // a subset of the measured points, in their order, never an invented one
        let at = 0;
        for (const kept of r.points) {
          while (at < valued.length && valued[at] !== kept) at++;
          assert.ok(at < valued.length, 'a kept point is one of the input points, in order');
          at++;
        }
        if (!r.reduced) {
          assert.deepEqual(r.points, valued);
          return;
        }
        const xs = valued.map((p) => p.x);
        const xMin = Math.min(...xs);
        const xMax = Math.max(...xs);
        const all = extremes(valued, columns, xMin, xMax);
        const drawn = extremes(r.points, columns, xMin, xMax);
        const bySeries = new Map<string, number>();
        for (const p of valued) bySeries.set(p.series, (bySeries.get(p.series) ?? 0) + 1);
        for (const [key, e] of all) {
          const name = key.split('\u0000')[0]!;
          if ((bySeries.get(name) ?? 0) <= 4 * columns) continue;
          assert.deepEqual(drawn.get(key), e, `column ${key}`);
        }
        // at most four points a column of each reduced series
        for (const [name, n] of bySeries) {
          const kept = r.points.filter((p) => p.series === name).length;
          assert.ok(n <= 4 * columns ? kept === n : kept <= 4 * columns, `${name}: ${kept} of ${n}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a one-window spike among 20,000 windows', () => {
    const points: ChartPoint[] = Array.from({ length: 20_000 }, (_, i) => ({
      x: 250 + 500 * i,
      value: i === 13_337 ? 0.95 : 0.1 + 0.001 * Math.sin(i),
      series: 'share',
    }));
    const r = reduceChartPoints(points, 640);
    assert.equal(r.reduced, true);
    assert.ok(r.points.length <= 2_560, String(r.points.length));
    assert.ok(r.points.some((p) => p.value === 0.95));
    assert.equal(r.points[0], points[0]);
    assert.equal(r.points.at(-1), points.at(-1));
  });

  it('refuses a number of columns that is not a positive integer', () => {
    assert.throws(() => reduceChartPoints([], 0), /positive integer/);
  });

  it('draws a chart of 20,000 windows from at most 2,560 points a series, says so, and marks no points', () => {
    const points = Array.from({ length: 20_000 }, (_, i) => ({
      session: 250 + 500 * i,
      value: i % 7,
      series: 'mean reward',
    }));
    const spec = sessionLineChart({ title: 'Reward', yTitle: 'reward', points }) as unknown as {
      title: { text: string; subtitle: string };
      layer: { mark: { point?: unknown }; data: { values: unknown[] } }[];
    };
    assert.equal(spec.title.text, 'Reward');
    assert.match(
      spec.title.subtitle,
      /^up to 20,000 points a series, drawn as the first, last, lowest and highest/,
    );
    const line = spec.layer.at(-1)!;
    assert.ok(line.data.values.length <= 2_560);
    assert.equal(line.mark.point, undefined);
  });

  it('draws a chart of 2,000 windows (the most the windowing rule makes) whole, with its points marked', () => {
    const points = Array.from({ length: 2_000 }, (_, i) => ({
      session: i,
      value: i % 7,
      series: 'mean reward',
    }));
    const spec = sessionLineChart({ title: 'Reward', yTitle: 'reward', points }) as unknown as {
      title: unknown;
      layer: { mark: { point?: unknown }; data: { values: unknown[] } }[];
    };
    assert.equal(spec.title, 'Reward');
    assert.equal(spec.layer.at(-1)!.data.values.length, 2_000);
    assert.ok(spec.layer.at(-1)!.mark.point);
  });

  it("draws each panel of a trainer's 50,000 logged steps from at most 760 steps, and 500 steps whole", () => {
    const metrics = (steps: number) =>
      ['loss', 'reward'].flatMap((name) =>
        Array.from({ length: steps }, (_, step) => ({
          step,
          name,
          value: name === 'loss' ? 1 / (step + 1) : step % 11,
        })),
      );
    const long = runMetricsChart({ title: 'metrics', metrics: metrics(50_000) }) as unknown as {
      title: { subtitle: string };
      data: { values: { name: string; step: number }[] };
      spec: { mark: { point?: unknown } };
    };
    for (const name of ['loss', 'reward']) {
      const drawn = long.data.values.filter((v) => v.name === name);
      assert.ok(drawn.length <= 4 * 190, `${name}: ${drawn.length}`);
      assert.deepEqual([drawn[0]?.step, drawn.at(-1)?.step], [0, 49_999]);
    }
    assert.match(long.title.subtitle, /^up to 50,000 steps a metric/);
    assert.equal(long.spec.mark.point, undefined);
    const short = runMetricsChart({ title: 'metrics', metrics: metrics(500) }) as unknown as {
      title: unknown;
      data: { values: unknown[] };
    };
    assert.equal(short.title, 'metrics');
    assert.equal(short.data.values.length, 1_000);
  });
});
