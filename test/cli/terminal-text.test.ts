import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { terminalJson, terminalText } from '../../src/cli/commands/terminal-text.ts';

describe('untrusted text on a terminal', () => {
  it('turns every C0 control but newline and tab, DEL, C1 and bidi controls into visible marks', () => {
    const all = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('');
    const shown = terminalText(`${all}\u202a\u202e\u2066\u2069`);
    assert.doesNotMatch(shown, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    assert.ok(shown.includes('\t\n'), 'tab and newline stay');
    assert.equal(terminalText('a\u001b[2Jb\rc\u0007\u007f'), 'a␛[2Jb␍c␇␡');
    assert.equal(terminalText('\u009b31m\u202eevil'), '⟨U+009B⟩31m⟨U+202E⟩evil');
    assert.equal(
      terminalText('plain text, ünïcode 😀 and a ␛ already'),
      'plain text, ünïcode 😀 and a ␛ already',
    );
  });

  it('writes JSON whose raw characters are terminal-safe and which parses back to the same value', () => {
    const value = { output: 'x\u001b]0;t\u0007\u009b2J\u007f\u202e\ttab\nnew', n: [1, null] };
    const text = terminalJson(value);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    assert.deepEqual(JSON.parse(text), value);
  });
});
