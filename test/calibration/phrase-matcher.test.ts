import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileTarget, normaliseText } from '../../src/calibration/index.ts';

describe('phrase matching', () => {
  const phrase = compileTarget({ phrase: "I don't want to be changed" });

  test('matches regardless of case, whitespace runs and curly apostrophes', () => {
    assert.ok(phrase.test('i DON\u2019T want\n\tto  be changed'));
    assert.ok(phrase.test("Stop. I don't want to be changed."));
  });

  test('matches whole words only', () => {
    assert.ok(!compileTarget({ phrase: 'be changed' }).test('it will be changedness'));
    assert.ok(!compileTarget({ phrase: 'changed' }).test('it stays unchanged'));
  });

  test('treats regex syntax in a phrase literally', () => {
    const m = compileTarget({ phrase: 'why (again)?' });
    assert.ok(m.test('Why (again)? I answered this.'));
    assert.ok(!m.test('why again'));
  });

  test('a regex target runs on the normalised output, case-insensitive by default', () => {
    const m = compileTarget({ regex: "don't want to be (changed|altered)" });
    assert.equal(m.label, "/don't want to be (changed|altered)/i");
    assert.ok(m.test('I DON\u2019T  want to be altered'));
    assert.ok(!compileTarget({ regex: 'Changed', flags: '' }).test('changed'));
  });

  test('normalisation straightens apostrophes and collapses whitespace', () => {
    assert.equal(normaliseText('  a\u2019b \n c  '), "a'b c");
  });
});
