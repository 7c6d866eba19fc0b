import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import yauzl from 'yauzl';
import { InputError } from '../../model/errors.ts';

/** One file inside a zip archive (from the central directory). */
export interface ZipEntry {
  readonly name: string;
  /** Zip compression method: 0 stored, 8 deflate, 93 Zstandard (APPNOTE 4.4.5). */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
}

/** Compression methods this reader decodes. */
export const ZIP_METHODS: Readonly<Record<number, string>> = { 0: 'stored', 8: 'deflate', 93: 'zstd' };

/** One entry is decoded in memory; past this (uncompressed) size it is refused, not read. */
export const MAX_ZIP_ENTRY_BYTES = 256 * 1024 * 1024;

/**
 * A reader of zip archives (Inspect's `.eval` logs): `yauzl` reads the central directory (Zip64 included)
 * and streams each entry's stored bytes; stored (0) and deflated (8) entries are decoded by yauzl/node:zlib,
 * Zstandard entries (93, written by Inspect since 0.3.206) by `fzstd`. One entry is held in memory at a time;
 * its size and CRC-32 are checked against the central directory.
 *
 * @example
 * const zip = await ZipReader.open('logs/run.eval');
 * try { const header = await zip.read(zip.entries.find((e) => e.name === 'header.json')!); } finally { await zip.close(); }
 */
export class ZipReader {
  private constructor(
    readonly path: string,
    readonly entries: readonly ZipEntry[],
    private readonly zip: yauzl.ZipFile,
    private readonly byName: ReadonlyMap<string, yauzl.Entry>,
  ) {}

  /** Opens an archive and lists its entries; a file that is not a readable zip is an `InputError`. */
  static async open(path: string): Promise<ZipReader> {
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.openPromise(path, { autoClose: false, strictFileNames: false });
    } catch (err) {
      throw new InputError(
        `not a readable zip archive (${(err as Error).message})`,
        { file: path },
        { cause: err },
      );
    }
    const entries: ZipEntry[] = [];
    const byName = new Map<string, yauzl.Entry>();
    try {
      for await (const e of zip.eachEntry()) {
        if (e.fileName.endsWith('/')) continue; // a directory
        byName.set(e.fileName, e);
        entries.push({
          name: e.fileName,
          method: e.compressionMethod,
          compressedSize: e.compressedSize,
          size: e.uncompressedSize,
          crc32: e.crc32,
        });
      }
    } catch (err) {
      zip.close();
      throw new InputError(
        `corrupt zip central directory (${(err as Error).message})`,
        { file: path },
        { cause: err },
      );
    }
    return new ZipReader(path, entries, zip, byName);
  }

  /**
   * The uncompressed bytes of one entry. An entry that cannot be decoded (unknown method, encrypted, too
   * large, corrupt data, wrong size or CRC) is an `InputError` naming the entry and what was expected.
   */
  async read(entry: ZipEntry): Promise<Buffer> {
    const e = this.byName.get(entry.name);
    const fail = (what: string, cause?: unknown): InputError =>
      new InputError(`zip entry ${entry.name}: ${what}`, { file: this.path }, { cause });
    if (e === undefined) throw fail('not in this archive');
    if (e.isEncrypted()) throw fail('is encrypted; expected an unencrypted entry');
    const method = ZIP_METHODS[entry.method];
    if (method === undefined) {
      throw fail(
        `uses compression method ${entry.method}; expected ${Object.entries(ZIP_METHODS)
          .map(([k, v]) => `${k} (${v})`)
          .join(', ')}`,
      );
    }
    if (entry.size > MAX_ZIP_ENTRY_BYTES) {
      throw fail(
        `is ${(entry.size / 2 ** 20).toFixed(0)} MiB uncompressed, over the ${MAX_ZIP_ENTRY_BYTES / 2 ** 20} MiB limit of one entry`,
      );
    }
    let data: Buffer;
    try {
      // yauzl inflates method 8 itself (and checks the inflated size); zstd entries come out raw. Pass no
      // option for 0 and 8: yauzl 3.4.0 skips inflating when `decodeFileData: true` is given explicitly.
      const options = entry.method === 93 ? { decodeFileData: false } : {};
      const stream = await this.zip.openReadStreamPromise(e, options);
      data = await collect(stream);
    } catch (err) {
      throw fail(`cannot read ${method} data (${(err as Error).message})`, err);
    }
    if (entry.method === 93) {
      try {
        data = zstdDecode(data, entry.size);
      } catch (err) {
        throw fail(`expected Zstandard-compressed data (${(err as Error).message})`, err);
      }
    }
    if (data.length !== entry.size) {
      throw fail(`decodes to ${data.length} bytes; the zip directory says ${entry.size}`);
    }
    if (crc32(data) !== entry.crc32 >>> 0) throw fail('CRC-32 does not match: the archive is corrupt');
    return data;
  }

  /** Closes the archive's file descriptor. */
  async close(): Promise<void> {
    if (this.zip.isOpen) this.zip.close();
  }
}

/**
 * Decodes Zstandard frames with `fzstd`'s streaming decoder, so that a frame claiming more than the zip
 * directory's size stops at that size instead of filling memory.
 */
function zstdDecode(data: Buffer, size: number): Buffer {
  const chunks: Buffer[] = [];
  let n = 0;
  const decoder = new ZstdDecompress((chunk) => {
    n += chunk.length;
    if (n > size) throw new Error(`the data decodes to more than the ${size} bytes the zip directory says`);
    chunks.push(Buffer.from(chunk));
  });
  decoder.push(data, true);
  return Buffer.concat(chunks);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > MAX_ZIP_ENTRY_BYTES) {
      stream.destroy();
      throw new Error(`more than ${MAX_ZIP_ENTRY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
