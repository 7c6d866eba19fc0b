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

  test('normalisation turns every run of whitespace into one space, as /\\s+/ → " " does, for any mix', () => {
    // the reference: the definition itself, replacing every run
    const reference = (t: string) =>
      t
        .replace(/[\u2018\u2019\u201B\u02BC\u2032\uFF07]/g, "'")
        .replace(/\s+/gu, ' ')
        .trim();
    const pieces = [
      ' ',
      '  ',
      '\t',
      '\n',
      '\r\n',
      '\u00a0',
      '\u2003',
      '\u3000',
      '\ufeff',
      'x',
      'é',
      '\u2019',
      '中',
    ];
    let seed = 15;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 5000; i++) {
      let text = '';
      for (let k = 0; k < 10; k++) text += pieces[Math.floor(next() * pieces.length)];
      assert.equal(normaliseText(text), reference(text), JSON.stringify(text));
    }
  });
});
