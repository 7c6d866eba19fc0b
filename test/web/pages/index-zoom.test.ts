import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MIN_SPAN, panRange, zoomRange } from '../../../web/src/pages/index-zoom.ts';

describe('zooming and panning the session index', () => {
  it('halves the range around the anchor, which keeps its place in it', () => {
    assert.deepEqual(zoomRange([1, 1000], 250, 0.5, [1, 1000]), [126, 625]);
    assert.deepEqual(zoomRange([3001, 4000], 3001, 0.5, [1, 12_847]), [3001, 3500]);
  });

  it('zooms out to the whole run and no further, and in to no fewer than MIN_SPAN sessions', () => {
    assert.deepEqual(zoomRange([100, 199], 150, 1000, [1, 500]), [1, 500]);
    const [a, b] = zoomRange([100, 119], 110, 0.01, [1, 500]);
    assert.equal(b - a + 1, MIN_SPAN);
  });

  it('stops a pan at either end of the run, keeping the width', () => {
    assert.deepEqual(panRange([101, 200], 50, [1, 220]), [121, 220]);
    assert.deepEqual(panRange([101, 200], -500, [1, 220]), [1, 100]);
    assert.deepEqual(panRange([1, 220], 30, [1, 220]), [1, 220]);
  });

  it('always gives a range inside the run that holds the anchor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1 / 8, max: 8, noNaN: true }),
        (lo, len, f, g, factor) => {
          const hi = lo + len - 1;
          const from = lo + Math.floor(f * (len - 1));
          const to = from + Math.floor(g * (hi - from));
          const anchor = from + Math.floor((to - from) / 2);
          const [a, b] = zoomRange([from, to], anchor, factor, [lo, hi]);
          assert.ok(lo <= a && a <= b && b <= hi);
          assert.ok(a <= anchor && anchor <= b, `anchor ${anchor} in ${a}–${b}`);
          assert.ok(b - a + 1 >= Math.min(MIN_SPAN, len));
        },
      ),
    );
  });
});
