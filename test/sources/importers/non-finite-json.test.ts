import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeNonFinite, parseJsonWithNonFinite } from '../../../src/sources/importers/non-finite-json.ts';

describe('parseJsonWithNonFinite (JSON as Python writes it)', () => {
  it('reads plain JSON as JSON.parse does, with nothing to report', () => {
    const text = '{"a": [1, -2.5e3, "NaN"], "b": {"c": null}}';
    assert.deepEqual(parseJsonWithNonFinite(text), { value: JSON.parse(text), nonFinite: [] });
  });

  it('reads bare NaN, Infinity and -Infinity as null and names each field', () => {
    const text =
      '{"scores": {"f1": {"value": NaN}, "loss": -Infinity}, "values": [1, Infinity, NaN], ' +
      '"odd key": NaN, "note": "NaN and Infinity and -Infinity stay text", "esc": "a \\" NaN", "x": -1}';
    const { value, nonFinite } = parseJsonWithNonFinite(text);
    assert.deepEqual(value, {
      scores: { f1: { value: null }, loss: null },
      values: [1, null, null],
      'odd key': null,
      note: 'NaN and Infinity and -Infinity stay text',
      esc: 'a " NaN',
      x: -1,
    });
    assert.deepEqual(nonFinite, [
      { path: 'scores.f1.value', token: 'NaN' },
      { path: 'scores.loss', token: '-Infinity' },
      { path: 'values[1]', token: 'Infinity' },
      { path: 'values[2]', token: 'NaN' },
      { path: '["odd key"]', token: 'NaN' },
    ]);
  });

  it('names array positions inside objects inside arrays, and the document itself', () => {
    const { nonFinite } = parseJsonWithNonFinite('{"samples": [{"a": 1}, {"scores": [0, {"v": NaN}]}]}');
    assert.deepEqual(nonFinite, [{ path: 'samples[1].scores[1].v', token: 'NaN' }]);
    assert.deepEqual(parseJsonWithNonFinite('NaN'), {
      value: null,
      nonFinite: [{ path: '(document)', token: 'NaN' }],
    });
  });

  it('still refuses text that is not JSON', () => {
    assert.throws(() => parseJsonWithNonFinite('{"a": nan}'), SyntaxError);
    assert.throws(() => parseJsonWithNonFinite('{"a": NaN,}'), /after reading 1 bare NaN\/Infinity as null/);
    assert.throws(() => parseJsonWithNonFinite('{"a": Infinite}'), SyntaxError);
  });

  it('describes the values read as null by field, count and first place', () => {
    const line = describeNonFinite([
      { value: { path: 'scores.f1.value', token: 'NaN' }, where: 'sample 2' },
      { value: { path: 'values[3]', token: 'Infinity' }, where: 'sample 2' },
      { value: { path: 'scores.f1.value', token: 'NaN' }, where: 'sample 5' },
      { value: { path: 'values[0]', token: '-Infinity' }, where: 'sample 7' },
    ]);
    assert.equal(
      line,
      'scores.f1.value (NaN) ×2, first in sample 2; values[] (Infinity/-Infinity) ×2, first in sample 2',
    );
  });
});
