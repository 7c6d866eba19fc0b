import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite, stableGeometry } from '../../../src/report/charts/render-svg.ts';

test('geometry is rounded to a millionth of a pixel and data labels are left as they are', () => {
  assert.equal(
    stableGeometry(
      '<path aria-label="diversity: 0.796441575564" transform="translate(504.6646153846154,44.78285337589834)" d="M2.121,0L-1.23456789e-7,3"/>',
    ),
    '<path aria-label="diversity: 0.796441575564" transform="translate(504.664615,44.782853)" d="M2.121,0L0,3"/>',
  );
});

test('two series that differ only in the last bits of a value render to the same SVG', async () => {
  const spec = (y: number): TopLevelSpec => ({
    width: 300,
    height: 200,
    mark: { type: 'line', point: true },
    data: {
      values: [
        { x: 1, y: 0.5 },
        { x: 2, y },
      ],
    },
    encoding: {
      x: { field: 'x', type: 'quantitative' },
      y: { field: 'y', type: 'quantitative', scale: { domain: [0, 1] } },
    },
  });
  const a = 0.79644157556421;
  const b = a + 2 ** -50; // a difference of summation order, not of data
  assert.notEqual(a, b);
  const [sa, sb] = [await renderVegaLite(spec(a)), await renderVegaLite(spec(b))];
  assert.equal(sa.replace(/aria-label="[^"]*"/g, ''), sb.replace(/aria-label="[^"]*"/g, ''));
});
