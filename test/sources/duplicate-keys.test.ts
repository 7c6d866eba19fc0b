import assert from 'node:assert/strict';
import { test } from 'node:test';
import { duplicateKey, keyCount } from '../../src/sources/duplicate-keys.ts';
import { mulberry32 } from '../../src/stats/prng.ts';

/** The pattern the count replaces, as the reference. */
const KEY_END = /(?<!\\)(?:\\\\)*"[ \t\r\n]*:/g;

test('the key count equals the matches of the key pattern on texts made of quotes, backslashes, colons and blanks', () => {
  const rnd = mulberry32(11);
  const alphabet = ['"', '\\', ':', ' ', '\t', '\n', '\r', 'a', '{', '}', ',', 'é', '\u2028'];
  for (let t = 0; t < 20_000; t++) {
    const text = Array.from(
      { length: Math.floor(rnd() * 24) },
      () => alphabet[Math.floor(rnd() * alphabet.length)]!,
    ).join('');
    assert.equal(keyCount(text), text.match(KEY_END)?.length ?? 0, JSON.stringify(text));
  }
});

test('a key named twice in one object is found, at any depth, and escaped quotes do not count as keys', () => {
  const cases: [string, string | null][] = [
    ['{"a":1,"b":2}', null],
    ['{"a":1,"a":2}', 'a'],
    ['{"x":{"a":1, "a" :2}}', 'x.a'],
    ['{"l":[{"k":1},{"k":2,"k":3}]}', 'l.1.k'],
    ['{"s":"a \\":\\" b","t":"\\\\"}', null],
    ['{"s":"\\\\\\"x\\":","a":1}', null],
  ];
  for (const [text, twice] of cases) assert.equal(duplicateKey(text, JSON.parse(text)), twice, text);
});
