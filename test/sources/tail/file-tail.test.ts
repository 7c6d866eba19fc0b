import assert from 'node:assert/strict';
import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SourceItem } from '../../../src/sources/source-item.ts';
import { FileTail } from '../../../src/sources/tail/file-tail.ts';
import { tempDir } from '../../util/tmp.ts';

const rows = (items: readonly SourceItem[]) =>
  items.map((i) => (i.kind === 'row' ? { line: i.line, value: i.value } : { line: i.line, bad: i.got }));

test('a last line still being written is held back until its newline arrives', async () => {
  const path = join(tempDir(), 'r.jsonl');
  writeFileSync(path, '{"a":1}\n{"a":');
  const t = new FileTail(path, 1 << 20);
  const first = await t.read();
  assert.deepEqual(rows(first.items), [{ line: 1, value: { a: 1 } }]);
  assert.equal(first.heldBack, 5);
  appendFileSync(path, '2}\n\n{"a":3}\r\n');
  const second = await t.read();
  assert.deepEqual(rows(second.items), [
    { line: 2, value: { a: 2 } },
    { line: 4, value: { a: 3 } },
  ]);
  assert.equal(second.heldBack, 0);
  assert.equal((await t.read()).items.length, 0);
});

test('a file that does not exist yet reads as nothing, and is followed once it appears', async () => {
  const path = join(tempDir(), 'later.jsonl');
  const t = new FileTail(path, 1 << 20);
  const r = await t.read();
  assert.equal(r.exists, false);
  writeFileSync(path, '\ufeff{"a":1}\n');
  assert.deepEqual(rows((await t.read()).items), [{ line: 1, value: { a: 1 } }]);
});

test('a rotated file is read again from line 1 and its unfinished last line becomes a reject', async () => {
  const dir = tempDir();
  const path = join(dir, 'r.jsonl');
  writeFileSync(path, '{"a":1}\n{"a":2');
  const t = new FileTail(path, 1 << 20);
  await t.read();
  renameSync(path, join(dir, 'r.jsonl.1'));
  writeFileSync(path, '{"b":1}\n');
  const r = await t.read();
  assert.equal(r.restarted, 'rotated');
  assert.equal(r.before.length, 1);
  assert.equal(r.before[0]!.kind, 'unreadable');
  assert.equal(r.before[0]!.line, 2);
  assert.match((r.before[0] as { got: string }).got, /incomplete last line of 6 bytes: the file was rotated/);
  assert.deepEqual(rows(r.items), [{ line: 1, value: { b: 1 } }]);
});

test('a truncated file is read again from its start', async () => {
  const path = join(tempDir(), 'r.jsonl');
  writeFileSync(path, '{"a":1}\n{"a":2}\n');
  const t = new FileTail(path, 1 << 20);
  assert.equal((await t.read()).items.length, 2);
  truncateSync(path, 0);
  writeFileSync(path, '{"c":1}\n');
  const r = await t.read();
  assert.equal(r.restarted, 'truncated');
  assert.deepEqual(rows(r.items), [{ line: 1, value: { c: 1 } }]);
});

test('bad JSON, invalid UTF-8 and an over-long line are rejects with their line numbers, and reading goes on', async () => {
  const path = join(tempDir(), 'r.jsonl');
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.from('{"a":1}\nnot json\n'),
      Buffer.from([0x7b, 0xff, 0x7d, 0x0a]),
      Buffer.from(`{"long":"${'x'.repeat(100)}"}\n{"a":5}\n`),
    ]),
  );
  const t = new FileTail(path, 64, 16); // 16-byte reads: lines span reads
  const got: SourceItem[] = [];
  for (let i = 0; i < 20; i++) got.push(...(await t.read()).items);
  assert.deepEqual(
    got.map((i) => [i.line, i.kind, i.kind === 'unreadable' ? i.expected : null]),
    [
      [1, 'row', null],
      [2, 'unreadable', 'valid JSON'],
      [3, 'unreadable', 'UTF-8 text'],
      [4, 'unreadable', 'a line of at most 64 bytes (raise --max-line-bytes)'],
      [5, 'row', null],
    ],
  );
});
