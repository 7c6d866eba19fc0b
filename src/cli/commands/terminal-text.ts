/**
 * Model outputs, prompts, annotations and meta are untrusted text. Printed raw, an output holding
 * `ESC [ 2 J` clears the user's screen, an OSC sequence retitles the window or writes a hyperlink, a
 * carriage return overwrites the line just shown, and a C1 control (U+0080–U+009F; U+009B is CSI) does the
 * same in terminals that honour 8-bit controls. These functions keep the text readable and make every such
 * character visible instead of executable.
 */

/**
 * C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings, overrides and isolates (they
 * reorder what is shown, so a reader could see other text than the record holds).
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The same characters that JSON.stringify leaves unescaped (it escapes C0 already). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string) => c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');

/**
 * Text as it is, except that each control character becomes a visible mark: a C0 control its Unicode
 * control picture (ESC → `␛`, CR → `␍`), DEL `␡`, and C1 and bidi controls `⟨U+009B⟩`. Newline and tab
 * stay.
 *
 * @example terminalText('ok\x1b[2J\r') // 'ok␛[2J␍'
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `⟨U+${hex(c)}⟩`;
  });
}

/**
 * Pretty JSON (2 spaces) that is safe on a terminal and still the same JSON: the characters JSON.stringify
 * leaves raw (DEL, C1, bidi controls) are written as `\uXXXX` escapes.
 *
 * @example terminalJson({ output: '\u009b2J' }) // '{\n  "output": "\\u009b2J"\n}'
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c).toLowerCase()}`);
}
