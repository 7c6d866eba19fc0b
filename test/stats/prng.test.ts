import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32, seededSampleIndices } from '../../src/stats/prng.ts';

describe('mulberry32', () => {
  it('replays the same sequence for the same seed and a different one for another seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const sa = Array.from({ length: 5 }, a);
    assert.deepEqual(sa, Array.from({ length: 5 }, b));
    assert.notDeepEqual(sa, Array.from({ length: 5 }, c));
  });

  it('matches the reference mulberry32 written with an unwrapped accumulator', () => {
    // The widely copied original form: `var t = a += 0x6D2B79F5; …` on a growing double.
    let acc = 12345;
    const original = () => {
      acc += 0x6d2b79f5;
      let t = acc;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const ours = mulberry32(12345);
    for (let i = 0; i < 1000; i++) assert.equal(ours(), original());
  });

  it('returns floats in [0, 1) with a mean near 1/2', () => {
    const r = mulberry32(1);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = r();
      assert.ok(v >= 0 && v < 1);
      sum += v;
    }
    assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
  });
});

describe('seededSampleIndices', () => {
  it('draws k distinct sorted indices, reproducibly', () => {
    const s = seededSampleIndices(100, 10, 3);
    assert.equal(new Set(s).size, 10);
    assert.deepEqual(
      s,
      [...s].sort((a, b) => a - b),
    );
    assert.ok(s.every((i) => Number.isInteger(i) && i >= 0 && i < 100));
    assert.deepEqual(s, seededSampleIndices(100, 10, 3));
    assert.notDeepEqual(s, seededSampleIndices(100, 10, 4));
  });

  it('returns every index when k ≥ n', () => {
    assert.deepEqual(seededSampleIndices(4, 9, 1), [0, 1, 2, 3]);
  });

  it('gives every index about the same chance of being drawn', () => {
    const hits = new Array<number>(10).fill(0);
    for (let seed = 0; seed < 5000; seed++) for (const i of seededSampleIndices(10, 3, seed)) hits[i]!++;
    for (const h of hits) assert.ok(Math.abs(h / 5000 - 0.3) < 0.03, `${hits}`);
  });
});
