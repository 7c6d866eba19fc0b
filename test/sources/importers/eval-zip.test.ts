import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ZipReader } from '../../../src/sources/importers/eval-zip.ts';
import { writeZip, zstdCompress } from '../../fixtures/importers/build.ts';
import { tempDir } from '../../util/tmp.ts';

const dir = tempDir();

async function readAll(path: string): Promise<Record<string, string>> {
  const zip = await ZipReader.open(path);
  try {
    const out: Record<string, string> = {};
    for (const e of zip.entries) out[e.name] = (await zip.read(e)).toString('utf8');
    return out;
  } finally {
    await zip.close();
  }
}

describe('ZipReader (Inspect .eval archives)', () => {
  const text = JSON.stringify({ id: 1, text: 'The same words, again and again. '.repeat(50) });

  it('reads stored (0), deflated (8) and Zstandard (93) entries of one archive', async () => {
    const file = await writeZip(join(dir, 'methods.eval'), {
      'stored.json': { data: text, method: 0 },
      'deflated.json': { data: text, method: 8 },
      'zstd.json': { data: text, method: 93 },
      'empty-zstd.json': { data: '', method: 93 },
    });
    const zip = await ZipReader.open(file);
    try {
      assert.deepEqual(
        zip.entries.map((e) => [e.name, e.method, e.size]),
        [
          ['stored.json', 0, text.length],
          ['deflated.json', 8, text.length],
          ['zstd.json', 93, text.length],
          ['empty-zstd.json', 93, 0],
        ],
      );
      assert.ok(zip.entries[2]!.compressedSize < text.length / 5, 'the zstd entry is really compressed');
    } finally {
      await zip.close();
    }
    assert.deepEqual(await readAll(file), {
      'stored.json': text,
      'deflated.json': text,
      'zstd.json': text,
      'empty-zstd.json': '',
    });
  });

  it('reads zstd data of several frames and of high compression levels', async () => {
    const a = await zstdCompress(Buffer.from('first frame, '), 19);
    const b = await zstdCompress(Buffer.from('second frame'), 1);
    const file = await writeZip(join(dir, 'frames.eval'), {
      'two-frames.json': { data: 'first frame, second frame', method: 93, raw: Buffer.concat([a, b]) },
    });
    assert.deepEqual(await readAll(file), { 'two-frames.json': 'first frame, second frame' });
  });

  it('names the entry and what was expected when an entry cannot be decoded', async () => {
    const good = await zstdCompress(Buffer.from(text));
    const file = await writeZip(join(dir, 'bad.eval'), {
      'bzip2.json': { data: text, method: 12 as 0, raw: Buffer.from('BZh9') },
      'not-zstd.json': { data: text, method: 93, raw: Buffer.from('definitely not zstd') },
      'truncated.json': { data: text, method: 93, raw: good.subarray(0, good.length - 5) },
      'bad-crc.json': { data: text, method: 93, crc32: 12345 },
      'bad-size.json': { data: `${text}!`, method: 93, raw: good },
    });
    const zip = await ZipReader.open(file);
    const errors: Record<string, string> = {};
    try {
      for (const e of zip.entries) {
        await zip.read(e).then(
          () => assert.fail(`${e.name} should not be readable`),
          (err: Error) => {
            assert.equal(err.name, 'InputError');
            errors[e.name] = err.message;
          },
        );
      }
    } finally {
      await zip.close();
    }
    assert.match(
      errors['bzip2.json']!,
      /bad\.eval: zip entry bzip2\.json: uses compression method 12; expected 0 \(stored\), 8 \(deflate\), 93 \(zstd\)/,
    );
    assert.match(errors['not-zstd.json']!, /zip entry not-zstd\.json: expected Zstandard-compressed data/);
    assert.match(errors['truncated.json']!, /zip entry truncated\.json: /);
    assert.match(errors['bad-crc.json']!, /zip entry bad-crc\.json: CRC-32 does not match/);
    assert.match(
      errors['bad-size.json']!,
      /zip entry bad-size\.json: decodes to \d+ bytes; the zip directory says \d+/,
    );
  });

  it('refuses a file that is not a zip archive, naming it', async () => {
    const file = join(dir, 'text.eval');
    writeFileSync(file, '{"eval": {}}');
    await assert.rejects(ZipReader.open(file), (err: Error) => {
      assert.equal(err.name, 'InputError');
      assert.match(err.message, /text\.eval: not a readable zip archive \(/);
      return true;
    });
  });
});
