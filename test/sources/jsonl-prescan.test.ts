import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { looksMinified, nullKeyBytes, prescanJsonl } from '../../src/sources/jsonl-prescan.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();

/** The prescan's figures computed independently, from the whole file split at its newlines. */
function expected(bytes: Buffer) {
  const text = bytes.toString('latin1');
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  let checksum = 0;
  lines.forEach((l, i) => {
    checksum = (checksum + ((i + 1) % 1_000_003) * l.length) % 2_147_483_647;
  });
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    lines: lines.length,
    longestLine: Math.max(...lines.map((l) => l.length)),
    checksum,
    blankLines: lines.flatMap((l, i) => (/^[ \t]*$/.test(l) ? [i + 1] : [])),
    suspectLines: lines.flatMap((l, i) => (/,\}| \]/.test(l) ? [i + 1] : [])),
  };
}

describe('prescanJsonl', () => {
  it('reads lines across its read buffer and longer than it exactly as the whole file says', async () => {
    // lines of every length around the 4 MiB read buffer: short ones, one of 5 MiB, one ending on a boundary
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < (1 << 22) - 1000; i++) {
      const l =
        i % 97 === 0
          ? ''
          : i % 89 === 0
            ? `{"a":[1 ]}`
            : `{"session":${i},"output":"${'x'.repeat(i % 300)}"}`;
      parts.push(l);
      size += l.length + 1;
    }
    parts.push('y'.repeat((1 << 22) - size - 1)); // this line's newline is the buffer's last byte
    parts.push(`{"long":"${'z'.repeat(5 << 20)}",}`, '  ', '{"last":1}');
    for (const end of ['\n', '']) {
      const bytes = Buffer.from(parts.join('\n') + end, 'latin1');
      const file = join(dir, `buffer${end === '' ? '-no-final-newline' : ''}.jsonl`);
      writeFileSync(file, bytes);
      const pre = await prescanJsonl(file, 8 << 20);
      const want = expected(bytes);
      assert.equal(pre.fallback, null);
      assert.deepEqual(
        {
          sha256: pre.sha256,
          lines: pre.lines,
          longestLine: pre.longestLine,
          checksum: pre.checksum,
          blankLines: pre.blankLines,
          suspectLines: pre.suspectLines,
        },
        want,
      );
      assert.ok(want.suspectLines.length > 2 && want.blankLines.length > 2, 'the file has both kinds');
    }
  });

  it('sends a file with a line longer than --max-line-bytes to the TypeScript reader, even one longer than its buffer', async () => {
    const file = join(dir, 'long.jsonl');
    writeFileSync(file, `{"a":1}\n{"b":"${'x'.repeat(6 << 20)}"}\n{"c":2}\n`);
    const pre = await prescanJsonl(file, 5 << 20);
    assert.equal(pre.fallback, 'a line longer than --max-line-bytes');
  });

  it('counts the bytes of the null members of the nullable session fields, and of no text that only looks like one', () => {
    const count = (line: string) => nullKeyBytes(Buffer.from(line));
    // each: the key's length + its quotes, colon, null and one comma
    assert.equal(
      count('{"session":1,"category":null,"step":null}'),
      'category'.length + 8 + 'step'.length + 8,
    );
    assert.equal(count('{"category":null}'), 16);
    // not a nullable field, not a member (inside a string), not the whole value, blanks
    assert.equal(count('{"type":null,"zz":null,"categoryx":null}'), 0);
    assert.equal(count('{"output":"\\"category\\":null,"}'), 0);
    assert.equal(count('{"output":"a\\",\\"category\\":null}"}'), 0);
    assert.equal(count('{"category":nullx}'), 0);
    assert.equal(count('{"category": null, "step" :null}'), 0);
  });

  it('sums the bytes of the record lines and of their null members over a file read in several buffers', async () => {
    const file = join(dir, 'bytes.jsonl');
    const lines = Array.from({ length: 30_000 }, (_, i) =>
      i % 7 === 3
        ? '  '
        : JSON.stringify({ session: i, category: i % 2 ? null : 'c', out: 'x'.repeat(i % 300) }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const pre = await prescanJsonl(file, 1 << 20);
    const records = lines.filter((l) => l.trim() !== '');
    assert.equal(
      pre.recordBytes,
      records.reduce((n, l) => n + Buffer.byteLength(l), 0),
    );
    assert.equal(pre.nullBytes, records.filter((l) => l.includes('null')).length * 16);
  });

  it('guesses a file minified only when its first lines are written as JSON.stringify writes them, with session keys only', async () => {
    const keys = new Set(['session', 'output', 'run']);
    const write = (name: string, text: string) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    assert.equal(await looksMinified(write('m1.jsonl', '{"session":1,"output":"a"}\n'), keys), true);
    assert.equal(await looksMinified(write('m2.jsonl', '{"session": 1, "output": "a"}\n'), keys), false);
    assert.equal(await looksMinified(write('m3.jsonl', '{"session":1,"output":"a","x":1}\n'), keys), false);
    assert.equal(await looksMinified(write('m4.jsonl', '{"session":1.0,"output":"a"}\n'), keys), false);
    assert.equal(await looksMinified(write('m5.jsonl', '{"type":"event","id":"e"}\n'), keys), true);
  });

  it('counts a blank line that follows a line completed across two read buffers', async () => {
    const file = join(dir, 'boundary.jsonl');
    const long = `{"l":"${'y'.repeat(5 << 20)}"}`; // spans the second read buffer: no newline after the blank line
    for (const pad of [-1, 0, 1, 2]) {
      // the first line ends (its newline) just before, at, or after the first read buffer's end
      const first = `{"a":"${'x'.repeat((1 << 22) - 8 + pad)}"}`;
      writeFileSync(file, `${first}\n\n${long}\n\n{"c":null}\n`);
      const pre = await prescanJsonl(file, 8 << 20);
      assert.deepEqual([pre.lines, pre.blankLines], [5, [2, 4]], `pad ${pad}`);
      assert.equal(pre.recordBytes, first.length + long.length + 10, `pad ${pad}`);
    }
  });
});
